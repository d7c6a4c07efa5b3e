/**
 * How a federated data set is spread over clients: IID (a seeded shuffle cut into equal parts), by
 * a Dirichlet draw over labels (Hsu et al. 2019: for every class, the shares of its samples that go
 * to each client are p ~ Dir(α, …, α); small α gives each client few classes, large α approaches
 * IID), or as label shards (McMahan et al. 2017: sort by label, cut into 2K shards, deal 2 to each
 * of K clients, so most clients see two classes). Every sample goes to exactly one client.
 */
import { deriveSeed, mulberry32, permutation, shuffleInPlace, type Rng } from '../core/rng';
import { normalSampler, sampleGamma } from '../math/random';
import { DistributedError, ensure, requireFinite, requireInt } from './errors';

export type PartitionKind = 'iid' | 'dirichlet' | 'shards';

function checkLabels(labels: ArrayLike<number>): void {
  ensure(labels != null && typeof labels.length === 'number', 'labels must be an array of class numbers.');
  for (let i = 0; i < labels.length; i++) {
    if (!Number.isInteger(labels[i])) throw new DistributedError(`labels[${i}] must be a whole class number; it is ${String(labels[i])}.`);
  }
}

/**
 * log of a Gamma(α, 1) draw. For α < 1 it is log Gamma(α + 1) + log(u)/α (the boost of
 * Marsaglia & Tsang), kept in logs because u^(1/α) underflows to 0 for α near 0.01.
 */
function logGamma(alpha: number, rng: Rng, normal: () => number): number {
  if (alpha >= 1) return Math.log(sampleGamma(alpha, rng, normal));
  return Math.log(sampleGamma(alpha + 1, rng, normal)) + Math.log(1 - rng()) / alpha;
}

/** A draw from the symmetric Dirichlet Dir(α, …, α) with k components. */
export function sampleDirichlet(k: number, alpha: number, rng: Rng): Float64Array {
  const normal = normalSampler(rng);
  const logs = Array.from({ length: k }, () => logGamma(alpha, rng, normal));
  const top = Math.max(...logs);
  const p = Float64Array.from(logs, (l) => Math.exp(l - top));
  const sum = p.reduce((a, b) => a + b, 0);
  return p.map((x) => x / sum);
}

/** The distinct labels in ascending order, and each one's sample indices in order of appearance. */
function byClass(labels: ArrayLike<number>): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const g = groups.get(labels[i]);
    if (g) g.push(i);
    else groups.set(labels[i], [i]);
  }
  return new Map([...groups.entries()].sort((a, b) => a[0] - b[0]));
}

/**
 * Sample indices for each of `clients` clients: for every class, its samples are shuffled and cut
 * by the cumulative shares of a Dir(α) draw (cut k at ⌊n_c·Σ_{j≤k} p_j⌋). Seeded; every sample in
 * exactly one client; at small α some clients may get no samples at all. Each list is ascending.
 */
export function dirichletPartition(labels: ArrayLike<number>, clients: number, alpha: number, seed: number): number[][] {
  checkLabels(labels);
  requireInt(clients, 'clients', 1);
  requireFinite(alpha, 'alpha');
  ensure(alpha > 0, `alpha must be greater than 0; it is ${alpha}.`);
  requireInt(seed, 'seed', 0, 2 ** 32 - 1);
  const out: number[][] = Array.from({ length: clients }, () => []);
  let stream = 0;
  for (const idx of byClass(labels).values()) {
    const rng = mulberry32(deriveSeed(seed, stream++));
    shuffleInPlace(idx, rng);
    const p = sampleDirichlet(clients, alpha, rng);
    let cum = 0;
    let start = 0;
    for (let k = 0; k < clients; k++) {
      cum += p[k];
      const end = k === clients - 1 ? idx.length : Math.min(idx.length, Math.floor(cum * idx.length));
      for (let i = start; i < end; i++) out[k].push(idx[i]);
      start = Math.max(start, end);
    }
  }
  return out.map((l) => l.sort((a, b) => a - b));
}

/** A seeded shuffle of all samples cut into `clients` parts whose sizes differ by at most one. */
export function iidPartition(n: number, clients: number, seed: number): number[][] {
  requireInt(n, 'n', 0);
  requireInt(clients, 'clients', 1);
  const perm = permutation(n, mulberry32(deriveSeed(seed, 7001)));
  return Array.from({ length: clients }, (_, k) => Array.from(perm.subarray(Math.floor((k * n) / clients), Math.floor(((k + 1) * n) / clients))).sort((a, b) => a - b));
}

/**
 * McMahan et al.'s pathological non-IID split: samples sorted by label (ties by index), cut into
 * clients·shardsPerClient equal shards, and each client dealt `shardsPerClient` shards at random.
 */
export function shardPartition(labels: ArrayLike<number>, clients: number, shardsPerClient: number, seed: number): number[][] {
  checkLabels(labels);
  requireInt(clients, 'clients', 1);
  requireInt(shardsPerClient, 'shardsPerClient', 1);
  const n = labels.length;
  const shards = clients * shardsPerClient;
  ensure(n >= shards, `shard partition needs at least clients × shardsPerClient = ${shards} samples; there are ${n}.`);
  const sorted = Array.from({ length: n }, (_, i) => i).sort((a, b) => labels[a] - labels[b] || a - b);
  const order = permutation(shards, mulberry32(deriveSeed(seed, 7002)));
  return Array.from({ length: clients }, (_, k) => {
    const mine: number[] = [];
    for (let j = 0; j < shardsPerClient; j++) {
      const s = order[k * shardsPerClient + j];
      for (let i = Math.floor((s * n) / shards); i < Math.floor(((s + 1) * n) / shards); i++) mine.push(sorted[i]);
    }
    return mine.sort((a, b) => a - b);
  });
}

/** Samples of each class held by each client: counts[k][c] for classes 0..classes−1. */
export function labelCounts(labels: ArrayLike<number>, parts: number[][], classes: number): number[][] {
  return parts.map((idx) => {
    const c = new Array<number>(classes).fill(0);
    for (const i of idx) c[labels[i]]++;
    return c;
  });
}
