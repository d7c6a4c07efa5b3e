import { quantileSorted } from '../math/quantile';
/**
 * Percentile by linear interpolation between closest ranks (numpy's default, 'linear'): for sorted
 * x of length n, position h = (n − 1)·p/100, value x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile p must be in [0, 100]; got ${p}.`);
  return quantileSorted(sorted, p / 100);
}

export interface WindowStats {
  count: number;
  /** Completions per second over the window. */
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  errors: number;
  /** errors / (count + errors). */
  errorRate: number;
}

/**
 * Latencies of the requests that completed in the last `windowMs`: what a dashboard's "p99 over the
 * last 5 s" shows. Observations must be added in time order.
 */
export class SlidingWindow {
  private t: number[] = [];
  private v: number[] = [];
  private ok: boolean[] = [];
  private head = 0;

  constructor(readonly windowMs: number) {
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be positive; got ${windowMs}.`);
  }

  /** A completion at time `at` with latency `ms`; `ok` false for a failed request (its latency is not ranked). */
  add(at: number, ms: number, ok = true): void {
    this.t.push(at);
    this.v.push(ms);
    this.ok.push(ok);
  }

  private prune(now: number): void {
    while (this.head < this.t.length && this.t[this.head] <= now - this.windowMs) this.head++;
    if (this.head > 8192 && this.head * 2 > this.t.length) {
      this.t = this.t.slice(this.head);
      this.v = this.v.slice(this.head);
      this.ok = this.ok.slice(this.head);
      this.head = 0;
    }
  }

  /** Statistics of the completions in (now − windowMs, now]. */
  stats(now: number): WindowStats {
    this.prune(now);
    const lat: number[] = [];
    let errors = 0;
    for (let i = this.head; i < this.t.length; i++) {
      if (this.t[i] > now) break;
      if (this.ok[i]) lat.push(this.v[i]);
      else errors++;
    }
    const sorted = Float64Array.from(lat).sort();
    const total = lat.length + errors;
    return {
      count: lat.length,
      perSecond: (lat.length * 1000) / this.windowMs,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
      errors,
      errorRate: total ? errors / total : 0,
    };
  }
}
