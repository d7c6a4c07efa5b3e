/**
 * The Node side of the `quantdistill` bench section (loaded through vite's runnerImport so one
 * module graph holds tfjs and its backends): the cost of quantization-aware training per update
 * against a float update, and int8 against float32 ONNX files in onnxruntime-node.
 */
import * as ort from 'onnxruntime-node';
import { useBackend } from '../test/lib/ml/tf-node.ts';
import { syntheticImages } from '../test/lib/ml/fixtures.ts';
import { buildModel } from '../src/lib/ml/models.ts';
import { fakeQuant, type Images } from '../src/lib/compress/labs/fit.ts';
import { fitEpochs } from '../src/lib/ml/loop.ts';
import { exportOnnx } from '../src/lib/onnx/export.ts';
import type { QuantPlan } from '../src/lib/compress/qat.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** ms per update of the MLP at batch 64 on tfjs-wasm: one epoch of 1,280 images (20 updates). */
async function updateMs(plan: QuantPlan | undefined, seed: number): Promise<number> {
  const s = syntheticImages(1280, 3);
  const data: Images = { pixels: Float32Array.from(s.images, (v) => v / 255), labels: s.labels, n: s.n };
  const m = buildModel('mlp', 1);
  const t0 = performance.now();
  await fitEpochs(m, data, [784], { epochs: 1, batchSize: 64, learningRate: 1e-3, seed, forward: fakeQuant(plan) });
  const ms = (performance.now() - t0) / 20;
  m.dispose();
  return ms;
}

/** Median ms per run of an ONNX file in onnxruntime-node (1 thread), each sample at least 5 ms of back-to-back runs. */
async function ortMs(bytes: Uint8Array, batch: number, samples: number): Promise<number[]> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const x = new ort.Tensor('float32', new Float32Array(batch * 784).map((_, i) => (i % 255) / 255), [batch, 784]);
  const once = () => session.run({ input: x });
  for (let i = 0; i < 20; i++) await once();
  let per = 1;
  for (let t = 0; ; per *= 2) {
    const t0 = performance.now();
    for (let i = 0; i < per; i++) await once();
    t = performance.now() - t0;
    if (t >= 5) break;
  }
  const out: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let i = 0; i < per; i++) await once();
    out.push((performance.now() - t0) / per);
  }
  await session.release();
  return out;
}

export async function measure(log: (...a: unknown[]) => void) {
  await useBackend('wasm');
  // Three paths, interleaved so a slow spell of the shared machine hits all alike: model.apply
  // (tfjs-layers), quantizedApply with an empty plan (the same ops QAT runs, minus the rounding),
  // and int4 per-channel QAT. The first round warms up and is dropped.
  const paths: Record<string, QuantPlan | undefined> = { layers: undefined, ops: {}, qat4: { weights: { bits: 4, granularity: 'channel' } } };
  const update: Record<string, number[]> = { layers: [], ops: [], qat4: [] };
  for (let r = 0; r <= 5; r++) for (const [k, plan] of Object.entries(paths)) {
    const ms = await updateMs(plan, r);
    if (r > 0) update[k].push(ms);
  }
  log(`update ms: ${Object.entries(update).map(([k, v]) => `${k} ${v.map((x) => x.toFixed(2)).join(', ')}`).join('; ')}`);
  const model = buildModel('mlp', 1);
  const files = { float: exportOnnx(model), int8: exportOnnx(model, { weights: 'int8' }) };
  model.dispose();
  const ortRes: Record<string, Record<string, number[]>> = {};
  for (const batch of [1, 64]) {
    ortRes[batch] = {};
    // Interleaved, so a slow spell of the shared machine hits both files alike.
    const f: number[] = [], q: number[] = [];
    for (let r = 0; r < 5; r++) {
      f.push(median(await ortMs(files.float, batch, 5)));
      q.push(median(await ortMs(files.int8, batch, 5)));
    }
    ortRes[batch] = { float: f, int8: q };
    log(`ort batch ${batch}: float ${f.map((x) => x.toFixed(4)).join(', ')} ms; int8 ${q.map((x) => x.toFixed(4)).join(', ')} ms`);
  }
  return { update, ort: ortRes, bytes: { float: files.float.length, int8: files.int8.length } };
}
