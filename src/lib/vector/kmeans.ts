/**
 * k-means with k-means++ seeding (Arthur & Vassilvitskii 2007: each next centre drawn with
 * probability ∝ D(x)², the squared distance to the nearest centre so far), then Lloyd iterations.
 * An empty cluster takes the point farthest from its centre, so no centroid is wasted.
 */
import { mulberry32 } from '../core/rng';
import { l2sq } from './distance';
import { VectorError } from './errors';

export interface KMeansOptions {
  /** Lloyd iterations after seeding. */
  iters?: number;
  seed?: number;
}

export interface KMeansResult {
  centroids: Float32Array;
  /** Nearest centroid of each training row. */
  assign: Int32Array;
  /** Sum of squared distances to the assigned centroids (the objective). */
  inertia: number;
}

/** Nearest row of `c` (k rows) to row i of x: index and squared distance. */
export function nearest(x: Float32Array, i: number, c: Float32Array, k: number, dim: number): [number, number] {
  let best = 0, bd = Infinity;
  for (let j = 0; j < k; j++) {
    const d = l2sq(x, i, c, j, dim);
    if (d < bd) { bd = d; best = j; }
  }
  return [best, bd];
}

export function kmeans(x: Float32Array, dim: number, k: number, opts: KMeansOptions = {}): KMeansResult {
  const n = x.length / dim;
  if (n < k) throw new VectorError(`k-means needs at least ${k} training rows for ${k} centroids (got ${n}).`);
  const rng = mulberry32(opts.seed ?? 1);
  const iters = opts.iters ?? 20;
  const c = new Float32Array(k * dim);
  // k-means++ seeding.
  const first = Math.floor(rng() * n);
  c.set(x.subarray(first * dim, first * dim + dim), 0);
  const d2 = new Float64Array(n);
  for (let i = 0; i < n; i++) d2[i] = l2sq(x, i, c, 0, dim);
  for (let j = 1; j < k; j++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += d2[i];
    let r = rng() * total, pick = n - 1;
    for (let i = 0; i < n; i++) {
      r -= d2[i];
      if (r < 0) { pick = i; break; }
    }
    c.set(x.subarray(pick * dim, pick * dim + dim), j * dim);
    for (let i = 0; i < n; i++) {
      const d = l2sq(x, i, c, j, dim);
      if (d < d2[i]) d2[i] = d;
    }
  }
  const assign = new Int32Array(n);
  const dist = new Float64Array(n);
  let inertia = 0;
  const sums = new Float64Array(k * dim);
  const counts = new Int32Array(k);
  for (let it = 0; it <= iters; it++) {
    inertia = 0;
    for (let i = 0; i < n; i++) {
      const [a, d] = nearest(x, i, c, k, dim);
      assign[i] = a; dist[i] = d; inertia += d;
    }
    if (it === iters) break;
    sums.fill(0); counts.fill(0);
    for (let i = 0; i < n; i++) {
      const a = assign[i], o = a * dim, oi = i * dim;
      counts[a]++;
      for (let t = 0; t < dim; t++) sums[o + t] += x[oi + t];
    }
    for (let j = 0; j < k; j++) {
      if (counts[j] === 0) {
        // Re-seed an empty cluster at the point worst served by its centre.
        let far = 0;
        for (let i = 1; i < n; i++) if (dist[i] > dist[far]) far = i;
        c.set(x.subarray(far * dim, far * dim + dim), j * dim);
        dist[far] = 0;
        continue;
      }
      for (let t = 0; t < dim; t++) c[j * dim + t] = sums[j * dim + t] / counts[j];
    }
  }
  return { centroids: c, assign, inertia };
}
