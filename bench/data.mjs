// The lab's data as raw arrays for the PyTorch reference (the system python has no Parquet
// reader): the committed Parquet file decoded by the lab's own reader, the same 9,000/1,000
// train/validation split as the training worker, written as uint8 files into `dir`.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { runnerImport } from 'vite';

const root = new URL('..', import.meta.url).pathname;
/** As in src/lib/ml/service.ts: every run validates on the same 10% of the training images. */
const VALIDATION_FRACTION = 0.1;
const VALIDATION_SEED = 2024;

export async function writeFashionArrays(dir) {
  const { module: fashion } = await runnerImport('/src/lib/data/fashion.ts', { root, configFile: false, logLevel: 'error' });
  const bytes = new Uint8Array(await readFile(`${root}public/data/fashion-mnist-subset.parquet`));
  const data = await fashion.loadFashion(bytes);
  const { train } = fashion.splitValidation(data.train, VALIDATION_FRACTION, VALIDATION_SEED);
  await mkdir(dir, { recursive: true });
  await writeFile(`${dir}/train_x.u8`, train.images);
  await writeFile(`${dir}/train_y.u8`, train.labels);
  await writeFile(`${dir}/test_x.u8`, data.test.images);
  await writeFile(`${dir}/test_y.u8`, data.test.labels);
  return { train: train.n, test: data.test.n };
}
