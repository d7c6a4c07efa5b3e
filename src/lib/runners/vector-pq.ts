/** Lab "Product quantization": sub-vector codebooks, ADC, IVF-PQ with re-ranking; bytes per vector against recall. */
import { SettingsError, type Field } from '../core/fields';
import { vectorField as V } from './vector-fields';
import type { TaskContext } from '../core/task';
import { clustered } from '../vector/data';
import { groundTruth, percentile, recallAtK, timed } from '../vector/measure';
import { IvfPqIndex } from '../vector/pq';

export interface PqSettings {
  seed: number;
  n: number;
  queries: number;
  dim: number;
  clusters: number;
  nlist: number;
  /** Sub-vectors per vector: bytes per code (8-bit codes). */
  m: number;
  nbits: number;
  nprobe: number;
  /** Re-rank this many × k PQ candidates with the raw vectors (0: off). */
  rerank: number;
  trainRows: number;
  k: number;
}

export const defaults: PqSettings = { seed: 1, n: 50000, queries: 200, dim: 64, clusters: 200, nlist: 128, m: 8, nbits: 8, nprobe: 16, rerank: 10, trainRows: 10000, k: 10 };

export const fields: Field[] = [
  V.seed('Draws the vectors and seeds every k-means.'),
  V.base(2000, 2000000, 'Vectors in the index. A million 64-d vectors are 256 MB as float32 and 12 MB as 8-byte codes plus ids.'),
  V.queries(2000, 'Queries timed one at a time (median and p99 latency).'),
  V.dim(4, 512, 'Coordinates per vector (m must divide it).'),
  V.clusters(5000),
  V.nlist(8192, 'Coarse k-means cells; PQ encodes each vector’s offset from its cell’s centroid.'),
  { key: 'm', label: 'Sub-vectors (m)', kind: 'number', integer: true, min: 1, max: 256, explain: 'Each vector is cut into m pieces, each stored as one code: m bytes per vector.' },
  { key: 'nbits', label: 'Bits per code', kind: 'number', integer: true, min: 1, max: 8, explain: '2^nbits centroids per sub-space (stored in a byte either way).' },
  V.nprobe(8192, 'Cells each query scans by table look-ups. The curve tries every power of two up to 64.'),
  { key: 'rerank', label: 'Re-rank factor', kind: 'number', integer: true, min: 0, max: 100, explain: 'Re-score the best rerank × k PQ candidates with the raw vectors (kept beside the codes). 0 turns it off.' },
  V.trainRows(256, 200000, 256, 'Rows both k-means (coarse and per sub-space) learn from.'),
  V.k(),
];

export function validate(s: PqSettings): void {
  if (s.dim % s.m !== 0) throw new SettingsError('m', `m = ${s.m} must divide the dimension ${s.dim}.`);
  if (s.nprobe > s.nlist) throw new SettingsError('nprobe', `Lists probed (${s.nprobe}) cannot exceed the lists (${s.nlist}).`);
  const train = Math.min(s.trainRows, s.n);
  if (train < Math.max(s.nlist, 2 ** s.nbits)) throw new SettingsError('trainRows', `${train} training rows cannot make ${s.nlist} lists and ${2 ** s.nbits} centroids per sub-space.`);
}

export interface PqPoint {
  nprobe: number;
  recall: number;
  recallReranked: number;
}

export interface PqResult {
  curve: PqPoint[];
  /** At the chosen nprobe (re-ranked if rerank > 0): recall and per-query latency. */
  recall: number;
  recallPq: number;
  medianMs: number;
  p99Ms: number;
  flatMsPerQuery: number;
  trainMs: number;
  addMs: number;
  /** Codes and ids only, and everything (with the raw vectors when re-ranking). */
  codeBytes: number;
  memoryBytes: number;
  floatBytes: number;
  /** Float32 bytes of a vector over its code bytes. */
  compression: number;
}

export async function run(ctx: TaskContext, s: PqSettings): Promise<PqResult> {
  validate(s);
  ctx.progress(0.01, 'drawing vectors');
  const { base, queries } = clustered({ n: s.n, queries: s.queries, dim: s.dim, clusters: s.clusters, spread: 0.35, seed: s.seed });
  await ctx.tick(0.05, 'exact scan (ground truth)');
  const exact = groundTruth(base, s.n, queries, s.queries, s.dim, s.k);
  const truth = exact.truth;
  const flatMsPerQuery = exact.ms / s.queries;
  await ctx.tick(0.2, 'k-means: coarse lists, then one codebook per sub-space');
  const index = new IvfPqIndex({ dim: s.dim, metric: 'l2', nlist: s.nlist, m: s.m, nbits: s.nbits, seed: s.seed, iters: 10, refine: s.rerank > 0 });
  const trainMs = timed(() => index.train(base.subarray(0, Math.min(s.trainRows, s.n) * s.dim))).ms;
  const t0 = performance.now();
  const CHUNK = 5000;
  for (let i = 0; i < s.n; i += CHUNK) {
    await ctx.tick(0.45 + (0.35 * i) / s.n, `encoding: vector ${i} of ${s.n}`);
    index.add(base.subarray(i * s.dim, Math.min(s.n, i + CHUNK) * s.dim));
  }
  const addMs = performance.now() - t0;
  const probes = [1, 2, 4, 8, 16, 32, 64].filter((p) => p <= s.nlist);
  const curve: PqPoint[] = [];
  for (const p of probes) {
    await ctx.tick(0.8 + (0.1 * curve.length) / probes.length, `searching with nprobe ${p}`);
    const plain = recallAtK(index.search(queries, s.k, { nprobe: p }).ids, truth, s.queries, s.k);
    const re = s.rerank ? recallAtK(index.search(queries, s.k, { nprobe: p, rerank: s.rerank }).ids, truth, s.queries, s.k) : plain;
    curve.push({ nprobe: p, recall: plain, recallReranked: re });
  }
  await ctx.tick(0.92, `timing queries one at a time at nprobe ${s.nprobe}`);
  const ms: number[] = [], found = new Int32Array(s.queries * s.k);
  for (let q = 0; q < s.queries; q++) {
    const t = performance.now();
    const r = index.search(queries.subarray(q * s.dim, (q + 1) * s.dim), s.k, { nprobe: s.nprobe, rerank: s.rerank || undefined });
    ms.push(performance.now() - t);
    found.set(r.ids, q * s.k);
  }
  const recallPq = recallAtK(index.search(queries, s.k, { nprobe: s.nprobe }).ids, truth, s.queries, s.k);
  ctx.progress(1, 'done');
  return {
    curve, recall: recallAtK(found, truth, s.queries, s.k), recallPq, medianMs: percentile(ms, 0.5), p99Ms: percentile(ms, 0.99), flatMsPerQuery,
    trainMs, addMs, codeBytes: index.codeBytes(), memoryBytes: index.memoryBytes(), floatBytes: s.n * s.dim * 4, compression: (s.dim * 4) / s.m,
  };
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

export function digest(r: PqResult) {
  return {
    recall: r4(r.recall), recallPq: r4(r.recallPq), medianMs: r4(r.medianMs), p99Ms: r4(r.p99Ms), flatMsPerQuery: r4(r.flatMsPerQuery),
    trainMs: Math.round(r.trainMs), addMs: Math.round(r.addMs), codeBytes: r.codeBytes, memoryBytes: r.memoryBytes, floatBytes: r.floatBytes, compression: r4(r.compression),
  };
}
