/**
 * The federated learning lab's run: K clients hold disjoint parts of the training images (IID, by
 * a Dirichlet draw over labels, or two label shards each); each round the server picks a fraction C
 * of them, some drop out, the rest train from the global weights on their own data (FedSGD: one
 * full-batch gradient step; FedAvg: E epochs of minibatch SGD) and send back their updates, which
 * the server averages by sample count (fedAvg), optionally through pairwise-masked secure
 * aggregation and with differential-privacy clipping and noise. Per round: test accuracy, bytes
 * both ways, client drift, the mask check. Clients train one after another here; the engine may
 * spread them over workers (each runs clientUpdate on its own data).
 */
import type { TaskContext } from '../core/task';
import { deriveSeed, mulberry32, permutation, shuffleInPlace } from '../core/rng';
import type { FashionData } from '../data/fashion';
import { firstN, toArrays, type ImageArrays } from '../distributed/data';
import { evaluateNet } from '../distributed/executor';
import { fedAvg } from '../distributed/fedavg';
import { clientDrift, clientUpdate, clipToNorm, gaussianNoise, l2 } from '../distributed/federated';
import { labInitialParams, labNet } from '../distributed/net';
import { dirichletPartition, iidPartition, labelCounts, shardPartition } from '../distributed/partition';
import { FIXED_POINT_BITS, decodeFixed, encodeFixed, maskVector, modSum, unmaskSum } from '../distributed/secagg';

import { type FederatedSettings, validate } from './federated-fields';
export * from './federated-fields';

export interface FederatedResult {
  settings: FederatedSettings;
  params: number;
  /** Samples of each class on each client: clients × 10, row-major. */
  labelCounts: Int32Array;
  clientSizes: Int32Array;
  /** Per round. */
  testAccuracy: Float32Array;
  testLoss: Float32Array;
  trainLoss: Float32Array;
  selected: Int32Array;
  dropped: Int32Array;
  drift: Float32Array;
  /** Bytes sent to clients (global weights) and from them (updates), cumulative. */
  bytesDown: Float64Array;
  bytesUp: Float64Array;
  /** Secure aggregation: the largest |masked − plain| over the fixed-point sums (0 when masks cancel), per round. */
  maskError: Float64Array;
  /** Secure aggregation: the largest |secure mean − float fedAvg| per round (fixed-point rounding, at most clients·2⁻²¹). */
  quantError: Float64Array;
  roundsToTarget: number;
  bytesToTarget: number;
  wallMs: number;
  summary: Record<string, number | string>;
}

function partitionOf(s: FederatedSettings, labels: ArrayLike<number>): number[][] {
  if (s.partition === 'iid') return iidPartition(labels.length, s.clients, s.seed);
  if (s.partition === 'shards') return shardPartition(labels, s.clients, 2, s.seed);
  return dirichletPartition(labels, s.clients, s.alpha, s.seed);
}

/** The round's participants: ⌈C·K⌉ of the clients with data, chosen at random, then each dropping with the drop rate. */
function chooseClients(s: FederatedSettings, parts: number[][], round: number): { selected: number[]; survivors: number[]; dropped: number[] } {
  const rng = mulberry32(deriveSeed(s.seed, 5000 + round));
  const withData = parts.map((p, k) => (p.length ? k : -1)).filter((k) => k >= 0);
  const m = Math.max(1, Math.min(withData.length, Math.ceil(s.clientFraction * s.clients)));
  const selected = shuffleInPlace(withData.slice(), rng).slice(0, m).sort((a, b) => a - b);
  const dropped = selected.filter(() => rng() < s.dropRate);
  return { selected, survivors: selected.filter((k) => !dropped.includes(k)), dropped };
}

/** Sum of the survivors' weighted updates through pairwise masks; returns the sum and how far it is from the unmasked fixed-point sum. */
function secureSum(contribs: Float32Array[], survivors: number[], selected: number[], dropped: number[], roundSeed: number): { sum: Float64Array; maskError: number } {
  const encoded = contribs.map((c) => encodeFixed(c));
  const masked = encoded.map((e, i) => maskVector(e, survivors[i], selected, roundSeed));
  const unmasked = unmaskSum(modSum(masked), survivors, dropped, roundSeed);
  const plain = modSum(encoded);
  let err = 0;
  const a = decodeFixed(unmasked), b = decodeFixed(plain);
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  return { sum: a, maskError: err };
}

export async function run(ctx: TaskContext, s: FederatedSettings, deps: { data: FashionData }): Promise<FederatedResult> {
  validate(s);
  const t0 = performance.now();
  const net = labNet('mlp');
  let global = labInitialParams('mlp', s.seed);
  const all = toArrays(deps.data.train);
  const subset = permutation(all.n, mulberry32(deriveSeed(s.seed, 999))).slice(0, Math.min(s.trainSize, all.n));
  const labels = Array.from(subset, (i) => all.labels[i]);
  const parts = partitionOf(s, labels).map((p) => p.map((i) => subset[i]));
  const test: ImageArrays = firstN(toArrays(deps.data.test), s.testSize);
  const R = s.rounds;
  const out = {
    testAccuracy: new Float32Array(R), testLoss: new Float32Array(R), trainLoss: new Float32Array(R), selected: new Int32Array(R), dropped: new Int32Array(R),
    drift: new Float32Array(R), bytesDown: new Float64Array(R), bytesUp: new Float64Array(R), maskError: new Float64Array(R), quantError: new Float64Array(R),
  };
  const modelBytes = net.size * 4;
  let down = 0, up = 0, roundsToTarget = NaN, bytesToTarget = NaN;
  for (let r = 0; r < R; r++) {
    ctx.checkStop();
    const { selected, survivors, dropped } = chooseClients(s, parts, r);
    down += selected.length * modelBytes;
    const updates: Float32Array[] = [];
    const sizes: number[] = [];
    let lossSum = 0;
    for (const [i, k] of survivors.entries()) {
      ctx.checkStop();
      const u = await clientUpdate(net, global, all, parts[k], { algorithm: s.algorithm, epochs: s.localEpochs, batch: s.localBatch, learningRate: s.learningRate, seed: deriveSeed(s.seed, 10_000 + r * 1000 + k) });
      updates.push(s.dpNoise > 0 ? clipToNorm(u.update, s.clipNorm) : u.update);
      sizes.push(u.examples);
      lossSum += u.loss * u.examples;
      ctx.progress((r + (i + 1) / Math.max(1, survivors.length)) / R, `round ${r + 1} of ${R}: client ${i + 1} of ${survivors.length}`);
    }
    up += survivors.length * modelBytes;
    if (survivors.length) {
      // Weights: by sample count (FedAvg), or equal with DP (each clipped update counts the same).
      const total = sizes.reduce((a, b) => a + b, 0);
      const weights = s.dpNoise > 0 ? sizes.map(() => 1 / sizes.length) : sizes.map((n) => n / total);
      let mean: Float32Array;
      if (s.secureAgg) {
        const sec = secureSum(updates.map((u, i) => u.map((v) => v * weights[i])), survivors, selected, dropped, deriveSeed(s.seed, 7000 + r));
        mean = Float32Array.from(sec.sum);
        out.maskError[r] = sec.maskError;
        const plain = fedAvg(updates, weights);
        out.quantError[r] = plain.reduce((m, v, i) => Math.max(m, Math.abs(v - sec.sum[i])), 0);
      } else {
        mean = fedAvg(updates, weights);
      }
      if (s.dpNoise > 0) {
        const noise = gaussianNoise(net.size, (s.dpNoise * s.clipNorm) / survivors.length, deriveSeed(s.seed, 8000 + r));
        for (let i = 0; i < mean.length; i++) mean[i] += noise[i];
      }
      out.drift[r] = clientDrift(updates, mean);
      global = global.map((w, i) => w + mean[i]);
    }
    const ev = await evaluateNet(net, global, test.pixels, test.labels);
    out.testAccuracy[r] = ev.accuracy;
    out.testLoss[r] = ev.loss;
    out.trainLoss[r] = survivors.length ? lossSum / sizes.reduce((a, b) => a + b, 0) : NaN;
    out.selected[r] = selected.length;
    out.dropped[r] = dropped.length;
    out.bytesDown[r] = down;
    out.bytesUp[r] = up;
    if (Number.isNaN(roundsToTarget) && ev.accuracy >= s.targetAccuracy) {
      roundsToTarget = r + 1;
      bytesToTarget = down + up;
    }
  }
  const counts = labelCounts(labels, partitionOf(s, labels), 10);
  const summary: Record<string, number | string> = {
    params: net.size, finalAcc: out.testAccuracy[R - 1], bestAcc: Math.max(...out.testAccuracy), roundsToTarget, bytesToTarget, totalBytes: down + up,
    meanDrift: out.drift.reduce((a, b) => a + b, 0) / R, droppedClients: out.dropped.reduce((a, b) => a + b, 0), maxMaskError: Math.max(...out.maskError), maxQuantError: Math.max(...out.quantError),
    fixedPointBits: FIXED_POINT_BITS, emptyClients: parts.filter((p) => p.length === 0).length, finalNorm: l2(global),
  };
  return {
    settings: s, params: net.size, labelCounts: Int32Array.from(counts.flat()), clientSizes: Int32Array.from(parts.map((p) => p.length)), ...out,
    roundsToTarget, bytesToTarget, wallMs: performance.now() - t0, summary,
  };
}
