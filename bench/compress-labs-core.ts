/**
 * The quantization and distillation labs' accuracy figures as BENCHMARKS.md reports them: the one
 * compression service (compress/service.ts) in Node on tfjs-wasm, with no training run of the
 * learner's, so the one default base (compress/base.ts DEFAULT_BASE) is trained and saved first,
 * then each lab at its default settings, every variant measured by CompressKit.measure on the
 * 2,000 fixed test images. `node bench/compress-labs.mjs` runs it.
 */
import { readFileSync } from 'node:fs';
import '../test/lib/ml/tf-node.ts';
import { CompressService } from '../src/lib/compress/service.ts';
import { MemoryRunStore } from '../src/lib/store/index.ts';
import { DEFAULT_FIELDS } from '../src/lib/compress/labs/settings.ts';

export async function measure(log: (s: string) => void = () => {}) {
  const url = 'http://bench.invalid/fashion.parquet';
  const bytes = readFileSync(new URL('../public/data/fashion-mnist-subset.parquet', import.meta.url));
  globalThis.fetch = (async (u: string) => (u === url ? new Response(bytes) : new Response('no', { status: 404 }))) as typeof fetch;
  const service = new CompressService({}, 'bench', new MemoryRunStore());
  await service.init({ datasetUrl: url, backend: 'wasm' });
  const base = await service.loadBase({}, (p) => log(p.stage));
  const q = await service.run('quantize', DEFAULT_FIELDS.quantize, (p) => log(p.stage));
  const d = await service.run('distill', DEFAULT_FIELDS.distill, (p) => log(p.stage));
  return {
    base: { name: base.name, accuracy: base.accuracy, bytes: base.bytes, trainedNow: base.trainedNow },
    quantize: q.result.variants.map((v) => ({ key: v.key, accuracy: v.accuracy, bytes: v.bytes, latencyMs: v.latencyMs })),
    distill: { teacher: d.result.teacher, students: d.result.students.map((s) => ({ key: s.key, accuracy: s.accuracy, bytes: s.bytes, sizeFraction: s.sizeFraction })) },
  };
}

/** Measured while the module loads: vite's runnerImport closes its module runner once the import resolves, and the engine imports its backend dynamically. */
export const figures = await measure((s) => process.stderr.write(`${s}\n`));
