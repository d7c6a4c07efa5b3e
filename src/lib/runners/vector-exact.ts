/** Lab "Exact search": flat L2 / inner-product / cosine scan, its cost, and why it cannot be beaten by trees in high dimension. */
import type { Field } from '../core/fields';
import { vectorField as V } from './vector-fields';
import type { TaskContext } from '../core/task';
import { deriveSeed } from '../core/rng';
import { clustered, uniformCube } from '../vector/data';
import { TopK, costFn } from '../vector/distance';
import { flatSearch } from '../vector/flat';
import { KdTree } from '../vector/kdtree';
import { relativeContrast } from '../vector/measure';

export interface ExactSettings {
  seed: number;
  /** Base vectors to search. */
  n: number;
  queries: number;
  dim: number;
  metric: 'l2' | 'ip' | 'cosine';
  data: 'clustered' | 'uniform';
  k: number;
  /** The dimension sweep (distance concentration, k-d tree) goes up to this. */
  maxDim: number;
}

export const defaults: ExactSettings = { seed: 1, n: 20000, queries: 100, dim: 64, metric: 'l2', data: 'clustered', k: 10, maxDim: 512 };

export const fields: Field[] = [
  V.seed('Draws the vectors; the same seed gives the same data and the same neighbours.'),
  V.base(1000, 500000, 'How many vectors the scan compares every query with: its cost grows in proportion.'),
  V.queries(2000, 'Queries timed (drawn from the same distribution as the base).'),
  V.dim(2, 1024, 'Coordinates per vector: each distance costs this many multiply-adds.'),
  { key: 'metric', label: 'Similarity', kind: 'choice', explain: 'Squared L2 (smaller is nearer), inner product (larger is nearer), or cosine (inner product of unit vectors).',
    options: [{ value: 'l2', label: 'L2' }, { value: 'ip', label: 'inner product' }, { value: 'cosine', label: 'cosine' }] },
  { key: 'data', label: 'Data', kind: 'choice', explain: 'Gaussian clusters (like real embeddings) or uniform noise in a cube.',
    options: [{ value: 'clustered', label: 'clusters' }, { value: 'uniform', label: 'uniform' }] },
  V.k('Neighbours returned per query.'),
  { key: 'maxDim', label: 'Sweep up to dimension', kind: 'number', integer: true, min: 8, max: 1024, explain: 'The concentration and k-d tree sweep doubles the dimension from 2 up to this, on 4,000 uniform points.' },
];

export interface SweepPoint {
  dim: number;
  /** Mean over queries of (mean distance / nearest distance). */
  contrast: number;
  /** Share of the points the k-d tree computed a distance to, mean over queries. */
  kdVisited: number;
  /** Whether the tree found the scan's nearest neighbour for every query (it must: it is exact). */
  kdExact: boolean;
}

export interface ExactResult {
  ids: Int32Array;
  distances: Float32Array;
  /** Blocked scan: ms per query and queries/s. */
  msPerQuery: number;
  qps: number;
  /** One query at a time, no tiling. */
  naiveMsPerQuery: number;
  memoryBytes: number;
  sweep: SweepPoint[];
  sweepN: number;
}

const SWEEP_N = 4000, SWEEP_Q = 40;

function normalize(x: Float32Array, dim: number): void {
  for (let i = 0; i < x.length; i += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += x[i + j] * x[i + j];
    const r = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < dim; j++) x[i + j] *= r;
  }
}

export async function run(ctx: TaskContext, s: ExactSettings): Promise<ExactResult> {
  ctx.progress(0.02, 'drawing vectors');
  const { base, queries } = s.data === 'clustered'
    ? clustered({ n: s.n, queries: s.queries, dim: s.dim, clusters: 50, spread: 0.35, seed: s.seed })
    : { base: uniformCube(s.n, s.dim, s.seed), queries: uniformCube(s.queries, s.dim, deriveSeed(s.seed, 1)) };
  const metric = s.metric === 'l2' ? 'l2' : 'ip';
  if (s.metric === 'cosine') { normalize(base, s.dim); normalize(queries, s.dim); }
  await ctx.tick(0.1, 'scanning (blocked)');
  let t0 = performance.now();
  const { ids, distances } = flatSearch(base, s.n, queries, s.queries, s.dim, s.k, metric);
  const blocked = performance.now() - t0;
  await ctx.tick(0.4, 'scanning (one query at a time)');
  const cost = costFn(metric), h = new TopK(s.k);
  t0 = performance.now();
  for (let q = 0; q < s.queries; q++) {
    h.reset();
    for (let b = 0; b < s.n; b++) { const c = cost(queries, q, base, b, s.dim); if (c <= h.bound) h.push(b, c); }
  }
  const naive = performance.now() - t0;
  const sweep: SweepPoint[] = [];
  const dims: number[] = [];
  for (let d = 2; d <= s.maxDim; d *= 2) dims.push(d);
  for (const [i, d] of dims.entries()) {
    await ctx.tick(0.7 + (0.3 * i) / dims.length, `dimension ${d}: contrast and k-d tree`);
    const b = uniformCube(SWEEP_N, d, deriveSeed(s.seed, 10 + d)), q = uniformCube(SWEEP_Q, d, deriveSeed(s.seed, 20 + d));
    const tree = new KdTree(b, d);
    const truth = flatSearch(b, SWEEP_N, q, SWEEP_Q, d, 1, 'l2').ids;
    let visited = 0, exact = true;
    for (let t = 0; t < SWEEP_Q; t++) {
      const [id] = tree.nearest(q, t);
      visited += tree.visited;
      if (id !== truth[t]) exact = false;
    }
    sweep.push({ dim: d, contrast: relativeContrast(b, q, d), kdVisited: visited / (SWEEP_Q * SWEEP_N), kdExact: exact });
  }
  ctx.progress(1, 'done');
  return { ids, distances, msPerQuery: blocked / s.queries, qps: (1000 * s.queries) / blocked, naiveMsPerQuery: naive / s.queries, memoryBytes: s.n * s.dim * 4, sweep, sweepN: SWEEP_N };
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** The numbers kept with a run. */
export function digest(r: ExactResult) {
  const lo = r.sweep[0], hi = r.sweep[r.sweep.length - 1];
  return {
    msPerQuery: r4(r.msPerQuery), qps: Math.round(r.qps), naiveMsPerQuery: r4(r.naiveMsPerQuery), memoryBytes: r.memoryBytes,
    contrastLow: r4(lo.contrast), contrastHigh: r4(hi.contrast), kdVisitedLow: r4(lo.kdVisited), kdVisitedHigh: r4(hi.kdVisited), sweepDim: hi.dim,
    kdExact: r.sweep.every((p) => p.kdExact) ? 1 : 0,
  };
}
