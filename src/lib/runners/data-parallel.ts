/**
 * The data-parallel lab's run: N ranks, each with a replica of the training lab's MLP or CNN and its
 * shard of the training images (the distributed sampler), compute gradients with tfjs and average
 * them with a hand-written ring all-reduce over real transports, for `steps` updates, optionally
 * over k accumulated micro-batches. Then the same updates on one worker with the whole global batch,
 * and how far the two ended apart. Then the measured compute per rank on a simulated network: the
 * step with and without overlapping communication, and across bandwidths.
 */
import { sliceContext, type TaskContext } from '../core/task';
import { SettingsError } from '../core/fields';
import type { FashionData } from '../data/fashion';
import { collectiveBytes } from '../distributed/collectives';
import { batchOf, disposeBatches, labStart, toArrays } from '../distributed/data';
import { evaluateNet } from '../distributed/executor';
import { localLauncher, type Launcher, type RankContext } from '../distributed/launch';
import type { Net } from '../distributed/net';
import type { Topology } from '../distributed/network';
import { RankTrainer, type TrainerState } from '../distributed/rank-trainer';
import { BatchPlan } from '../distributed/sampler';
import { trainSingleWorker, weightDistance } from '../distributed/single';
import { simulateStep, splitCompute, type SimulatedStep } from '../distributed/timeline';
import type { Transport } from '../distributed/transport';
import { inputShape } from '../ml/models';

import { type DataParallelSettings, EQUIVALENCE_TOLERANCE, validate } from './data-parallel-fields';
export * from './data-parallel-fields';

/** What one rank did, step by step. */
export interface DataParallelRankResult {
  rank: number;
  loss: Float32Array;
  correct: Float32Array;
  examples: number;
  bytesSent: Float64Array;
  computeMs: Float32Array;
  commMs: Float32Array;
  updateMs: Float32Array;
  /** Segments of the last steps, ms from the first of them: [kind code, start, end] triples (0 compute, 1 comm, 2 update). */
  trace: Float64Array;
  /** Wall-clock ms (performance.timeOrigin + now) of this rank's trace zero: subtract the smallest over ranks to align the lanes. */
  traceOrigin: number;
  /** Rank 0 only: the final weights. */
  weights?: Float32Array;
}

const TRACE_STEPS = 3;
/** Every this many updates each rank hands in its piece of a checkpoint (rank 0 with the training state). */
export const CHECKPOINT_EVERY = 10;

/** One rank's per-update records, as far as a checkpoint goes. */
export interface RankHistory {
  loss: Float32Array;
  correct: Float32Array;
  bytesSent: Float64Array;
  computeMs: Float32Array;
  commMs: Float32Array;
  updateMs: Float32Array;
}

/** What a rank hands in after update `update` (counted from 1). */
export interface CheckpointPiece {
  rank: number;
  update: number;
  history: RankHistory;
  /** Rank 0 only: parameters and optimizer state (the same on every rank). */
  state?: TrainerState;
}

/** A whole checkpoint: `update` updates done, the training state, every rank's records so far. */
export interface DataParallelCheckpoint {
  update: number;
  state: TrainerState;
  ranks: RankHistory[];
}

type RankJobSettings = DataParallelSettings & { resume?: DataParallelCheckpoint };
const HISTORY_KEYS = ['loss', 'correct', 'bytesSent', 'computeMs', 'commMs', 'updateMs'] as const;
const KIND_CODE = { compute: 0, comm: 1, update: 2, offload: 2 } as const;

const planOf = (s: DataParallelSettings, size: number) => new BatchPlan({ size, ranks: s.ranks, batch: s.batchPerRank, accumSteps: s.accumSteps, seed: s.seed });
const rowsIn = (subset: Int32Array, idx: Int32Array) => idx.map((i) => subset[i]);

/** One rank's whole run (rank entry 'data-parallel/rank'); every rank of the group calls it with its own transport. */
export async function dataParallelRank(t: Transport, s: RankJobSettings, data: FashionData, ctx: RankContext): Promise<DataParallelRankResult> {
  const sh = labStart(s, data);
  const trainer = new RankTrainer(t, { net: sh.net, initial: sh.initial, strategy: 'dp', precision: 'fp32', optimizer: { kind: s.optimizer, learningRate: s.learningRate }, executor: 'tape' });
  const plan = planOf(s, sh.subset.length);
  const shape = inputShape(s.model);
  const n = s.steps;
  const out = { loss: new Float32Array(n), correct: new Float32Array(n), bytesSent: new Float64Array(n), computeMs: new Float32Array(n), commMs: new Float32Array(n), updateMs: new Float32Array(n) };
  const trace: number[] = [];
  let examples = 0;
  let traceStart = 0;
  const from = s.resume?.update ?? 0;
  if (s.resume) {
    trainer.importState(s.resume.state);
    for (const k of HISTORY_KEYS) out[k].set(s.resume.ranks[t.rank][k].subarray(0, from));
  }
  for (let u = from; u < n; u++) {
    ctx.checkStop();
    const mbs = Array.from({ length: s.accumSteps }, (_, j) => batchOf(sh.train, rowsIn(sh.subset, plan.rows(t.rank, u, j)), shape));
    const r = await trainer.step(mbs);
    disposeBatches(mbs);
    const spent = (k: string) => r.trace.filter((x) => x.kind === k).reduce((a, x) => a + x.end - x.start, 0);
    out.loss[u] = r.loss;
    out.correct[u] = r.correct;
    out.bytesSent[u] = r.bytesSent;
    out.commMs[u] = spent('comm');
    out.updateMs[u] = spent('update');
    out.computeMs[u] = r.endMs - r.startMs - out.commMs[u] - out.updateMs[u];
    examples = r.examples;
    if (u >= n - TRACE_STEPS) {
      if (u === Math.max(0, n - TRACE_STEPS)) traceStart = r.startMs;
      let at = r.startMs;
      for (const seg of r.trace) {
        if (seg.start > at) trace.push(KIND_CODE.compute, at - traceStart, seg.start - traceStart);
        trace.push(KIND_CODE[seg.kind], seg.start - traceStart, seg.end - traceStart);
        at = seg.end;
      }
      if (r.endMs > at) trace.push(KIND_CODE.compute, at - traceStart, r.endMs - traceStart);
    }
    if (t.rank === 0) ctx.progress((u + 1) / n, `data parallel: update ${u + 1} of ${n}`);
    if (ctx.checkpoint && (u + 1) % CHECKPOINT_EVERY === 0 && u + 1 < n) {
      const history = Object.fromEntries(HISTORY_KEYS.map((k) => [k, out[k].slice(0, u + 1)])) as unknown as RankHistory;
      ctx.checkpoint({ rank: t.rank, update: u + 1, history, ...(t.rank === 0 ? { state: trainer.exportState() } : {}) } satisfies CheckpointPiece);
    }
  }
  const weights = t.rank === 0 ? await trainer.fullParams() : undefined;
  return { rank: t.rank, ...out, examples, trace: Float64Array.from(trace), traceOrigin: traceStart, ...(weights ? { weights } : {}) };
}

export interface DataParallelDeps {
  data: FashionData;
  /** Starts the ranks (default: in this thread over the chosen transport). */
  launch?: Launcher;
  /** How the ranks ran, for the record: 'in-process' ranks share one thread, so their timings interleave. */
  launchKind?: 'in-process' | 'workers';
  /** Continue from this checkpoint (of a run with the same settings) instead of from the start. */
  resume?: DataParallelCheckpoint;
  /** Told every CHECKPOINT_EVERY updates, once every rank handed in its piece. */
  onCheckpoint?: (c: DataParallelCheckpoint) => void;
}

/** Assembles the ranks' pieces into checkpoints and hands each whole one on. */
function checkpointCollector(ranks: number, onCheckpoint: (c: DataParallelCheckpoint) => void): (piece: unknown) => void {
  const pending = new Map<number, CheckpointPiece[]>();
  return (piece) => {
    const p = piece as CheckpointPiece;
    const got = pending.get(p.update) ?? [];
    got[p.rank] = p;
    pending.set(p.update, got);
    if (got.filter(Boolean).length < ranks) return;
    pending.delete(p.update);
    onCheckpoint({ update: p.update, state: got[0].state!, ranks: got.map((x) => x.history) });
  };
}

export interface DataParallelResult {
  settings: DataParallelSettings;
  /** Parameters of the model (Ψ). */
  params: number;
  globalBatch: number;
  /** Per update: the global batch's mean loss and accuracy before the update. */
  loss: Float32Array;
  accuracy: Float32Array;
  ranks: DataParallelRankResult[];
  testAccuracy: number;
  testLoss: number;
  /** Bytes rank 0 sent per update, measured, and the ring formula 2(N−1)/N·4Ψ. */
  bytesPerStep: number;
  bytesFormula: number;
  single?: { loss: Float32Array; accuracy: Float32Array; testAccuracy: number; maxAbsDiff: number; relDiff: number; tolerance: number; equivalent: boolean };
  simulated: { overlap: SimulatedStep; noOverlap: SimulatedStep; bandwidthGBps: Float64Array; stepMsOverlap: Float64Array; stepMsNoOverlap: Float64Array };
  launchKind: 'in-process' | 'workers';
  wallMs: number;
  /** The numbers a run record keeps (params.result) and the exercises read. */
  summary: Record<string, number | string>;
}

const median = (xs: ArrayLike<number>) => {
  const v = Array.from(xs).sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)] : NaN;
};

export function topologyOf(s: Pick<DataParallelSettings, 'ranks' | 'ranksPerNode' | 'latencyUs' | 'bandwidthGBps' | 'interLatencyUs' | 'interBandwidthGBps'>): Topology {
  return { ranks: s.ranks, ranksPerNode: Math.min(s.ranksPerNode, s.ranks), intra: { latencyUs: s.latencyUs, bandwidthGBps: s.bandwidthGBps }, inter: { latencyUs: s.interLatencyUs, bandwidthGBps: s.interBandwidthGBps } };
}

/** The measured per-rank compute (median per update) on the simulated network, with and without overlap, and across bandwidths. */
export function simulate(net: Net, s: DataParallelSettings, ranks: DataParallelRankResult[]): DataParallelResult['simulated'] {
  const compute = ranks.map((r) => splitCompute(net, median(r.computeMs) / 1000, median(r.updateMs) / 1000));
  const bucketBytes = net.blocks.map((b) => b.size * 4);
  const at = (topology: Topology, overlap: boolean) => simulateStep({ compute, bucketBytes, topology, algorithm: s.algorithm, overlap });
  const topo = topologyOf(s);
  const bandwidthGBps = Float64Array.from({ length: 25 }, (_, i) => 10 ** (-3 + (5 * i) / 24));
  const scaled = (bw: number) => ({ ...topo, intra: { ...topo.intra, bandwidthGBps: bw }, inter: { ...topo.inter, bandwidthGBps: (bw * topo.inter.bandwidthGBps) / topo.intra.bandwidthGBps } });
  return {
    overlap: at(topo, true),
    noOverlap: at(topo, false),
    bandwidthGBps,
    stepMsOverlap: bandwidthGBps.map((bw) => at(scaled(bw), true).stepSeconds * 1000),
    stepMsNoOverlap: bandwidthGBps.map((bw) => at(scaled(bw), false).stepSeconds * 1000),
  };
}

export async function run(ctx: TaskContext, s: DataParallelSettings, deps: DataParallelDeps): Promise<DataParallelResult> {
  validate(s);
  const t0 = performance.now();
  const { net, initial, train, subset } = labStart(s, deps.data);
  const launch = deps.launch ?? localLauncher(s.transport);
  const compareShare = s.compareSingle ? 0.85 : 1;
  const rankCtx = sliceContext(ctx, 0, compareShare);
  if (deps.resume && !(deps.resume.update > 0 && deps.resume.update < s.steps && deps.resume.ranks.length === s.ranks)) throw new SettingsError('steps', `The checkpoint (update ${deps.resume.update} of ${deps.resume.ranks.length} ranks) does not fit a run of ${s.steps} updates on ${s.ranks} ranks.`);
  const ctxR: RankContext = { ...rankCtx, ...(deps.onCheckpoint ? { checkpoint: checkpointCollector(s.ranks, deps.onCheckpoint) } : {}) };
  const job: RankJobSettings = { ...s, ...(deps.resume ? { resume: deps.resume } : {}) };
  const ranks = await launch(s.ranks, { entry: 'data-parallel/rank', settings: job }, (t) => dataParallelRank(t, job, deps.data, ctxR), ctxR);
  const globalBatch = s.ranks * s.batchPerRank * s.accumSteps;
  const loss = new Float32Array(s.steps);
  const accuracy = new Float32Array(s.steps);
  for (let u = 0; u < s.steps; u++) {
    loss[u] = ranks.reduce((a, r) => a + r.loss[u], 0) / s.ranks; // equal shards: the global mean is the mean of rank means
    accuracy[u] = ranks.reduce((a, r) => a + r.correct[u], 0) / globalBatch;
  }
  const weights = ranks[0].weights!;
  const test = toArrays(deps.data.test);
  const evalDp = await evaluateNet(net, weights, test.pixels, test.labels);
  let single: DataParallelResult['single'];
  if (s.compareSingle) {
    const plan = planOf(s, subset.length);
    const shape = inputShape(s.model);
    const ref = await trainSingleWorker(net, initial, { kind: s.optimizer, learningRate: s.learningRate }, s.steps, (u) => {
      ctx.progress(compareShare + ((1 - compareShare) * u) / s.steps, `one worker, batch ${globalBatch}: update ${u + 1} of ${s.steps}`);
      return batchOf(train, rowsIn(subset, plan.globalRows(u)), shape);
    }, (b) => disposeBatches([b]), () => ctx.checkStop());
    const d = weightDistance(weights, ref.weights);
    const evalRef = await evaluateNet(net, ref.weights, test.pixels, test.labels);
    single = { loss: ref.loss, accuracy: ref.accuracy, testAccuracy: evalRef.accuracy, maxAbsDiff: d.maxAbs, relDiff: d.relative, tolerance: EQUIVALENCE_TOLERANCE, equivalent: d.relative <= EQUIVALENCE_TOLERANCE };
  }
  const simulated = simulate(net, s, ranks);
  const bytesPerStep = median(ranks[0].bytesSent);
  const bytesFormula = collectiveBytes('all-reduce', net.size * 4, s.ranks);
  const wallMs = performance.now() - t0;
  const stepMs = median(ranks[0].computeMs.map((c, u) => c + ranks[0].commMs[u] + ranks[0].updateMs[u]));
  const commMs = median(ranks[0].commMs);
  const summary: Record<string, number | string> = {
    params: net.size, globalBatch, finalLoss: loss[s.steps - 1], testAcc: evalDp.accuracy, bytesPerStep, bytesFormula, stepMs, commFraction: stepMs > 0 ? commMs / stepMs : 0,
    samplesPerSec: (globalBatch * s.steps) / ((ranks[0].computeMs.reduce((a, b) => a + b, 0) + ranks[0].commMs.reduce((a, b) => a + b, 0) + ranks[0].updateMs.reduce((a, b) => a + b, 0)) / 1000),
    simStepMs: simulated.overlap.stepSeconds * 1000, simStepMsNoOverlap: simulated.noOverlap.stepSeconds * 1000, simCommMs: simulated.overlap.commSeconds * 1000, simComputeMs: simulated.overlap.computeSeconds * 1000,
    simExposedCommMs: simulated.overlap.exposedCommSeconds * 1000, launchKind: deps.launchKind ?? 'in-process', resumedFrom: deps.resume?.update ?? 0,
    ...(single ? { singleTestAcc: single.testAccuracy, relDiff: single.relDiff, maxAbsDiff: single.maxAbsDiff, equivalent: single.equivalent ? 1 : 0 } : {}),
  };
  return { settings: s, params: net.size, globalBatch, loss, accuracy, ranks, testAccuracy: evalDp.accuracy, testLoss: evalDp.loss, bytesPerStep, bytesFormula, single, simulated, launchKind: deps.launchKind ?? 'in-process', wallMs, summary };
}
