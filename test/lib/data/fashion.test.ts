import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Binary,
  FixedSizeBinary,
  Table,
  Uint8,
  Utf8,
  makeData,
  makeVector,
  tableToIPC,
  vectorFromArray,
  type Vector,
} from 'apache-arrow';
import * as parquetWasm from 'parquet-wasm';
import {
  DatasetError,
  FASHION_CLASSES,
  decodeFashion,
  loadFashion,
  sha256Hex,
  splitValidation,
  type FashionData,
  type ImageSet,
} from '../../../src/lib/data/fashion.ts';
import { readParquet } from '../../../src/lib/data/parquet.ts';
import { mulberry32, shuffleInPlace } from '../../../src/lib/core/rng.ts';

const FILE = new URL('../../../public/data/fashion-mnist-subset.parquet', import.meta.url);
const README = new URL('../../../public/data/README.md', import.meta.url);
const IDX_DIR = '/usr/share/datasets/fashion-mnist';
const hasIdx = existsSync(`${IDX_DIR}/train-images-idx3-ubyte.gz`);
const PX = 784;

/** The IDX format read here independently of the script: big-endian header, then raw bytes. */
function readIdx(name: string): { dims: number[]; data: Uint8Array } {
  const buf = gunzipSync(readFileSync(`${IDX_DIR}/${name}`));
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const ndim = buf[3];
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i));
  return { dims, data: buf.subarray(4 + 4 * ndim) };
}

function writeParquet(columns: Record<string, Vector>): Uint8Array {
  const table = new Table(columns);
  return parquetWasm.writeParquet(parquetWasm.Table.fromIPCStream(tableToIPC(table, 'stream')));
}

/** A well-formed table of n rows, each row's label r % 10 and image filled with r % 256; override columns to break it. */
function smallTable(n: number, override: Record<string, Vector | undefined> = {}): Uint8Array {
  const images = new Uint8Array(n * PX);
  for (let r = 0; r < n; r++) images.fill(r % 256, r * PX, (r + 1) * PX);
  const cols: Record<string, Vector | undefined> = {
    split: vectorFromArray(Array.from({ length: n }, (_, r) => (r % 2 ? 'test' : 'train')), new Utf8()),
    label: makeVector(Uint8Array.from({ length: n }, (_, r) => r % 10)),
    image: makeVector(makeData({ type: new FixedSizeBinary(PX), length: n, nullCount: 0, data: images })),
    ...override,
  };
  return writeParquet(Object.fromEntries(Object.entries(cols).filter(([, v]) => v !== undefined)) as Record<string, Vector>);
}

function countByClass(set: ImageSet): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const y of set.labels) counts[y]++;
  return counts;
}

describe('public/data/fashion-mnist-subset.parquet', () => {
  let bytes: Uint8Array;
  let data: FashionData;
  beforeAll(async () => {
    bytes = new Uint8Array(readFileSync(FILE));
    data = await loadFashion(bytes);
  });

  it('loadFashion(file) gives 1,000 train and 200 test images of each of the 10 classes', () => {
    expect(FASHION_CLASSES).toHaveLength(10);
    expect(data.train.n).toBe(10_000);
    expect(data.test.n).toBe(2_000);
    expect(data.train.images.byteLength).toBe(10_000 * PX);
    expect(data.test.images.byteLength).toBe(2_000 * PX);
    expect(countByClass(data.train)).toEqual(new Array(10).fill(1000));
    expect(countByClass(data.test)).toEqual(new Array(10).fill(200));
  });

  it('sha256Hex(file) equals the sha256 in public/data/README.md and node:crypto', async () => {
    const recorded = /sha256 \| `([0-9a-f]{64})`/.exec(readFileSync(README, 'utf8'))?.[1];
    const hex = await sha256Hex(bytes);
    expect(hex).toBe(recorded);
    expect(hex).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it.skipIf(!hasIdx)('every image and label equals the original IDX file at source_index', async () => {
    const table = await readParquet(bytes);
    const split = table.getChild('split')!;
    const source = table.getChild('source_index')!;
    for (const [name, prefix, total] of [['train', 'train', 60_000], ['test', 't10k', 10_000]] as const) {
      const images = readIdx(`${prefix}-images-idx3-ubyte.gz`);
      const labels = readIdx(`${prefix}-labels-idx1-ubyte.gz`);
      expect(images.dims).toEqual([total, 28, 28]);
      const set = data[name];
      const seen = new Set<number>();
      let j = 0;
      for (let r = 0; r < table.numRows; r++) {
        if (split.get(r) !== name) continue;
        const s = source.get(r) as number;
        seen.add(s);
        expect(set.labels[j]).toBe(labels.data[s]);
        // Compare as one buffer per row; expect() per pixel would be slow.
        const got = Buffer.from(set.images.subarray(j * PX, (j + 1) * PX));
        if (!got.equals(images.data.subarray(s * PX, (s + 1) * PX))) throw new Error(`${name} row ${j} (source ${s}) differs`);
        j++;
      }
      expect(j).toBe(set.n);
      expect(seen.size).toBe(set.n); // no image drawn twice
    }
  });

  it.skipIf(!hasIdx)('source_index is the draw the README describes, redone with src/lib/core/rng.ts', async () => {
    const table = await readParquet(bytes);
    const seed = Number(/Seed \| `(\d+)`/.exec(readFileSync(README, 'utf8'))?.[1]);
    for (const [name, prefix, perClass, stream] of [['train', 'train', 1000, 0], ['test', 't10k', 200, 1]] as const) {
      const labels = readIdx(`${prefix}-labels-idx1-ubyte.gz`).data;
      const rng = mulberry32(seed + stream);
      const want: number[] = [];
      for (let c = 0; c < 10; c++) {
        const idx = [...labels.keys()].filter((i) => labels[i] === c);
        want.push(...shuffleInPlace(idx, rng).slice(0, perClass));
      }
      want.sort((a, b) => a - b);
      const got: number[] = [];
      for (let r = 0; r < table.numRows; r++) if (table.getChild('split')!.get(r) === name) got.push(table.getChild('source_index')!.get(r));
      expect(got).toEqual(want);
    }
  });
});

describe('readParquet', () => {
  const good = new Uint8Array(readFileSync(FILE));

  it('readParquet(bytes that are not Parquet) rejects with DatasetError "not a Parquet file"', async () => {
    const junk = new TextEncoder().encode('label,image\n3,00ff00\n');
    await expect(readParquet(junk)).rejects.toThrow(DatasetError);
    await expect(readParquet(junk)).rejects.toThrow(/not a Parquet file/);
    await expect(readParquet(new Uint8Array(0))).rejects.toThrow(/not a Parquet file/);
  });

  it('readParquet(truncated file) rejects with DatasetError "corrupt Parquet file"', async () => {
    await expect(readParquet(good.subarray(0, good.byteLength >> 1))).rejects.toThrow(/corrupt Parquet file.*truncated/);
  });

  it('readParquet(file with overwritten pages or footer) rejects with DatasetError, and the module still reads good files after', async () => {
    const pages = good.slice();
    pages.fill(7, 1000, 200_000);
    await expect(readParquet(pages)).rejects.toThrow(/corrupt Parquet file: /);
    const footer = good.slice();
    footer.fill(7, footer.byteLength - 3000, footer.byteLength - 4);
    await expect(readParquet(footer)).rejects.toThrow(DatasetError);
    // A wasm trap can leave the instance unusable; check it does not here.
    expect((await readParquet(good)).numRows).toBe(12_000);
  });
});

describe('decodeFashion', () => {
  it('decodeFashion(a well-formed small table) routes rows by split and keeps row order', async () => {
    const { train, test } = await loadFashion(smallTable(6));
    expect(Array.from(train.labels)).toEqual([0, 2, 4]);
    expect(Array.from(test.labels)).toEqual([1, 3, 5]);
    expect([train.images[PX], test.images[2 * PX + 783]]).toEqual([2, 5]);
  });

  it('decodeFashion accepts variable-width binary images of 784 bytes', async () => {
    const imgs = Array.from({ length: 4 }, (_, r) => new Uint8Array(PX).fill(r));
    const { train } = await loadFashion(smallTable(4, { image: vectorFromArray(imgs, new Binary()) }));
    expect(Array.from(train.images.subarray(PX - 1, PX + 1))).toEqual([0, 2]);
  });

  const broken: [string, () => Uint8Array, RegExp][] = [
    ['a missing image column', () => smallTable(4, { image: undefined }), /missing column "image"/],
    ['a float label column', () => smallTable(4, { label: makeVector(new Float64Array([0, 1, 2, 3])) }), /column "label" must be an integer.*Float64/],
    ['a string image column', () => smallTable(2, { image: vectorFromArray(['a', 'b'], new Utf8()) }), /column "image" must be binary of 784 bytes/],
    [
      'fixed-size images of 100 bytes',
      () => smallTable(2, { image: makeVector(makeData({ type: new FixedSizeBinary(100), length: 2, nullCount: 0, data: new Uint8Array(200) })) }),
      /column "image" must be binary of 784 bytes, got FixedSizeBinary\[100\]/,
    ],
    [
      'a 783-byte image',
      () => smallTable(2, { image: vectorFromArray([new Uint8Array(PX), new Uint8Array(PX - 1)], new Binary()) }),
      /row 1: image has 783 bytes, expected 784/,
    ],
    ['label 10', () => smallTable(2, { label: makeVector(new Uint8Array([3, 10])) }), /row 1: label 10 is outside 0..9/],
    ['no test rows', () => smallTable(2, { split: vectorFromArray(['train', 'train'], new Utf8()) }), /split "test" has no rows/],
    ['an unknown split', () => smallTable(2, { split: vectorFromArray(['train', 'valid'], new Utf8()) }), /row 1: split is "valid"/],
    ['a numeric split column', () => smallTable(2, { split: makeVector(new Uint8Array([0, 1])) }), /column "split" must be a string/],
  ];
  it.each(broken)('loadFashion(table with %s) throws DatasetError naming it', async (_, make, message) => {
    const err = await loadFashion(make()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as Error).name).toBe('DatasetError');
    expect((err as Error).message).toMatch(message);
  });

  it('decodeFashion(table with a null label) throws DatasetError', () => {
    const label = vectorFromArray([1, null], new Uint8());
    const image = makeVector(makeData({ type: new FixedSizeBinary(PX), length: 2, nullCount: 0, data: new Uint8Array(2 * PX) }));
    const table = new Table({ split: vectorFromArray(['train', 'test'], new Utf8()), label, image });
    expect(() => decodeFashion(table)).toThrow(/column "label" has 1 null values/);
  });
});

describe('sha256Hex', () => {
  it('sha256Hex("abc") is the FIPS 180-2 example digest', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('splitValidation', () => {
  // 100 images per class; image i carries i in its first two bytes, so rows can be traced.
  const n = 1000;
  const set: ImageSet = { images: new Uint8Array(n * PX), labels: new Uint8Array(n), n };
  for (let i = 0; i < n; i++) {
    set.labels[i] = (i * 7) % 10;
    set.images[i * PX] = i & 255;
    set.images[i * PX + 1] = i >> 8;
  }
  const ids = (s: ImageSet) => Array.from({ length: s.n }, (_, j) => s.images[j * PX] | (s.images[j * PX + 1] << 8));

  it('splitValidation(set, 0.15, seed) holds out 15 of each class, disjoint, covering every row, in input order', () => {
    const { train, val } = splitValidation(set, 0.15, 7);
    expect(countByClass(val)).toEqual(new Array(10).fill(15));
    expect(countByClass(train)).toEqual(new Array(10).fill(85));
    const all = [...ids(train), ...ids(val)].sort((a, b) => a - b);
    expect(all).toEqual([...Array(n).keys()]);
    for (const s of [train, val]) {
      const t = ids(s);
      expect(t).toEqual([...t].sort((a, b) => a - b));
      t.forEach((id, j) => expect(s.labels[j]).toBe(set.labels[id]));
    }
  });

  it('splitValidation is reproducible for a seed and differs across seeds', () => {
    expect(ids(splitValidation(set, 0.2, 1).val)).toEqual(ids(splitValidation(set, 0.2, 1).val));
    expect(ids(splitValidation(set, 0.2, 1).val)).not.toEqual(ids(splitValidation(set, 0.2, 2).val));
  });

  it('splitValidation rejects fractions outside (0, 1)', () => {
    for (const f of [0, 1, -0.1, Number.NaN]) expect(() => splitValidation(set, f, 1)).toThrow(RangeError);
  });
});
