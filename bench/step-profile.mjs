// Where one training update of the training lab goes on tfjs's wasm backend (1 thread, SIMD), and
// how fast the trainer's hot loop runs (batch assembled, `accumulatedStep`: forward, backward,
// Adam; loss and correct read back), before and after the step-overhead work, in one run:
//   node bench/step-profile.mjs [reps] [--baseline=<git rev>] [--json=path]
// 'before' is src/lib/ml/{models,step}.ts at the baseline commit (default 6da6d9d) with the old
// loop (tf.gather of the batch, two readbacks) and tfjs's own wasm matmul kernels; 'after' is the
// working tree with the trainer's current loop. Phases alternate (before, after, before, after)
// so machine noise hits both. Prints samples/s (median of all timed repetitions after warm-up)
// for MLP batch 128 and 64 and CNN batch 64, per-kernel profiles (tf.profile, mean of 5 updates)
// and the wall time of each piece of an MLP-128 update. TypeScript loads through Vite's runner.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { runnerImport } from 'vite';

const REPS = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 7);
const JSON_OUT = process.argv.find((a) => a.startsWith('--json='))?.slice(7);
const N = 4096; // training images held as one tensor, as in the trainer
const BASELINE = process.argv.find((a) => a.startsWith('--baseline='))?.slice(11) ?? '6da6d9d';
const root = new URL('..', import.meta.url).pathname;
const load = async (p) => (await runnerImport(p, { root, configFile: false, logLevel: 'error' })).module;

await tf.setBackend('wasm');
await tf.ready();
(await load('/src/lib/runtime/wasm-kernels.ts')).registerWasmTrainingKernels();
// tfjs's own matmul kernels, to put back for the 'before' phases (the 'after' buildModel patches them).
const originalKernels = [tf.BatchMatMul, tf._FusedMatMul].map((k) => tf.getKernel(k, 'wasm'));
function restoreOriginalKernels() {
  for (const k of originalKernels) {
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel(k);
  }
}

// The baseline modules, copied out of git beside node_modules so their imports still resolve.
const baseDir = `${root}node_modules/.cache/step-profile`;
mkdirSync(baseDir, { recursive: true });
for (const f of ['models', 'step']) {
  const src = execFileSync('git', ['show', `${BASELINE}:src/lib/ml/${f}.ts`], { cwd: root, encoding: 'utf8' })
    .replace("from './config'", "from '/src/lib/ml/config'").replace("from '../core/rng'", "from '/src/lib/core/rng'");
  writeFileSync(`${baseDir}/${f}.ts`, src);
}
const impl = {
  before: { ...(await load('/node_modules/.cache/step-profile/models.ts')), ...(await load('/node_modules/.cache/step-profile/step.ts')), oldLoop: true },
  after: { ...(await load('/src/lib/ml/models.ts')), ...(await load('/src/lib/ml/step.ts')), oldLoop: false },
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function data() {
  let s = 12345;
  const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const images = Float32Array.from({ length: N * 784 }, () => Math.floor(rnd() * 256) / 255);
  const labels = Int32Array.from({ length: N }, () => Math.floor(rnd() * 10));
  return { x: tf.tensor2d(images, [N, 784]), y: tf.tensor1d(labels, 'int32'), xs: images, ys: labels };
}

/** The trainer's per-update work (trainer.ts loop), k = 1: the old loop or the current one. */
function makeUpdate(v, kind, b, t) {
  const { buildModel, buildOptimizer, inputShape, accumulatedStep } = impl[v];
  if (v === 'before') restoreOriginalKernels();
  const shape = inputShape(kind);
  const model = buildModel(kind, 1);
  const optimizer = buildOptimizer('adam', 1e-3);
  let at = 0;
  const next = () => {
    const idx = new Int32Array(b);
    for (let i = 0; i < b; i++) idx[i] = (at + i * 7) % N;
    at = (at + b) % N;
    return idx;
  };
  const oldUpdate = async () => {
    const idxT = tf.tensor1d(next(), 'int32');
    const x = tf.gather(t.x, idxT);
    const batch = { x: shape.length === 1 ? x : tf.reshape(x, [b, ...shape]), y: tf.gather(t.y, idxT) };
    if (shape.length !== 1) x.dispose();
    idxT.dispose();
    const res = accumulatedStep(model, optimizer, [batch]);
    tf.dispose([batch.x, batch.y]);
    const loss = (await res.loss.data())[0];
    const correct = (await res.correct.data())[0];
    tf.dispose([res.loss, res.correct]);
    return { loss, correct };
  };
  const newUpdate = async () => {
    const idx = next();
    const xb = new Float32Array(b * 784);
    const yb = new Int32Array(b);
    for (let i = 0; i < b; i++) {
      xb.set(t.xs.subarray(idx[i] * 784, (idx[i] + 1) * 784), i * 784);
      yb[i] = t.ys[idx[i]];
    }
    const batch = { x: tf.tensor(xb, [b, ...shape]), y: tf.tensor1d(yb, 'int32') };
    const res = accumulatedStep(model, optimizer, [batch]);
    tf.dispose([batch.x, batch.y]);
    const both = tf.stack([res.loss, res.correct]);
    tf.dispose([res.loss, res.correct]);
    const [loss, correct] = await both.data();
    both.dispose();
    return { loss, correct };
  };
  return { model, optimizer, update: impl[v].oldLoop ? oldUpdate : newUpdate, dispose: () => (model.dispose(), optimizer.dispose()) };
}

/** Samples/s of `reps` timed repetitions of `updatesPerRep` updates, after 5 warm-up updates. */
async function throughput(v, kind, b, t, updatesPerRep, reps) {
  const u = makeUpdate(v, kind, b, t);
  for (let i = 0; i < 5; i++) await u.update();
  const before = tf.memory().numTensors;
  const rates = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < updatesPerRep; i++) await u.update();
    rates.push((updatesPerRep * b * 1000) / (performance.now() - t0));
  }
  const leak = tf.memory().numTensors - before;
  u.dispose();
  if (leak !== 0) throw new Error(`${v} ${kind} ${b}: ${leak} tensors leaked`);
  return rates;
}

async function kernelProfile(v, kind, b, t) {
  const u = makeUpdate(v, kind, b, t);
  for (let i = 0; i < 5; i++) await u.update();
  const byKernel = {};
  let total = 0;
  let count = 0;
  const P = 5;
  for (let p = 0; p < P; p++) {
    const info = await tf.profile(() => u.update());
    for (const k of info.kernels) {
      const e = (byKernel[k.name] ??= { ms: 0, count: 0 });
      e.ms += k.kernelTimeMs / P;
      e.count += 1 / P;
      total += k.kernelTimeMs / P;
      count += 1 / P;
    }
  }
  u.dispose();
  const top = Object.entries(byKernel).sort((a, b) => b[1].ms - a[1].ms).map(([name, e]) => ({ name, ms: +e.ms.toFixed(3), count: Math.round(e.count) }));
  return { kernelMsTotal: +total.toFixed(2), kernelCount: Math.round(count), kernels: top };
}

/** Each piece of the MLP update timed on its own (wasm kernels run synchronously). */
async function pieces(v, b, t) {
  const u = makeUpdate(v, 'mlp', b, t);
  const { crossEntropy } = impl[v];
  for (let i = 0; i < 5; i++) await u.update();
  const { model, optimizer } = u;
  const vars = model.trainableWeights.map((w) => w.read());
  const idxT = tf.tensor1d(Int32Array.from({ length: b }, (_, i) => (i * 7) % N), 'int32');
  const x = tf.gather(t.x, idxT);
  const y = tf.gather(t.y, idxT);
  const R = 30;
  const time = (f) => {
    const ms = [];
    for (let r = 0; r < R; r++) {
      const t0 = performance.now();
      tf.dispose(f());
      ms.push(performance.now() - t0);
    }
    return +median(ms).toFixed(3);
  };
  const logits = model.apply(x, { training: true });
  const grads = tf.variableGrads(() => crossEntropy(model.apply(x, { training: true }), y), vars).grads;
  const named = vars.map((v) => ({ name: v.name, tensor: grads[v.name] }));
  const out = {
    gatherBatch: time(() => [tf.gather(t.x, idxT), tf.gather(t.y, idxT)]),
    forward: time(() => model.apply(x, { training: true })),
    lossOnly: time(() => crossEntropy(logits, y)),
    correctArgMax: time(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(y, 'int32')), 'float32'))),
    forwardAndBackward: time(() => {
      const r = tf.variableGrads(() => crossEntropy(model.apply(x, { training: true }), y), vars);
      return [r.value, ...Object.values(r.grads)];
    }),
    scaleGradsBy1: time(() => vars.map((v) => tf.mul(grads[v.name], 1))),
    adamApply: time(() => (optimizer.applyGradients(named), [])),
    readback: time(() => {
      const s = tf.scalar(1);
      s.dataSync();
      return [s];
    }),
    fullUpdate: 0,
  };
  const ms = [];
  for (let r = 0; r < R; r++) {
    const t0 = performance.now();
    await u.update();
    ms.push(performance.now() - t0);
  }
  out.fullUpdate = +median(ms).toFixed(3);
  tf.dispose([idxT, x, y, logits, ...Object.values(grads)]);
  u.dispose();
  return out;
}

const t = data();
const configs = [['mlp', 128, 20], ['mlp', 64, 30], ['cnn', 64, 4]];
const rates = { before: configs.map(() => []), after: configs.map(() => []) };
const half = Math.ceil(REPS / 2);
for (let phase = 0; phase < 2; phase++) {
  for (const v of ['before', 'after']) {
    for (const [i, [kind, b, n]] of configs.entries()) rates[v][i].push(...(await throughput(v, kind, b, t, n, phase === 0 ? half : REPS - half)));
  }
}
const summary = configs.map(([kind, b], i) => {
  const [before, after] = [median(rates.before[i]), median(rates.after[i])];
  return { model: kind, batch: b, beforeSamplesPerSec: Math.round(before), afterSamplesPerSec: Math.round(after), speedup: +(after / before).toFixed(2), beforeRuns: rates.before[i].map(Math.round), afterRuns: rates.after[i].map(Math.round) };
});
const detail = {};
for (const v of ['before', 'after']) {
  detail[v] = { piecesMlp128Ms: await pieces(v, 128, t), profileMlp128: await kernelProfile(v, 'mlp', 128, t), profileCnn64: await kernelProfile(v, 'cnn', 64, t) };
}
tf.dispose([t.x, t.y]);
const result = { node: process.version, wasmThreads: getThreadsCount(), wasmSimd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), baseline: BASELINE, repsPerVariant: REPS, throughput: summary, ...detail };
const top = (p, n) => `${p.kernelMsTotal} ms in ${p.kernelCount} kernels: ` + p.kernels.slice(0, n).map((k) => `${k.name} ${k.ms}(${k.count})`).join(', ');
for (const r of summary) console.log(`${r.model} batch ${r.batch}: ${r.beforeSamplesPerSec} -> ${r.afterSamplesPerSec} samples/s (x${r.speedup})`);
for (const v of ['before', 'after']) {
  console.log(`\n[${v}] pieces of an MLP-128 update (ms): ${JSON.stringify(detail[v].piecesMlp128Ms)}`);
  console.log(`[${v}] MLP-128 profile: ${top(detail[v].profileMlp128, 12)}`);
  console.log(`[${v}] CNN-64 profile: ${top(detail[v].profileCnn64, 10)}`);
}
if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(result, null, 2) + '\n');
