/**
 * The ZeRO/FSDP lab's run: N ranks train the training lab's model with one sharding strategy (plain
 * data parallel = NO_SHARD, ZeRO-1, ZeRO-2, SHARD_GRAD_OP, ZeRO-3 = FULL_SHARD), in fp32 or emulated
 * mixed precision, optionally with the optimizer offloaded to a host endpoint. Every rank's memory
 * is counted from the buffers it holds and set beside the ZeRO formula; its bytes sent per step
 * beside the ring formula; and, to show the sharding changes nothing about the math, the same run
 * under plain data parallelism is compared weight by weight.
 */
import { sliceContext, type TaskContext } from '../core/task';
import type { FashionData } from '../data/fashion';
import { collectiveBytes } from '../distributed/collectives';
import { batchOf, disposeBatches, labStart, toArrays } from '../distributed/data';
import { evaluateNet } from '../distributed/executor';
import { MEMORY_KINDS, type MemoryBytes } from '../distributed/ledger';
import { localLauncher, type Launcher } from '../distributed/launch';
import { bytesPerParam, zeroMemoryPerDevice, type DeviceMemory } from '../distributed/memory-model';
import { runOffloadHost, type OffloadHostReport } from '../distributed/offload';
import { RankTrainer } from '../distributed/rank-trainer';
import { BatchPlan } from '../distributed/sampler';
import { weightDistance } from '../distributed/single';
import { COMM_FACTOR, FSDP_NAME, STRATEGIES, STRATEGY_STAGE, type Strategy } from '../distributed/strategy';
import type { Transport } from '../distributed/transport';
import { inputShape } from '../ml/models';

import { type ZeroSettings, validate, STRATEGY_LABEL } from './zero-fsdp-fields';
export * from './zero-fsdp-fields';

export interface ZeroRankResult {
  rank: number;
  loss: Float32Array;
  correct: Float32Array;
  skipped: Uint8Array;
  scale: Float32Array;
  bytesSent: Float64Array;
  bytesToHost: Float64Array;
  bytesFromHost: Float64Array;
  /** Model-state bytes held between steps, summed from the rank's buffers. */
  held: { params: number; grads: number; optimizer: number };
  /** Most bytes of each kind held at once during any step. */
  peak: MemoryBytes & { total: number };
  activationPeakBytes: number;
  stepMs: Float32Array;
  commMs: Float32Array;
  weights?: Float32Array;
}

/** One rank's run under s.strategy (the group is ranks 0..N−1; the host, if any, is rank N). */
export async function zeroRank(t: Transport, s: ZeroSettings, data: FashionData, ctx: TaskContext): Promise<ZeroRankResult> {
  const sh = labStart(s, data);
  const strategy = s.strategy;
  const host = s.offload ? s.ranks : undefined;
  const trainer = new RankTrainer(t, {
    net: sh.net, initial: sh.initial, strategy, precision: s.precision, optimizer: { kind: s.optimizer, learningRate: s.learningRate }, executor: 'blockwise',
    group: Array.from({ length: s.ranks }, (_, i) => i), ...(host === undefined ? {} : { host }),
  });
  const plan = new BatchPlan({ size: sh.subset.length, ranks: s.ranks, batch: s.batchPerRank, accumSteps: 1, seed: s.seed });
  const shape = inputShape(s.model);
  const n = s.steps;
  const out = {
    loss: new Float32Array(n), correct: new Float32Array(n), skipped: new Uint8Array(n), scale: new Float32Array(n), bytesSent: new Float64Array(n),
    bytesToHost: new Float64Array(n), bytesFromHost: new Float64Array(n), stepMs: new Float32Array(n), commMs: new Float32Array(n),
  };
  const peak = Object.fromEntries([...MEMORY_KINDS, 'total'].map((k) => [k, 0])) as MemoryBytes & { total: number };
  let activationPeakBytes = 0;
  for (let u = 0; u < n; u++) {
    ctx.checkStop();
    const mb = batchOf(sh.train, plan.rows(t.rank, u, 0).map((i) => sh.subset[i]), shape);
    const r = await trainer.step([mb]);
    disposeBatches([mb]);
    out.loss[u] = r.loss;
    out.correct[u] = r.correct;
    out.skipped[u] = r.skipped ? 1 : 0;
    out.scale[u] = r.scale;
    out.bytesSent[u] = r.bytesSent;
    out.bytesToHost[u] = r.bytesToHost;
    out.bytesFromHost[u] = r.bytesFromHost;
    out.stepMs[u] = r.endMs - r.startMs;
    out.commMs[u] = r.trace.filter((x) => x.kind === 'comm').reduce((a, x) => a + x.end - x.start, 0);
    for (const k of [...MEMORY_KINDS, 'total'] as const) peak[k] = Math.max(peak[k], r.peak[k]);
    activationPeakBytes = Math.max(activationPeakBytes, r.activationPeakBytes);
    if (t.rank === 0) ctx.progress((u + 1) / n, `${STRATEGY_LABEL[strategy].split(':')[0]}: update ${u + 1} of ${n}`);
  }
  await trainer.finish();
  const weights = await trainer.fullParams();
  return { rank: t.rank, ...out, held: trainer.modelState(), peak, activationPeakBytes, ...(t.rank === 0 ? { weights } : {}) };
}

export interface ZeroDeps {
  data: FashionData;
  launch?: Launcher;
  launchKind?: 'in-process' | 'workers';
}

export interface ZeroResult {
  settings: ZeroSettings;
  params: number;
  ranks: ZeroRankResult[];
  host?: { heldBytes: number; updates: number };
  /** Per update: global mean loss, accuracy, whether skipped, the loss scale. */
  loss: Float32Array;
  accuracy: Float32Array;
  skipped: Uint8Array;
  scale: Float32Array;
  /** The ZeRO formula for this strategy (optimizer 0 on the rank with offload), and for every strategy. */
  formula: DeviceMemory;
  formulas: Record<Strategy, DeviceMemory>;
  /** Bytes rank 0 sent per step (median) and the ring formula COMM_FACTOR·(N−1)/N·Ψ·bytes per value. */
  bytesPerStep: number;
  bytesFormula: number;
  /** Offload traffic per step (rank 0, median): to the host and back. */
  offloadBytesPerStep: { toHost: number; fromHost: number };
  testAccuracy: number;
  dp?: { testAccuracy: number; identical: boolean; maxAbsDiff: number; bytesPerStep: number; heldTotal: number };
  /** How the ranks ran: 'in-process' ranks share one thread. */
  launchKind: 'in-process' | 'workers';
  wallMs: number;
  summary: Record<string, number | string>;
}

const median = (xs: ArrayLike<number>) => {
  const v = Array.from(xs).sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)] : NaN;
};

/**
 * Rank entry 'zero-fsdp/rank': endpoint N of an offloading run is the host (it keeps the optimizer),
 * the others are ranks.
 */
export async function zeroEndpoint(t: Transport, s: ZeroSettings, data: FashionData, ctx: TaskContext): Promise<{ rank?: ZeroRankResult; host?: OffloadHostReport }> {
  if (s.offload && t.rank === s.ranks) {
    const sh = labStart(s, data);
    return { host: await runOffloadHost(t, { net: sh.net, initial: sh.initial, precision: s.precision, optimizer: { kind: s.optimizer, learningRate: s.learningRate }, group: Array.from({ length: s.ranks }, (_, i) => i) }) };
  }
  return { rank: await zeroRank(t, s, data, ctx) };
}

async function runStrategy(ctx: TaskContext, s: ZeroSettings, strategy: Strategy, data: FashionData, launch: Launcher, share: [number, number]) {
  const sub = sliceContext(ctx, share[0], share[1]);
  const settings: ZeroSettings = { ...s, strategy, offload: s.offload && strategy !== 'dp' };
  const world = s.ranks + (settings.offload ? 1 : 0);
  const out = await launch(world, { entry: 'zero-fsdp/rank', settings }, (t) => zeroEndpoint(t, settings, data, sub), sub);
  const ranks = out.flatMap((o) => (o.rank ? [o.rank] : []));
  return { ranks, host: out.find((o) => o.host)?.host };
}

export async function run(ctx: TaskContext, s: ZeroSettings, deps: ZeroDeps): Promise<ZeroResult> {
  validate(s);
  const t0 = performance.now();
  const { net } = labStart(s, deps.data);
  const launch = deps.launch ?? localLauncher(s.transport);
  const compare = s.compareDp && s.strategy !== 'dp';
  const main = await runStrategy(ctx, s, s.strategy, deps.data, launch, [0, compare ? 0.55 : 1]);
  const dpRun = compare ? await runStrategy(ctx, { ...s, offload: false }, 'dp', deps.data, launch, [0.55, 1]) : undefined;
  const ranks = main.ranks;
  const n = s.steps;
  const globalBatch = s.ranks * s.batchPerRank;
  const loss = Float32Array.from({ length: n }, (_, u) => ranks.reduce((a, r) => a + r.loss[u], 0) / s.ranks);
  const accuracy = Float32Array.from({ length: n }, (_, u) => ranks.reduce((a, r) => a + r.correct[u], 0) / globalBatch);
  const test = toArrays(deps.data.test);
  const weights = ranks[0].weights!;
  const ev = await evaluateNet(net, weights, test.pixels, test.labels);
  const stageOf = (st: Strategy) => STRATEGY_STAGE[st];
  const formulaOf = (st: Strategy) => zeroMemoryPerDevice(net.size, { stage: stageOf(st), worldSize: s.ranks, precision: s.precision, optimizer: s.optimizer });
  const formulas = Object.fromEntries(STRATEGIES.map((st) => [st, formulaOf(st)])) as Record<Strategy, DeviceMemory>;
  const f = formulaOf(s.strategy);
  const formula = s.offload ? { ...f, optimizer: 0, total: f.params + f.grads } : f;
  const perValue = bytesPerParam(s.precision, s.optimizer).grads;
  const bytesFormula = (COMM_FACTOR[s.strategy] / 2) * collectiveBytes('all-reduce', net.size * perValue, s.ranks);
  let dp: ZeroResult['dp'];
  if (dpRun) {
    const w = dpRun.ranks[0].weights!;
    const d = weightDistance(weights, w);
    const identical = w.every((x, i) => Object.is(x, weights[i]));
    const dpEval = await evaluateNet(net, w, test.pixels, test.labels);
    const h = dpRun.ranks[0].held;
    dp = { testAccuracy: dpEval.accuracy, identical, maxAbsDiff: d.maxAbs, bytesPerStep: median(dpRun.ranks[0].bytesSent), heldTotal: h.params + h.grads + h.optimizer };
  }
  const held = ranks[0].held;
  const heldTotal = held.params + held.grads + held.optimizer;
  const bytesPerStep = median(ranks[0].bytesSent);
  const offloadBytesPerStep = { toHost: median(ranks[0].bytesToHost), fromHost: median(ranks[0].bytesFromHost) };
  const skipped = ranks[0].skipped;
  const summary: Record<string, number | string> = {
    params: net.size, stage: STRATEGY_STAGE[s.strategy], fsdp: FSDP_NAME[s.strategy] ?? '', heldParams: held.params, heldGrads: held.grads, heldOptimizer: held.optimizer, heldTotal,
    formulaTotal: formula.total, peakTotal: ranks[0].peak.total, peakGathered: ranks[0].peak.gathered, peakBuckets: ranks[0].peak.buckets, activationPeak: ranks[0].activationPeakBytes,
    bytesPerStep, bytesFormula, toHost: offloadBytesPerStep.toHost, fromHost: offloadBytesPerStep.fromHost, hostBytes: main.host?.heldBytes ?? 0,
    launchKind: deps.launchKind ?? 'in-process', skippedSteps: skipped.reduce((a, b) => a + b, 0), finalScale: ranks[0].scale[n - 1], finalLoss: loss[n - 1], testAcc: ev.accuracy, stepMs: median(ranks[0].stepMs),
    ...(dp ? { dpIdentical: dp.identical ? 1 : 0, dpMaxAbsDiff: dp.maxAbsDiff, dpTestAcc: dp.testAccuracy, dpBytesPerStep: dp.bytesPerStep, dpHeldTotal: dp.heldTotal } : {}),
  };
  return {
    settings: s, params: net.size, ranks, ...(main.host ? { host: { heldBytes: main.host.heldBytes, updates: main.host.updates } } : {}), loss, accuracy, skipped, scale: ranks[0].scale,
    formula, formulas, bytesPerStep, bytesFormula, offloadBytesPerStep, testAccuracy: ev.accuracy, dp, launchKind: deps.launchKind ?? 'in-process', wallMs: performance.now() - t0, summary,
  };
}
