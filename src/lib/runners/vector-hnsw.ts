/** Lab "HNSW": a layered proximity graph, its knobs (M, efConstruction, efSearch), and deletes while serving. */
import type { Field } from '../core/fields';
import { vectorField as V } from './vector-fields';
import type { TaskContext } from '../core/task';
import { deriveSeed, mulberry32, permutation } from '../core/rng';
import { clustered } from '../vector/data';
import { flatSearch } from '../vector/flat';
import { HnswIndex, type Route } from '../vector/hnsw';
import { groundTruth, recallAtK } from '../vector/measure';

export interface HnswSettings {
  seed: number;
  n: number;
  queries: number;
  dim: number;
  clusters: number;
  /** Spread of points around their cluster centre (centres have 1): higher overlaps the clusters. */
  spread: number;
  M: number;
  efConstruction: number;
  efSearch: number;
  k: number;
  /** Share of the vectors removed (and as many new ones inserted) while the index serves. */
  churn: number;
}

export const defaults: HnswSettings = { seed: 1, n: 10000, queries: 200, dim: 32, clusters: 20, spread: 1, M: 16, efConstruction: 100, efSearch: 32, k: 10, churn: 0.1 };

export const fields: Field[] = [
  V.seed('Draws the vectors and every node’s level; same seed, same graph.'),
  V.base(1000, 200000, 'Nodes in the graph. The scan grows with n; a graph search only with about log n.'),
  V.queries(5000),
  V.dim(2, 512),
  V.clusters(1000),
  { key: 'spread', label: 'Cluster spread', kind: 'number', min: 0.05, max: 3, step: 0.05, explain: 'How wide each blob is: wide blobs overlap and make neighbours harder to find.' },
  { key: 'M', label: 'Links per node (M)', kind: 'number', integer: true, min: 2, max: 64, explain: 'Neighbours each node keeps on the upper layers (2M on layer 0). More links: better recall, more memory, slower build.' },
  { key: 'efConstruction', label: 'efConstruction', kind: 'number', integer: true, min: 4, max: 800, explain: 'Candidates considered when linking a new node: a better graph for a slower build.' },
  { key: 'efSearch', label: 'efSearch', kind: 'number', integer: true, min: 1, max: 2000, explain: 'Candidates a query keeps on layer 0. The curve tries several; this one is reported on its own (at least k is used).' },
  V.k(),
  { key: 'churn', label: 'Churn', kind: 'number', min: 0, max: 0.5, step: 0.05, explain: 'After the build, remove this share of vectors (tombstones) and insert as many new ones, then measure again.' },
];

export interface EfPoint {
  ef: number;
  recall: number;
  qps: number;
  /** Distance computations per query. */
  distances: number;
}

export interface HnswResult {
  curve: EfPoint[];
  chosen: EfPoint;
  flatQps: number;
  buildMs: number;
  memoryBytes: number;
  flatBytes: number;
  levelCounts: number[];
  route: Route;
  /** After churn: recall against an exact scan of the live vectors, and removed ids that came back (must be 0). */
  churnRecall: number;
  removedReturned: number;
  removed: number;
}

export async function run(ctx: TaskContext, s: HnswSettings): Promise<HnswResult> {
  ctx.progress(0.01, 'drawing vectors');
  const extra = Math.round(s.n * s.churn);
  const { base: all, queries } = clustered({ n: s.n + extra, queries: s.queries, dim: s.dim, clusters: s.clusters, spread: s.spread, seed: s.seed });
  const base = all.subarray(0, s.n * s.dim);
  await ctx.tick(0.03, 'exact scan (ground truth)');
  const exact = groundTruth(base, s.n, queries, s.queries, s.dim, s.k);
  const truth = exact.truth;
  const flatQps = (1000 * s.queries) / exact.ms;
  const index = new HnswIndex({ dim: s.dim, metric: 'l2', M: s.M, efConstruction: s.efConstruction, seed: deriveSeed(s.seed, 3) });
  const t0 = performance.now();
  const CHUNK = 250;
  for (let i = 0; i < s.n; i += CHUNK) {
    await ctx.tick(0.1 + (0.6 * i) / s.n, `building: node ${i} of ${s.n}`);
    index.add(base.subarray(i * s.dim, Math.min(s.n, i + CHUNK) * s.dim));
  }
  const buildMs = performance.now() - t0;
  const measure = (ef: number): EfPoint => {
    index.distanceCount = 0;
    const t = performance.now();
    const r = index.search(queries, s.k, { efSearch: ef });
    const ms = performance.now() - t;
    return { ef, recall: recallAtK(r.ids, truth, s.queries, s.k), qps: (1000 * s.queries) / ms, distances: index.distanceCount / s.queries };
  };
  const efs = [...new Set([s.k, 16, 32, 64, 128, 256, s.efSearch].map((e) => Math.max(e, s.k)))].sort((a, b) => a - b);
  const curve: EfPoint[] = [];
  for (const [i, ef] of efs.entries()) {
    await ctx.tick(0.72 + (0.15 * i) / efs.length, `searching with efSearch ${ef}`);
    curve.push(measure(ef));
  }
  const chosen = curve.find((c) => c.ef === Math.max(s.efSearch, s.k))!;
  const route = index.route(queries.subarray(0, s.dim), Math.max(s.efSearch, s.k));
  const memoryBytes = index.memoryBytes();
  const levelCounts = index.levelCounts();
  await ctx.tick(0.9, 'churn: removing and inserting while serving');
  const gone = Array.from(permutation(s.n, mulberry32(deriveSeed(s.seed, 4))).subarray(0, extra));
  index.remove(gone);
  if (extra) index.add(all.subarray(s.n * s.dim));
  const removed = new Set(gone);
  const liveIds: number[] = [];
  for (let i = 0; i < s.n + extra; i++) if (!removed.has(i)) liveIds.push(i);
  const live = new Float32Array(liveIds.length * s.dim);
  liveIds.forEach((id, j) => live.set(all.subarray(id * s.dim, (id + 1) * s.dim), j * s.dim));
  const liveTruth = Int32Array.from(flatSearch(live, liveIds.length, queries, s.queries, s.dim, s.k, 'l2').ids, (j) => liveIds[j]);
  const after = index.search(queries, s.k, { efSearch: Math.max(s.efSearch, s.k) }).ids;
  const removedReturned = after.filter((id) => removed.has(id)).length;
  ctx.progress(1, 'done');
  return {
    curve, chosen, flatQps, buildMs, memoryBytes, flatBytes: s.n * s.dim * 4, levelCounts, route,
    churnRecall: recallAtK(after, liveTruth, s.queries, s.k), removedReturned, removed: extra,
  };
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

export function digest(r: HnswResult) {
  return {
    recall: r4(r.chosen.recall), qps: Math.round(r.chosen.qps), speedup: r4(r.chosen.qps / r.flatQps), distances: Math.round(r.chosen.distances),
    flatQps: Math.round(r.flatQps), buildMs: Math.round(r.buildMs), memoryBytes: r.memoryBytes, layers: r.levelCounts.length,
    churnRecall: r4(r.churnRecall), removedReturned: r.removedReturned, removed: r.removed,
  };
}
