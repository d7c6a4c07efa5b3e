/**
 * Federated learning's client side and server aggregation (McMahan et al. 2017): the server sends
 * the global weights to a fraction C of the K clients; each returns an update from its own data
 * only, and the server adds the size-weighted average update (FedAvg). FedSGD is the case of one
 * full-batch gradient step per client; FedAvg runs E local epochs of minibatch SGD, fewer rounds
 * for the same progress when data is IID, but the clients' models drift apart when it is not.
 *
 * Optional differential privacy (DP-FedAvg, McMahan et al. 2018): each update is clipped to L2
 * norm S, the server averages them with equal weights and adds Gaussian noise of standard
 * deviation σ·S to their sum.
 */
import { deriveSeed, mulberry32, shuffleInPlace } from '../core/rng';
import { normalSampler } from '../math/random';
import { tapeGradients } from './executor';
import { batchOf, disposeBatches, type ImageArrays } from './data';
import type { Net } from './net';
import { FlatOptimizer } from './optimizer';

export type FedAlgorithm = 'fedsgd' | 'fedavg';

export interface ClientOptions {
  algorithm: FedAlgorithm;
  /** Local epochs (FedAvg). */
  epochs: number;
  /** Local minibatch (FedAvg). */
  batch: number;
  learningRate: number;
  /** Seeds the local shuffles. */
  seed: number;
}

export interface ClientUpdate {
  /** w_local − w_global. */
  update: Float32Array;
  /** Mean loss over the local steps' batches. */
  loss: number;
  examples: number;
  /** Local optimizer steps taken. */
  steps: number;
}

/** The largest batch a full-batch gradient is computed in at once (memory), weighted back together. */
const FULL_BATCH_CHUNK = 512;

/** One client's round: its update from the global weights on its rows of `data`. */
export async function clientUpdate(net: Net, global: Float32Array, data: ImageArrays, rows: readonly number[], o: ClientOptions): Promise<ClientUpdate> {
  const w = global.slice();
  const g = new Float32Array(net.size);
  if (o.algorithm === 'fedsgd') {
    const total = new Float64Array(net.size);
    let lossSum = 0;
    for (let start = 0; start < rows.length; start += FULL_BATCH_CHUNK) {
      const part = rows.slice(start, start + FULL_BATCH_CHUNK);
      const b = batchOf(data, part, [784]);
      const r = await tapeGradients(net, w, b, g);
      disposeBatches([b]);
      for (let i = 0; i < g.length; i++) total[i] += (g[i] * part.length) / rows.length;
      lossSum += r.loss * part.length;
    }
    const update = Float32Array.from(total, (x) => -o.learningRate * x);
    return { update, loss: lossSum / rows.length, examples: rows.length, steps: 1 };
  }
  const opt = new FlatOptimizer({ kind: 'sgd', learningRate: o.learningRate }, net.size);
  const order = Int32Array.from(rows);
  const rng = mulberry32(o.seed);
  let lossSum = 0, seen = 0, steps = 0;
  for (let e = 0; e < o.epochs; e++) {
    shuffleInPlace(order, rng);
    for (let start = 0; start < order.length; start += o.batch) {
      const part = order.subarray(start, start + o.batch);
      const b = batchOf(data, part, [784]);
      const r = await tapeGradients(net, w, b, g);
      disposeBatches([b]);
      opt.step(w, g, ++steps);
      lossSum += r.loss * part.length;
      seen += part.length;
    }
  }
  const update = new Float32Array(net.size);
  for (let i = 0; i < update.length; i++) update[i] = w[i] - global[i];
  return { update, loss: lossSum / Math.max(1, seen), examples: rows.length, steps };
}

export const l2 = (x: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
};

/** x scaled down to L2 norm ≤ clip (unchanged if already inside). */
export function clipToNorm(x: Float32Array, clip: number): Float32Array {
  const n = l2(x);
  if (n <= clip || n === 0) return x;
  const f = clip / n;
  return x.map((v) => v * f);
}

/** Gaussian noise of standard deviation sd, seeded. */
export function gaussianNoise(length: number, sd: number, seed: number): Float32Array {
  const normal = normalSampler(mulberry32(deriveSeed(seed, 4242)));
  return Float32Array.from({ length }, () => sd * normal());
}

/**
 * Client drift: the mean distance of each client's update from their average, relative to the
 * average's size: 0 when all clients agree, near 1 and above when they pull apart.
 */
export function clientDrift(updates: Float32Array[], mean: Float32Array): number {
  const m = l2(mean);
  if (!updates.length || m === 0) return 0;
  let s = 0;
  for (const u of updates) {
    let d = 0;
    for (let i = 0; i < u.length; i++) d += (u[i] - mean[i]) ** 2;
    s += Math.sqrt(d);
  }
  return s / updates.length / m;
}
