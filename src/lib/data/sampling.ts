/**
 * Samplers and the estimators that go with them. Every sampler takes a seeded Rng.
 *
 * - Simple random sampling (SRS) without replacement: every n-subset equally likely.
 * - Stratified: SRS within each stratum, n_h allocated in proportion to N_h (largest remainders);
 *   estimate Σ_h (N_h/N)·ȳ_h.
 * - Weighted (Poisson / probability-proportional-to-size): unit i is kept independently with
 *   π_i = min(1, c·x_i) where c makes Σπ_i = n (capped units fixed at 1, the rest re-scaled).
 *   The Horvitz–Thompson estimate of the total, Σ_{i∈s} y_i/π_i, is unbiased for Σ y_i.
 * - Reservoir sampling over a stream: Algorithm R (Vitter 1985) keeps a uniform n-subset of a
 *   stream of unknown length in one pass; A-Res (Efraimidis & Spirakis 2006) keeps the n items with
 *   the largest u^(1/w), a weighted sample without replacement.
 * - Importance sampling: draws from a proposal q instead of the target p, weighted w = p/q.
 *   (1/n)Σ w·f is unbiased; the self-normalised Σ w·f / Σ w needs p and q only up to constants,
 *   and is consistent but biased at small n (its bias is O(1/n)).
 */
import type { Rng } from '../core/rng';

export class SamplingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SamplingError';
  }
}

function checkSize(n: number, N: number, what = 'population'): void {
  if (!Number.isInteger(n) || n < 1) throw new SamplingError(`sample size must be a whole number ≥ 1, got ${n}`);
  if (n > N) throw new SamplingError(`sample size ${n} is larger than the ${what} (${N})`);
}

/** n distinct indices of 0..N−1, uniformly (partial Fisher–Yates on a scratch permutation). */
export function simpleRandomSample(N: number, n: number, rng: Rng): Int32Array {
  checkSize(n, N);
  const p = new Int32Array(N);
  for (let i = 0; i < N; i++) p[i] = i;
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng() * (N - i));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p.slice(0, n);
}

/** Proportional allocation of n over stratum sizes by largest remainders, at least 1 per stratum when n allows. */
export function proportionalAllocation(sizes: ArrayLike<number>, n: number): Int32Array {
  const H = sizes.length;
  let N = 0;
  for (let h = 0; h < H; h++) N += sizes[h];
  checkSize(n, N);
  const alloc = new Int32Array(H);
  const rem: { h: number; r: number }[] = [];
  let used = 0;
  for (let h = 0; h < H; h++) {
    const exact = (n * sizes[h]) / N;
    alloc[h] = Math.floor(exact);
    used += alloc[h];
    rem.push({ h, r: exact - alloc[h] });
  }
  rem.sort((a, b) => b.r - a.r || a.h - b.h);
  for (let k = 0; used < n; k++, used++) alloc[rem[k % H].h]++;
  // A stratum with units but no draws cannot be estimated: move one draw from the largest.
  for (let h = 0; h < H; h++) {
    if (alloc[h] === 0 && sizes[h] > 0 && n >= H) {
      let big = 0;
      for (let g = 1; g < H; g++) if (alloc[g] > alloc[big]) big = g;
      alloc[big]--;
      alloc[h]++;
    }
  }
  return alloc;
}

export interface StratifiedSample {
  indices: Int32Array;
  /** Design weight N_h/n_h of each sampled unit (how many population units it stands for). */
  weights: Float64Array;
  allocation: Int32Array;
}

/** SRS within each stratum (strata[i] in 0..H−1), proportional allocation. */
export function stratifiedSample(strata: ArrayLike<number>, n: number, rng: Rng): StratifiedSample {
  let H = 0;
  for (let i = 0; i < strata.length; i++) {
    const s = strata[i];
    if (!(Number.isInteger(s) && s >= 0)) throw new SamplingError(`strata[${i}] is ${s}; strata are whole numbers from 0`);
    H = Math.max(H, s + 1);
  }
  const members: number[][] = Array.from({ length: H }, () => []);
  for (let i = 0; i < strata.length; i++) members[strata[i]].push(i);
  const allocation = proportionalAllocation(members.map((m) => m.length), n);
  const indices = new Int32Array(n);
  const weights = new Float64Array(n);
  let k = 0;
  for (let h = 0; h < H; h++) {
    if (allocation[h] === 0) continue;
    const pick = simpleRandomSample(members[h].length, allocation[h], rng);
    for (const j of pick) {
      indices[k] = members[h][j];
      weights[k++] = members[h].length / allocation[h];
    }
  }
  return { indices, weights, allocation };
}

/**
 * Inclusion probabilities π_i ∝ size_i with Σπ = n, capped at 1: units whose share would exceed 1
 * are taken for certain and the rest re-scaled, until no π exceeds 1.
 */
export function inclusionProbabilities(size: ArrayLike<number>, n: number): Float64Array {
  const N = size.length;
  checkSize(n, N);
  for (let i = 0; i < N; i++) if (!(size[i] > 0 && Number.isFinite(size[i]))) throw new SamplingError(`size[${i}] is ${size[i]}; sizes must be positive and finite`);
  const pi = new Float64Array(N);
  const certain = new Uint8Array(N);
  for (;;) {
    let rest = 0;
    let fixed = 0;
    for (let i = 0; i < N; i++) {
      if (certain[i]) fixed++;
      else rest += size[i];
    }
    const c = (n - fixed) / rest;
    let changed = false;
    for (let i = 0; i < N; i++) {
      if (certain[i]) pi[i] = 1;
      else if (c * size[i] >= 1) {
        certain[i] = 1;
        changed = true;
      } else pi[i] = c * size[i];
    }
    if (!changed) return pi;
  }
}

/** Poisson sampling: each unit kept independently with probability pi[i]; the sample size is random (mean Σπ). */
export function poissonSample(pi: ArrayLike<number>, rng: Rng): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < pi.length; i++) if (rng() < pi[i]) out.push(i);
  return Int32Array.from(out);
}

/** Horvitz–Thompson estimate of the population total Σ y: Σ_{i∈s} y_i/π_i. Unbiased for any design with all π_i > 0. */
export function horvitzThompsonTotal(y: ArrayLike<number>, pi: ArrayLike<number>, sample: ArrayLike<number>): number {
  let t = 0;
  for (let k = 0; k < sample.length; k++) {
    const i = sample[k];
    if (!(pi[i] > 0)) throw new SamplingError(`unit ${i} has inclusion probability ${pi[i]}; Horvitz–Thompson needs π > 0`);
    t += y[i] / pi[i];
  }
  return t;
}

/**
 * Algorithm R: one pass over a stream, keeping n items; after t items each has been kept with
 * probability n/t. Returns the kept items (fewer than n if the stream was shorter).
 */
export function reservoirSample<T>(stream: Iterable<T>, n: number, rng: Rng): T[] {
  if (!Number.isInteger(n) || n < 1) throw new SamplingError(`reservoir size must be a whole number ≥ 1, got ${n}`);
  const res: T[] = [];
  let t = 0;
  for (const item of stream) {
    t++;
    if (res.length < n) res.push(item);
    else {
      const j = Math.floor(rng() * t);
      if (j < n) res[j] = item;
    }
  }
  return res;
}

/**
 * A-Res weighted reservoir: keeps the n items with the largest keys u^(1/w), u ~ U(0,1). For n = 1
 * item i is kept with probability w_i/Σw; in general it is weighted sampling without replacement.
 */
export function weightedReservoirSample<T>(stream: Iterable<{ item: T; weight: number }>, n: number, rng: Rng): T[] {
  if (!Number.isInteger(n) || n < 1) throw new SamplingError(`reservoir size must be a whole number ≥ 1, got ${n}`);
  const heap: { key: number; item: T }[] = []; // min-heap on key
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && heap[l].key < heap[m].key) m = l;
      if (r < heap.length && heap[r].key < heap[m].key) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  for (const { item, weight } of stream) {
    if (!(weight > 0 && Number.isFinite(weight))) throw new SamplingError(`weight ${weight} must be positive and finite`);
    // log key = ln(u)/w keeps the order of u^(1/w) without underflow.
    const key = Math.log(rng()) / weight;
    if (heap.length < n) {
      heap.push({ key, item });
      for (let i = heap.length - 1; i > 0; ) {
        const p = (i - 1) >> 1;
        if (heap[p].key <= heap[i].key) break;
        [heap[p], heap[i]] = [heap[i], heap[p]];
        i = p;
      }
    } else if (key > heap[0].key) {
      heap[0] = { key, item };
      down(0);
    }
  }
  return heap.map((h) => h.item);
}

/** n draws with replacement from a discrete distribution q (any positive weights; normalised here), by inversion on the cumulative sums. */
export function sampleWithReplacement(q: ArrayLike<number>, n: number, rng: Rng): Int32Array {
  const N = q.length;
  const cum = new Float64Array(N);
  let s = 0;
  for (let i = 0; i < N; i++) {
    if (!(q[i] >= 0 && Number.isFinite(q[i]))) throw new SamplingError(`q[${i}] is ${q[i]}; proposal weights must be ≥ 0 and finite`);
    s += q[i];
    cum[i] = s;
  }
  if (!(s > 0)) throw new SamplingError('proposal weights sum to 0');
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const u = rng() * s;
    let lo = 0;
    let hi = N - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    out[k] = lo;
  }
  return out;
}

export interface ImportanceEstimate {
  /** (1/n) Σ w·f: unbiased when p and q are normalised. */
  plain: number;
  /** Σ w·f / Σ w: needs p/q only up to a constant; biased at small n. */
  selfNormalised: number;
  /** Kish's effective sample size (Σw)²/Σw²: how many equal-weight draws the sample is worth. */
  effectiveSampleSize: number;
}

/** Importance-sampling estimates of E_p[f] from draws x_k ~ q, given f(x_k) and w_k = p(x_k)/q(x_k). */
export function importanceEstimate(f: ArrayLike<number>, w: ArrayLike<number>): ImportanceEstimate {
  if (f.length !== w.length) throw new SamplingError(`f has ${f.length} values but w has ${w.length}`);
  if (f.length === 0) throw new SamplingError('importance sampling needs at least one draw');
  let sw = 0;
  let swf = 0;
  let sw2 = 0;
  for (let k = 0; k < f.length; k++) {
    sw += w[k];
    swf += w[k] * f[k];
    sw2 += w[k] * w[k];
  }
  return { plain: swf / f.length, selfNormalised: swf / sw, effectiveSampleSize: (sw * sw) / sw2 };
}

export interface EstimateStats {
  mean: number;
  bias: number;
  /** Variance over draws (population variance, ddof 0). */
  variance: number;
  rmse: number;
}

/** Bias, variance and RMSE of repeated estimates against the truth: RMSE² = bias² + variance. */
export function estimateStats(estimates: ArrayLike<number>, truth: number): EstimateStats {
  const R = estimates.length;
  let m = 0;
  for (let r = 0; r < R; r++) m += estimates[r] / R;
  let v = 0;
  for (let r = 0; r < R; r++) v += (estimates[r] - m) ** 2 / R;
  const bias = m - truth;
  return { mean: m, bias, variance: v, rmse: Math.sqrt(bias * bias + v) };
}
