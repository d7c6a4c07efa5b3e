/** Lab "IVF": a k-means coarse quantizer, inverted lists, and the recall / speed trade of nprobe. */
import { SettingsError, type Field } from '../core/fields';
import { vectorField as V } from './vector-fields';
import type { TaskContext } from '../core/task';
import { clustered } from '../vector/data';
import { IvfIndex } from '../vector/ivf';
import { groundTruth, recallAtK, timed } from '../vector/measure';

export interface IvfSettings {
  seed: number;
  n: number;
  queries: number;
  dim: number;
  /** Gaussian clusters in the data (not the index's lists). */
  clusters: number;
  nlist: number;
  nprobe: number;
  /** Rows k-means trains on (the first ones of the base). */
  trainRows: number;
  k: number;
}

export const defaults: IvfSettings = { seed: 1, n: 20000, queries: 200, dim: 32, clusters: 50, nlist: 100, nprobe: 8, trainRows: 5000, k: 10 };

export const fields: Field[] = [
  V.seed('Draws the vectors and seeds k-means++; same seed, same lists.'),
  V.base(1000, 500000),
  V.queries(5000),
  V.dim(2, 512),
  V.clusters(1000, 'How many Gaussian blobs the data is drawn from; few blobs and many lists make uneven lists.'),
  V.nlist(4096, 'k-means centroids: the cells space is cut into. More lists, shorter scans, but a neighbour more often sits in a cell you did not probe.'),
  V.nprobe(4096, 'How many nearest cells each query scans. The curve below tries every power of two; this one is reported on its own.'),
  V.trainRows(100, 500000, 100, 'Rows k-means learns the centroids from (FAISS wants at least 39 × nlist).'),
  V.k('Neighbours per query; recall@k compares them with the exact scan.'),
];

export function validate(s: IvfSettings): void {
  if (s.nprobe > s.nlist) throw new SettingsError('nprobe', `Lists probed (${s.nprobe}) cannot exceed the lists there are (${s.nlist}).`);
  if (s.nlist > Math.min(s.trainRows, s.n)) throw new SettingsError('nlist', `k-means cannot make ${s.nlist} lists from ${Math.min(s.trainRows, s.n)} training rows.`);
}


export interface CurvePoint {
  nprobe: number;
  recall: number;
  qps: number;
  /** Mean share of the base each query scanned. */
  scanned: number;
}

export interface IvfResult {
  curve: CurvePoint[];
  chosen: CurvePoint;
  flatQps: number;
  trainMs: number;
  addMs: number;
  listSizes: Int32Array;
  memoryBytes: number;
  flatBytes: number;
  /** Smallest nprobe with recall@k ≥ 0.95 (recall never falls as nprobe grows, so a bisection finds it). */
  minNprobe95: number;
}

export async function run(ctx: TaskContext, s: IvfSettings): Promise<IvfResult> {
  ctx.progress(0.02, 'drawing vectors');
  const { base, queries } = clustered({ n: s.n, queries: s.queries, dim: s.dim, clusters: s.clusters, spread: 0.35, seed: s.seed });
  await ctx.tick(0.05, 'exact scan (ground truth)');
  const exact = groundTruth(base, s.n, queries, s.queries, s.dim, s.k);
  const truth = exact.truth;
  const flatQps = (1000 * s.queries) / exact.ms;
  await ctx.tick(0.25, 'k-means on the training rows');
  const index = new IvfIndex({ dim: s.dim, metric: 'l2', nlist: s.nlist, seed: s.seed, iters: 20 });
  const trainMs = timed(() => index.train(base.subarray(0, Math.min(s.trainRows, s.n) * s.dim))).ms;
  await ctx.tick(0.5, 'filling the inverted lists');
  const addMs = timed(() => index.add(base)).ms;
  const sizes = index.listSizes();
  const measure = (nprobe: number): CurvePoint => {
    const t = performance.now();
    const r = index.search(queries, s.k, { nprobe });
    const ms = performance.now() - t;
    let scanned = 0;
    for (let q = 0; q < s.queries; q++) for (const l of index.coarse.probe(queries, q, nprobe)) scanned += sizes[l];
    return { nprobe, recall: recallAtK(r.ids, truth, s.queries, s.k), qps: (1000 * s.queries) / ms, scanned: scanned / (s.queries * s.n) };
  };
  const probes: number[] = [];
  for (let p = 1; p < s.nlist; p *= 2) probes.push(p);
  probes.push(s.nlist);
  const curve: CurvePoint[] = [];
  for (const [i, p] of probes.entries()) {
    await ctx.tick(0.6 + (0.3 * i) / probes.length, `searching with nprobe ${p}`);
    curve.push(measure(p));
  }
  const chosen = curve.find((c) => c.nprobe === s.nprobe) ?? measure(s.nprobe);
  await ctx.tick(0.92, 'finding the smallest nprobe for recall 0.95');
  const recallAt = (p: number) => curve.find((c) => c.nprobe === p)?.recall ?? recallAtK(index.search(queries, s.k, { nprobe: p }).ids, truth, s.queries, s.k);
  let lo = 1, hi = s.nlist;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (recallAt(mid) >= 0.95) hi = mid; else lo = mid + 1;
  }
  ctx.progress(1, 'done');
  return { curve, chosen, flatQps, trainMs, addMs, listSizes: sizes, memoryBytes: index.memoryBytes(), flatBytes: s.n * s.dim * 4, minNprobe95: lo };
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** List-size imbalance: largest list over the mean. */
export function imbalance(sizes: Int32Array): number {
  let max = 0, sum = 0;
  for (const v of sizes) { sum += v; if (v > max) max = v; }
  return max / (sum / sizes.length);
}

export function digest(r: IvfResult) {
  return {
    recall: r4(r.chosen.recall), qps: Math.round(r.chosen.qps), speedup: r4(r.chosen.qps / r.flatQps), scanned: r4(r.chosen.scanned),
    flatQps: Math.round(r.flatQps), recallAt1: r4(r.curve[0].recall), minNprobe95: r.minNprobe95,
    imbalance: r4(imbalance(r.listSizes)), emptyLists: r.listSizes.filter((v) => v === 0).length,
    trainMs: Math.round(r.trainMs), addMs: Math.round(r.addMs), memoryBytes: r.memoryBytes,
  };
}
