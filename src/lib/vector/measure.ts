/** Measures of a search against exact results, and of how concentrated distances are. */
import { l2sq } from './distance';
import { checkK, VectorError } from './errors';
import { quantile } from '../math/quantile';
import { flatSearch } from './flat';

/** The value `fn` returns and the milliseconds it took. */
export function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t0 };
}

/**
 * The ground truth a lab measures recall against: the exact k nearest (L2) ids of each query by a
 * full scan of `n` base rows, and how long that scan took (the baseline an index is timed against).
 */
export function groundTruth(base: Float32Array, n: number, queries: Float32Array, nq: number, dim: number, k: number): { truth: Int32Array; ms: number } {
  const { value, ms } = timed(() => flatSearch(base, n, queries, nq, dim, k, 'l2').ids);
  return { truth: value, ms };
}

/** Mean over queries of |found ∩ truth| / k, reading the first k of each row (rows may be wider). */
export function recallAtK(found: Int32Array, truth: Int32Array, queries: number, k: number): number {
  checkK(k);
  const fw = found.length / queries, tw = truth.length / queries;
  if (!Number.isInteger(fw) || !Number.isInteger(tw) || fw < k || tw < k) throw new VectorError(`recallAtK: found (${found.length}) and truth (${truth.length}) must hold at least ${k} ids for each of ${queries} queries.`);
  let hit = 0;
  const set = new Set<number>();
  for (let q = 0; q < queries; q++) {
    set.clear();
    for (let j = 0; j < k; j++) set.add(truth[q * tw + j]);
    for (let j = 0; j < k; j++) if (found[q * fw + j] >= 0 && set.has(found[q * fw + j])) hit++;
  }
  return hit / (queries * k);
}

/**
 * Relative contrast (He, Kumar & Chang 2012): for each query, the mean L2 distance to the data over
 * the nearest one's; its mean over queries. It falls towards 1 as dimension grows: everything is
 * about as far as everything else, and "nearest" stops meaning much.
 */
export function relativeContrast(base: Float32Array, queries: Float32Array, dim: number): number {
  const n = base.length / dim, nq = queries.length / dim;
  let total = 0;
  for (let q = 0; q < nq; q++) {
    let sum = 0, min = Infinity;
    for (let i = 0; i < n; i++) {
      const d = Math.sqrt(l2sq(queries, q, base, i, dim));
      sum += d;
      if (d < min) min = d;
    }
    total += sum / n / min;
  }
  return total / nq;
}

/** Query-time percentile of a list of milliseconds (linear interpolation, as numpy's default). */
export const percentile = (xs: ArrayLike<number>, p: number): number => quantile(xs, p);
