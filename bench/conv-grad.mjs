// Training throughput of the training lab's CNN (batch 64, Adam) on tfjs's wasm backend, with
// the composed Conv2DBackpropFilter from src/lib/runtime/wasm-kernels.ts, against the cpu backend,
// plus where the wasm step spends its time. Plain Node: `node bench/conv-grad.mjs [runs]`.
// The TypeScript kernel module is loaded through Vite's module runner.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { runnerImport } from 'vite';

const BATCH = 64;
const RUNS = Number(process.argv[2] ?? 5);
const STEPS = { wasm: 5, cpu: 1 }; // steps per timed run; cpu is slow
const root = new URL('..', import.meta.url).pathname;

const { module: kernels } = await runnerImport('/src/lib/runtime/wasm-kernels.ts', { root, configFile: false, logLevel: 'error' });
kernels.registerWasmTrainingKernels();

const { module: models } = await runnerImport('/src/lib/ml/models.ts', { root, configFile: false, logLevel: 'error' });
/** The training lab's CNN, as the lab builds it. */
const cnn = () => models.buildModel('cnn', 1);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function bench(backend) {
  await tf.setBackend(backend);
  await tf.ready();
  tf.util.seedrandom?.('1');
  const model = cnn();
  const opt = tf.train.adam(1e-3);
  const x = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32', 2), 10);
  const step = () => {
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x)));
    opt.applyGradients(grads);
    const loss = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  };
  step(); // warm-up: creates optimizer slots and XNNPACK operators
  const tensorsAfterWarmup = tf.memory().numTensors;
  const rates = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let s = 0; s < STEPS[backend]; s++) step();
    rates.push((BATCH * STEPS[backend] * 1000) / (performance.now() - t0));
  }
  const leak = tf.memory().numTensors - tensorsAfterWarmup;
  let profile;
  if (backend === 'wasm') {
    const info = await tf.profile(step);
    const ms = {};
    for (const k of info.kernels) ms[k.name] = (ms[k.name] ?? 0) + k.kernelTimeMs;
    profile = Object.fromEntries(Object.entries(ms).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => [k, +v.toFixed(1)]));
  }
  tf.dispose([x, y]);
  opt.dispose();
  model.dispose();
  return { backend, samplesPerSec: Math.round(median(rates)), runs: rates.map(Math.round), tensorLeakPerRun: leak, profileMs: profile };
}

const wasm = await bench('wasm');
const cpu = await bench('cpu');
console.log(JSON.stringify({
  model: 'conv16-pool-conv32-pool-dense128-dense10', batch: BATCH, optimizer: 'adam', node: process.version,
  wasmThreads: getThreadsCount(), wasmSimd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
  wasm, cpu, ratio: +(wasm.samplesPerSec / cpu.samplesPerSec).toFixed(1),
}, null, 2));
