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
import { deriveSeed, mulberry32, permutation } from '../core/rng';
import type { FashionData } from '../data/fashion';
import { checkpointModelBlocks, measureCheckpointing, type CheckpointMeasurement, type CheckpointMode } from '../distributed/checkpoint';
import { batchOf, disposeBatches, toArrays } from '../distributed/data';
import { evaluateNet } from '../distributed/executor';
import { HIST_MAX_EXP, HIST_MIN_EXP, MixedPrecisionTrainer } from '../distributed/mixed';
import { deepNet, glorotParams, labInitialParams, labNet, type Net } from '../distributed/net';
import type { ComputePrecision } from '../distributed/precision';
import { BatchPlan } from '../distributed/sampler';

import { type MemoryPrecisionSettings, validate } from './memory-precision-fields';
export * from './memory-precision-fields';

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
