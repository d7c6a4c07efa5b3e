/**
 * Fashion-MNIST for the training lab: the committed Parquet subset (public/data/README.md)
 * decoded into flat typed arrays, checked column by column on the way in.
 */
import { DataType, type Table, type Vector } from 'apache-arrow';
import { permutation, mulberry32 } from '../core/rng.ts';
import { DatasetError } from './errors.ts';
import { readParquet } from './parquet.ts';

export { DatasetError } from './errors.ts';

/** Zalando's label names, indexed by label 0..9. */
export const FASHION_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export const IMAGE_SIDE = 28;
export const IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE;

/** n images, row-major 28x28 uint8 each, back to back, with their labels. */
export interface ImageSet {
  /** n * 784 pixel bytes; image i is images.subarray(i * 784, (i + 1) * 784). */
  images: Uint8Array;
  /** Class 0..9 of each image (see FASHION_CLASSES). */
  labels: Uint8Array;
  n: number;
}

export interface FashionData {
  train: ImageSet;
  test: ImageSet;
}

type Split = keyof FashionData;
const SPLITS: readonly Split[] = ['train', 'test'];

function column(table: Table, name: string): Vector {
  const col = table.getChild(name);
  if (!col) {
    const have = table.schema.fields.map((f) => f.name).join(', ') || 'none';
    throw new DatasetError(`missing column "${name}" (columns: ${have})`);
  }
  if (col.nullCount > 0) throw new DatasetError(`column "${name}" has ${col.nullCount} null values`);
  return col;
}

function isString(t: DataType): boolean {
  return DataType.isUtf8(t) || DataType.isLargeUtf8(t) || (DataType.isDictionary(t) && isString(t.dictionary));
}

function wrongType(name: string, want: string, got: DataType): DatasetError {
  return new DatasetError(`column "${name}" must be ${want}, got ${String(got)}`);
}

/** Split the table's rows into train and test sets. Throws DatasetError naming the first thing wrong. */
export function decodeFashion(table: Table): FashionData {
  const split = column(table, 'split');
  const label = column(table, 'label');
  const image = column(table, 'image');
  if (!isString(split.type)) throw wrongType('split', "a string ('train' | 'test')", split.type);
  // 64-bit integers would come back as bigint; the file stores uint8.
  if (!DataType.isInt(label.type) || label.type.bitWidth > 32) throw wrongType('label', 'an integer (uint8)', label.type);
  // Variable-width binary is accepted too; each value's length is then checked per row.
  const t = image.type;
  const imageOk = DataType.isFixedSizeBinary(t) ? t.byteWidth === IMAGE_PIXELS : DataType.isBinary(t) || DataType.isLargeBinary(t);
  if (!imageOk) throw wrongType('image', `binary of ${IMAGE_PIXELS} bytes`, t);

  const n = table.numRows;
  const which = new Uint8Array(n); // 0 train, 1 test
  const counts = [0, 0];
  for (let i = 0; i < n; i++) {
    const s = split.get(i) as string;
    const k = SPLITS.indexOf(s as Split);
    if (k < 0) throw new DatasetError(`row ${i}: split is "${s}", expected 'train' or 'test'`);
    which[i] = k;
    counts[k]++;
  }
  SPLITS.forEach((s, k) => {
    if (counts[k] === 0) throw new DatasetError(`split "${s}" has no rows`);
  });

  const sets = counts.map((c) => ({ images: new Uint8Array(c * IMAGE_PIXELS), labels: new Uint8Array(c), n: c }));
  const filled = [0, 0];
  for (let i = 0; i < n; i++) {
    const y = label.get(i) as number;
    if (!Number.isInteger(y) || y < 0 || y >= FASHION_CLASSES.length) {
      throw new DatasetError(`row ${i}: label ${y} is outside 0..${FASHION_CLASSES.length - 1}`);
    }
    const px = image.get(i) as Uint8Array;
    if (px.byteLength !== IMAGE_PIXELS) {
      throw new DatasetError(`row ${i}: image has ${px.byteLength} bytes, expected ${IMAGE_PIXELS} (28x28)`);
    }
    const set = sets[which[i]];
    const j = filled[which[i]]++;
    set.labels[j] = y;
    set.images.set(px, j * IMAGE_PIXELS);
  }
  return { train: sets[0], test: sets[1] };
}

/** Parquet bytes → train and test sets. */
export async function loadFashion(bytes: Uint8Array): Promise<FashionData> {
  return decodeFashion(await readParquet(bytes));
}

/** Lower-case hex SHA-256 of bytes (WebCrypto: Node 20 and browsers, page or worker). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // WebCrypto refuses views on a SharedArrayBuffer; copy those.
  const data = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

function subset(set: ImageSet, rows: readonly number[]): ImageSet {
  const images = new Uint8Array(rows.length * IMAGE_PIXELS);
  const labels = new Uint8Array(rows.length);
  rows.forEach((r, j) => {
    labels[j] = set.labels[r];
    images.set(set.images.subarray(r * IMAGE_PIXELS, (r + 1) * IMAGE_PIXELS), j * IMAGE_PIXELS);
  });
  return { images, labels, n: rows.length };
}

/**
 * Hold out a validation set: in each class, round(fraction · count) images chosen by a
 * mulberry32(seed) shuffle, so val keeps the class mix of train. Both parts keep the input's
 * row order. fraction must lie in (0, 1).
 */
export function splitValidation(train: ImageSet, fraction: number, seed: number): { train: ImageSet; val: ImageSet } {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`validation fraction must be in (0, 1), got ${fraction}`);
  const byClass: number[][] = FASHION_CLASSES.map(() => []);
  for (let i = 0; i < train.n; i++) {
    const rows = byClass[train.labels[i]];
    if (!rows) throw new DatasetError(`row ${i}: label ${train.labels[i]} is outside 0..${FASHION_CLASSES.length - 1}`);
    rows.push(i);
  }
  const rng = mulberry32(seed);
  const isVal = new Uint8Array(train.n);
  for (const rows of byClass) {
    const take = Math.round(fraction * rows.length);
    const order = permutation(rows.length, rng);
    for (let k = 0; k < take; k++) isVal[rows[order[k]]] = 1;
  }
  const keep: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < train.n; i++) (isVal[i] ? val : keep).push(i);
  return { train: subset(train, keep), val: subset(train, val) };
}
