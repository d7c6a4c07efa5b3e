/**
 * The memory and precision lab's runs, one experiment per run.
 *
 * 'checkpointing': a deep MLP (depth hidden blocks of width units) takes real steps with no
 * checkpointing (one tape) and with checkpoints every k blocks for k across 1..n; each mode's peak
 * tensor memory (tf.profile) and median step time, set against the ⌈n/k⌉ + k count of the √n rule.
 *
 * 'precision': the training lab's MLP (or the deep MLP) trained with fp16 or bf16 emulated exactly
 * (fp32 master weights, rounded weights, activations and gradients) and loss scaling none, static
 * or dynamic; per step the share of weight gradients that underflowed to zero, overflow skips and
 * the scale; beside the same updates in fp32.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TaskContext } from '../core/task';
import { SettingsError, checkFields, type Field } from '../core/fields';
import { deriveSeed, mulberry32, permutation } from '../core/rng';
import type { FashionData } from '../data/fashion';
import { checkpointModelBlocks, measureCheckpointing, type CheckpointMeasurement, type CheckpointMode } from '../distributed/checkpoint';
import { batchOf, disposeBatches, toArrays } from '../distributed/data';
import { evaluateNet } from '../distributed/executor';
import { HIST_MAX_EXP, HIST_MIN_EXP, MixedPrecisionTrainer } from '../distributed/mixed';
import { deepNet, glorotParams, labInitialParams, labNet, type Net } from '../distributed/net';
import type { ComputePrecision } from '../distributed/precision';
import type { LossScaling } from '../distributed/scaler';
import { BatchPlan } from '../distributed/sampler';

export interface MemoryPrecisionSettings {
  experiment: 'checkpointing' | 'precision';
  depth: number;
  width: number;
  batch: number;
  repeats: number;
  model: 'mlp' | 'deep';
  precision: ComputePrecision;
  scaling: LossScaling;
  initScale: number;
  growthInterval: number;
  steps: number;
  batchSize: number;
  learningRate: number;
  compareFp32: boolean;
  trainSize: number;
  seed: number;
}

export const DEFAULTS: MemoryPrecisionSettings = {
  experiment: 'checkpointing', depth: 12, width: 256, batch: 256, repeats: 1,
  model: 'mlp', precision: 'fp16', scaling: 'none', initScale: 65536, growthInterval: 50, steps: 60, batchSize: 64, learningRate: 0.001, compareFp32: true, trainSize: 4000, seed: 42,
};

export const FIELDS: Field[] = [
  { key: 'experiment', label: 'Experiment', kind: 'choice', options: [{ value: 'checkpointing', label: 'Activation checkpointing' }, { value: 'precision', label: 'Mixed precision' }], explain: 'Trade memory for recompute, or bits for range.' },
  { key: 'depth', label: 'Depth (blocks)', kind: 'number', group: 'Checkpointing', min: 2, max: 48, step: 1, integer: true, explain: 'Hidden dense+ReLU blocks of the deep MLP (n = depth + 1 with the output block).' },
  { key: 'width', label: 'Width', kind: 'number', min: 32, max: 1024, step: 1, integer: true, explain: 'Units per block: one block\'s activations are batch × width × 4 bytes.' },
  { key: 'batch', label: 'Batch', kind: 'number', min: 16, max: 2048, step: 1, integer: true, explain: 'Examples per step: activations grow with it, weights do not.' },
  { key: 'repeats', label: 'Timed steps per mode', kind: 'number', min: 1, max: 10, step: 1, integer: true, explain: 'Steps timed for each mode (the median is shown) after one warm-up and one profiled step.' },
  { key: 'model', label: 'Model', kind: 'choice', group: 'Precision', options: [{ value: 'mlp', label: 'Training lab MLP' }, { value: 'deep', label: 'Deep MLP (depth × width above)' }], explain: 'Deeper nets have smaller gradients in early layers, closer to fp16\'s floor.' },
  { key: 'precision', label: 'Precision', kind: 'choice', options: [{ value: 'fp16', label: 'fp16' }, { value: 'bf16', label: 'bf16' }, { value: 'fp32', label: 'fp32' }], explain: 'fp16: 10 mantissa bits, range 6e-8 to 65504; bf16: 7 mantissa bits, fp32\'s range.' },
  { key: 'scaling', label: 'Loss scaling', kind: 'choice', options: [{ value: 'none', label: 'None' }, { value: 'static', label: 'Static' }, { value: 'dynamic', label: 'Dynamic' }], explain: 'Multiply the loss by S so small gradients stay above fp16\'s floor; dynamic halves S on overflow and skips the step.' },
  { key: 'initScale', label: 'Loss scale S', kind: 'number', min: 1, max: 2 ** 40, step: 1, explain: 'The static scale, or where the dynamic one starts (PyTorch starts at 65,536).' },
  { key: 'growthInterval', label: 'Growth interval', kind: 'number', min: 1, max: 2000, step: 1, integer: true, advanced: true, explain: 'Dynamic scaling doubles S after this many steps without overflow.' },
  { key: 'steps', label: 'Updates', kind: 'number', min: 1, max: 500, step: 1, integer: true, explain: 'Optimizer updates to run.' },
  { key: 'batchSize', label: 'Batch size', kind: 'number', min: 1, max: 512, step: 1, integer: true, explain: 'Images per update.' },
  { key: 'learningRate', label: 'Learning rate', kind: 'number', min: 1e-5, max: 1, step: 0.0001, explain: 'Adam\'s step size.' },
  { key: 'compareFp32', label: 'Compare with fp32', kind: 'boolean', explain: 'Run the same updates in fp32 to see what the precision cost.' },
  { key: 'trainSize', label: 'Training images', kind: 'number', min: 256, max: 9000, step: 1, integer: true, advanced: true, explain: 'A seeded subset of the training images.' },
  { key: 'seed', label: 'Seed', kind: 'number', min: 0, max: 2 ** 31 - 1, step: 1, integer: true, explain: 'Fixes the initial weights and the batches.' },
];

export function validate(s: MemoryPrecisionSettings): void {
  checkFields(FIELDS, s);
  if (s.experiment === 'precision' && s.batchSize > s.trainSize) throw new SettingsError('batchSize', `Batch size (${s.batchSize}) is more than the ${s.trainSize} training images.`);
  if (s.experiment === 'checkpointing' && s.depth * s.width * s.batch > 16 * 1024 * 2048) throw new SettingsError('batch', `depth × width × batch is ${(s.depth * s.width * s.batch).toLocaleString('en')}: keep it under 33,554,432 (about 128 MB of activations) so a step fits in a browser tab.`);
}

/** The k values swept: powers of two below n, ⌊√n⌋ and ⌈√n⌉, and n itself. */
export function checkpointModes(n: number): CheckpointMode[] {
  const ks = new Set<number>();
  for (let k = 1; k < n; k *= 2) ks.add(k);
  ks.add(Math.max(1, Math.floor(Math.sqrt(n))));
  ks.add(Math.ceil(Math.sqrt(n)));
  ks.add(n);
  return ['none', ...[...ks].sort((a, b) => a - b)];
}

export interface CheckpointingResult {
  blocks: number;
  /** Bytes of one hidden block's activations (batch × width × 4). */
  blockBytes: number;
  rows: CheckpointMeasurement[];
  bestK: number;
}

export interface PrecisionResult {
  loss: Float32Array;
  accuracy: Float32Array;
  scale: Float32Array;
  skipped: Uint8Array;
  underflow: Float32Array;
  subnormal: Float32Array;
  /** Exponent histograms of the loss-scaled weight gradients, first step and all steps summed. */
  histFirst: Uint32Array;
  histAll: Uint32Array;
  histMinExp: number;
  testAccuracy: number;
  fp32?: { loss: Float32Array; testAccuracy: number };
}

export interface MemoryPrecisionResult {
  settings: MemoryPrecisionSettings;
  checkpointing?: CheckpointingResult;
  precision?: PrecisionResult;
  wallMs: number;
  summary: Record<string, number | string>;
}

async function runCheckpointing(ctx: TaskContext, s: MemoryPrecisionSettings, data: FashionData): Promise<CheckpointingResult> {
  const net = deepNet(s.depth, s.width);
  const params = glorotParams(net, s.seed);
  const train = toArrays(data.train);
  const rows = permutation(train.n, mulberry32(deriveSeed(s.seed, 998))).subarray(0, s.batch);
  const batch = batchOf(train, Array.from({ length: s.batch }, (_, i) => rows[i % rows.length]), [784]);
  try {
    const modes = checkpointModes(net.blocks.length);
    const out: CheckpointMeasurement[] = [];
    for (const [i, m] of modes.entries()) {
      ctx.checkStop();
      ctx.progress(i / modes.length, m === 'none' ? 'no checkpointing' : `a checkpoint every ${m} blocks`);
      out.push(await measureCheckpointing(net, params, batch, m, s.repeats));
    }
    const ck = out.filter((r) => r.mode !== 'none');
    const best = ck.reduce((a, b) => (b.peakBytes < a.peakBytes ? b : a));
    return { blocks: net.blocks.length, blockBytes: s.batch * s.width * 4, rows: out, bestK: best.mode as number };
  } finally {
    disposeBatches([batch]);
  }
}

async function trainPrecision(ctx: TaskContext, s: MemoryPrecisionSettings, data: FashionData, precision: ComputePrecision, from: number, to: number): Promise<{ steps: Awaited<ReturnType<MixedPrecisionTrainer['step']>>[]; testAccuracy: number }> {
  const net: Net = s.model === 'mlp' ? labNet('mlp') : deepNet(s.depth, s.width);
  const initial = s.model === 'mlp' ? labInitialParams('mlp', s.seed) : glorotParams(net, s.seed);
  const train = toArrays(data.train);
  const subset = permutation(train.n, mulberry32(deriveSeed(s.seed, 999))).slice(0, Math.min(s.trainSize, train.n));
  const plan = new BatchPlan({ size: subset.length, ranks: 1, batch: s.batchSize, accumSteps: 1, seed: s.seed });
  const scaling = precision === 'fp32' ? { mode: 'none' as const } : { mode: s.scaling, initScale: s.initScale, growthInterval: s.growthInterval };
  const tr = new MixedPrecisionTrainer(net, initial, precision, { kind: 'adam', learningRate: s.learningRate }, scaling);
  const steps = [];
  for (let u = 0; u < s.steps; u++) {
    ctx.checkStop();
    const b = batchOf(train, plan.rows(0, u, 0).map((i) => subset[i]), [784]);
    steps.push(await tr.step(b));
    disposeBatches([b]);
    ctx.progress(from + ((to - from) * (u + 1)) / s.steps, `${precision}: update ${u + 1} of ${s.steps}`);
  }
  const test = toArrays(data.test);
  const ev = await evaluateNet(net, tr.computeWeights(), test.pixels, test.labels);
  return { steps, testAccuracy: ev.accuracy };
}

async function runPrecision(ctx: TaskContext, s: MemoryPrecisionSettings, data: FashionData): Promise<PrecisionResult> {
  const compare = s.compareFp32 && s.precision !== 'fp32';
  const main = await trainPrecision(ctx, s, data, s.precision, 0, compare ? 0.6 : 1);
  const ref = compare ? await trainPrecision(ctx, s, data, 'fp32', 0.6, 1) : undefined;
  const histAll = new Uint32Array(HIST_MAX_EXP - HIST_MIN_EXP + 1);
  for (const st of main.steps) st.exponentHistogram.forEach((c, i) => (histAll[i] += c));
  const col = <T>(f: (x: (typeof main.steps)[number]) => T) => main.steps.map(f);
  return {
    loss: Float32Array.from(col((x) => x.loss)), accuracy: Float32Array.from(col((x) => x.correct / x.examples)), scale: Float32Array.from(col((x) => x.scale)),
    skipped: Uint8Array.from(col((x) => (x.skipped ? 1 : 0))), underflow: Float32Array.from(col((x) => x.underflowFraction)), subnormal: Float32Array.from(col((x) => x.subnormalFraction)),
    histFirst: main.steps[0].exponentHistogram, histAll, histMinExp: HIST_MIN_EXP, testAccuracy: main.testAccuracy,
    ...(ref ? { fp32: { loss: Float32Array.from(ref.steps.map((x) => x.loss)), testAccuracy: ref.testAccuracy } } : {}),
  };
}

const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export async function run(ctx: TaskContext, s: MemoryPrecisionSettings, deps: { data: FashionData }): Promise<MemoryPrecisionResult> {
  validate(s);
  const t0 = performance.now();
  await tf.ready();
  if (s.experiment === 'checkpointing') {
    const c = await runCheckpointing(ctx, s, deps.data);
    const none = c.rows.find((r) => r.mode === 'none')!;
    const best = c.rows.find((r) => r.mode === c.bestK)!;
    const every = c.rows.find((r) => r.mode === 1)!;
    const summary = {
      experiment: 'checkpointing', blocks: c.blocks, blockBytes: c.blockBytes, bestK: c.bestK, sqrtN: Math.sqrt(c.blocks), nonePeak: none.peakBytes, bestPeak: best.peakBytes, everyPeak: every.peakBytes,
      noneMs: none.stepMs, bestMs: best.stepMs, memorySaving: none.peakBytes > 0 ? 1 - best.peakBytes / none.peakBytes : 0, timeCost: none.stepMs > 0 ? best.stepMs / none.stepMs - 1 : 0,
      bestModelBlocks: checkpointModelBlocks(c.blocks, c.bestK),
    };
    return { settings: s, checkpointing: c, wallMs: performance.now() - t0, summary };
  }
  const p = await runPrecision(ctx, s, deps.data);
  const summary: Record<string, number | string> = {
    experiment: 'precision', testAcc: p.testAccuracy, meanUnderflow: mean(p.underflow), maxUnderflow: Math.max(...p.underflow), meanSubnormal: mean(p.subnormal),
    skippedSteps: p.skipped.reduce((a, b) => a + b, 0), finalScale: p.scale[p.scale.length - 1], finalLoss: p.loss[p.loss.length - 1],
    ...(p.fp32 ? { fp32TestAcc: p.fp32.testAccuracy, accuracyCost: p.fp32.testAccuracy - p.testAccuracy } : {}),
  };
  return { settings: s, precision: p, wallMs: performance.now() - t0, summary };
}
