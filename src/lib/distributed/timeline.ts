/**
 * A data-parallel step on a simulated network: each rank's forward and backward per block (its
 * measured compute, split over blocks), one bucket per block whose gradient is all-reduced on one
 * communication stream shared by all ranks, then the update. With overlap (as DDP does) a bucket's
 * all-reduce starts once every rank has finished that block's backward and the stream is free;
 * without, all of them start after the slowest rank's whole backward. A rank that finished early
 * waits: the segments show where time goes.
 */
import { ensure } from './errors';
import { collectiveTime, type CollectiveAlgorithm, type Topology } from './network';
import type { Net } from './net';

export interface RankCompute {
  /** Seconds of each block's forward, in block order. */
  forward: number[];
  /** Seconds of each block's backward, in block order. */
  backward: number[];
  /** Seconds of the optimizer update. */
  update: number;
}

export interface TimelineOptions {
  /** One per rank. */
  compute: RankCompute[];
  /** Bytes of each block's gradient bucket. */
  bucketBytes: number[];
  topology: Topology;
  algorithm: CollectiveAlgorithm;
  /** Start each bucket's all-reduce as soon as its block's backward is done everywhere. */
  overlap: boolean;
}

export interface TimelineSegment {
  kind: 'forward' | 'backward' | 'comm' | 'wait' | 'update';
  /** 'compute' for the rank's compute stream, 'comm' for its communication stream. */
  lane: 'compute' | 'comm';
  block?: number;
  start: number;
  end: number;
}

export interface SimulatedStep {
  /** Segments of each rank, in seconds from the step's start. */
  ranks: TimelineSegment[][];
  stepSeconds: number;
  /** The slowest rank's forward + backward. */
  computeSeconds: number;
  /** Sum of the collectives' durations. */
  commSeconds: number;
  /** Step time not covered by the slowest rank's compute and update: communication nobody hid. */
  exposedCommSeconds: number;
}

export function simulateStep(o: TimelineOptions): SimulatedStep {
  const n = o.compute.length;
  ensure(n >= 1 && n === o.topology.ranks, `the timeline needs one compute profile per rank: ${n} profiles for ${o.topology.ranks} ranks.`);
  const blocks = o.bucketBytes.length;
  const ranks: TimelineSegment[][] = o.compute.map(() => []);
  const ready: number[][] = o.compute.map(() => new Array<number>(blocks).fill(0));
  const backwardEnd = o.compute.map((c, r) => {
    let t = 0;
    for (let b = 0; b < blocks; b++) {
      ranks[r].push({ kind: 'forward', lane: 'compute', block: b, start: t, end: t + c.forward[b] });
      t += c.forward[b];
    }
    for (let b = blocks - 1; b >= 0; b--) {
      ranks[r].push({ kind: 'backward', lane: 'compute', block: b, start: t, end: t + c.backward[b] });
      t += c.backward[b];
      ready[r][b] = t;
    }
    return t;
  });
  const slowest = Math.max(...backwardEnd);
  let free = 0;
  let commSeconds = 0;
  for (let b = blocks - 1; b >= 0; b--) {
    const allReady = o.overlap ? Math.max(...ready.map((x) => x[b])) : slowest;
    const start = Math.max(free, allReady);
    const d = collectiveTime('all-reduce', o.bucketBytes[b], o.topology, o.algorithm).seconds;
    free = start + d;
    commSeconds += d;
    for (const segs of ranks) segs.push({ kind: 'comm', lane: 'comm', block: b, start, end: free });
  }
  let stepSeconds = 0;
  o.compute.forEach((c, r) => {
    const begin = Math.max(backwardEnd[r], free);
    if (begin > backwardEnd[r]) ranks[r].push({ kind: 'wait', lane: 'compute', start: backwardEnd[r], end: begin });
    ranks[r].push({ kind: 'update', lane: 'compute', start: begin, end: begin + c.update });
    stepSeconds = Math.max(stepSeconds, begin + c.update);
  });
  const updateOfSlowest = Math.max(...o.compute.map((c) => c.update));
  return { ranks, stepSeconds, computeSeconds: slowest, commSeconds, exposedCommSeconds: Math.max(0, stepSeconds - slowest - updateOfSlowest) };
}

/** Multiply-adds ×2 of one example through each block: dense 2·in·out, 3x3 conv 2·9·c_in·c_out·H·W. */
export function blockFlops(net: Net): number[] {
  let shape = net.inputShape;
  return net.blocks.map((b) => {
    const kernel = b.params[0].shape;
    const flops = kernel.length === 4 ? 2 * kernel[0] * kernel[1] * kernel[2] * kernel[3] * shape[0] * shape[1] : 2 * kernel[0] * kernel[1];
    shape = b.outShape;
    return flops;
  });
}

/**
 * A measured compute time split over blocks in proportion to their FLOPs, the backward taking twice
 * the forward (it computes gradients for both the inputs and the weights).
 */
export function splitCompute(net: Net, computeSeconds: number, updateSeconds: number): RankCompute {
  const f = blockFlops(net);
  const total = f.reduce((a, b) => a + b, 0);
  return { forward: f.map((x) => (computeSeconds * x) / (3 * total)), backward: f.map((x) => (2 * computeSeconds * x) / (3 * total)), update: updateSeconds };
}
