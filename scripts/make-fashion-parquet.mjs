// Builds public/data/fashion-mnist-subset.parquet: a fixed, class-stratified subset of
// Fashion-MNIST (10,000 train = 1,000 per class; 2,000 test = 200 per class) drawn with a seeded
// RNG from Debian's dataset-fashion-mnist IDX files. Same seed and same inputs give the same bytes.
//
//   npm run data            (or: node scripts/make-fashion-parquet.mjs [sourceDir])
//
// Rows are sorted by (split: train first, then source_index), so the file's order is the
// original files' order, which Zalando already shuffled across classes.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { FixedSizeBinary, Int32, Table, Uint8, Utf8, makeData, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { mulberry32, shuffleInPlace } from './rng.mjs';

const defaults = {
  sourceDir: '/usr/share/datasets/fashion-mnist',
  out: fileURLToPath(new URL('../public/data/fashion-mnist-subset.parquet', import.meta.url)),
  seed: 20250601,
  trainPerClass: 1000,
  testPerClass: 200,
};

const ROWS = 28;
const COLS = 28;
const PIXELS = ROWS * COLS;
const CLASSES = 10;
const IMAGE_MAGIC = 0x00000803; // IDX: unsigned byte, 3 dimensions
const LABEL_MAGIC = 0x00000801; // IDX: unsigned byte, 1 dimension

function readIdx(path, magic, dims) {
  const buf = gunzipSync(readFileSync(path));
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerBytes = 4 + 4 * dims.length;
  if (buf.byteLength < headerBytes) throw new Error(`${path}: too short for an IDX header`);
  const got = view.getUint32(0, false);
  if (got !== magic) throw new Error(`${path}: IDX magic 0x${got.toString(16)}, expected 0x${magic.toString(16)}`);
  const shape = dims.map((_, i) => view.getUint32(4 + 4 * i, false));
  dims.forEach((want, i) => {
    if (want !== null && shape[i] !== want) throw new Error(`${path}: dimension ${i} is ${shape[i]}, expected ${want}`);
  });
  const size = shape.reduce((a, b) => a * b, 1);
  if (buf.byteLength !== headerBytes + size) {
    throw new Error(`${path}: ${buf.byteLength - headerBytes} data bytes, expected ${size} for shape ${shape.join('x')}`);
  }
  return { count: shape[0], data: buf.subarray(headerBytes) };
}

function readSplit(sourceDir, prefix) {
  const images = readIdx(join(sourceDir, `${prefix}-images-idx3-ubyte.gz`), IMAGE_MAGIC, [null, ROWS, COLS]);
  const labels = readIdx(join(sourceDir, `${prefix}-labels-idx1-ubyte.gz`), LABEL_MAGIC, [images.count]);
  for (const l of labels.data) if (l >= CLASSES) throw new Error(`${prefix}: label ${l} outside 0..9`);
  return { images: images.data, labels: labels.data, count: images.count };
}

/** perClass source indices of each class, chosen uniformly without replacement; sorted ascending. */
function stratifiedSample(labels, perClass, rng) {
  const byClass = Array.from({ length: CLASSES }, () => []);
  labels.forEach((l, i) => byClass[l].push(i));
  const chosen = [];
  byClass.forEach((idx, c) => {
    if (idx.length < perClass) throw new Error(`class ${c} has ${idx.length} images, fewer than ${perClass}`);
    chosen.push(...shuffleInPlace(idx, rng).slice(0, perClass));
  });
  return chosen.sort((a, b) => a - b);
}

function main() {
  const sourceDir = process.argv[2] ?? defaults.sourceDir;
  const parts = [
    { split: 'train', ...readSplit(sourceDir, 'train'), perClass: defaults.trainPerClass, stream: 0 },
    { split: 'test', ...readSplit(sourceDir, 't10k'), perClass: defaults.testPerClass, stream: 1 },
  ];

  const splits = [];
  const labels = [];
  const sources = [];
  const imageChunks = [];
  for (const p of parts) {
    // One generator per split, so changing one split's size leaves the other's draw unchanged.
    const rng = mulberry32((defaults.seed + p.stream) >>> 0);
    for (const i of stratifiedSample(p.labels, p.perClass, rng)) {
      splits.push(p.split);
      labels.push(p.labels[i]);
      sources.push(i);
      imageChunks.push(p.images.subarray(i * PIXELS, (i + 1) * PIXELS));
    }
  }
  const n = splits.length;
  const images = new Uint8Array(n * PIXELS);
  imageChunks.forEach((img, r) => images.set(img, r * PIXELS));

  const table = new Table({
    split: vectorFromArray(splits, new Utf8()),
    label: makeVector(Uint8Array.from(labels)),
    image: makeVector(makeData({ type: new FixedSizeBinary(PIXELS), length: n, nullCount: 0, data: images })),
    source_index: makeVector(Int32Array.from(sources)),
  });
  check(table.schema.fields.map((f) => String(f.type)).join(','), [new Utf8(), new Uint8(), new FixedSizeBinary(PIXELS), new Int32()].map(String).join(','));

  // ZSTD: the esm (browser) and node builds of parquet-wasm ship the same .wasm binary, so a
  // codec that writes here reads in the browser. No dictionary for images: they are all distinct.
  const props = new parquet.WriterPropertiesBuilder()
    .setCompression(parquet.Compression.ZSTD)
    .setColumnDictionaryEnabled('image', false)
    .setMaxRowGroupSize(n)
    .build();
  const bytes = parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, 'stream')), props);

  mkdirSync(dirname(defaults.out), { recursive: true });
  writeFileSync(defaults.out, bytes);
  const sha = createHash('sha256').update(bytes).digest('hex');
  console.log(`${defaults.out}: ${n} rows, ${bytes.byteLength} bytes, sha256 ${sha}, seed ${defaults.seed}`);
}

function check(got, want) {
  if (got !== want) throw new Error(`schema ${got}, expected ${want}`);
}

main();
