/**
 * Distances and a bounded top-k. Internally every index ranks by a "cost" where smaller is nearer:
 * squared L2 for 'l2', the negated inner product for 'ip'; results turn it back (FAISS's convention:
 * 'l2' reports squared distances, 'ip' reports inner products, largest first).
 */
export type Metric = 'l2' | 'ip';

/**
 * Squared L2 between row a of `x` and row b of `y`, accumulated in float64 over four independent
 * sums (one running sum would wait on each add's latency; four keep the adder busy).
 */
export function l2sq(x: Float32Array, a: number, y: Float32Array, b: number, dim: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const oa = a * dim, ob = b * dim;
  let j = 0;
  for (; j + 3 < dim; j += 4) {
    const d0 = x[oa + j] - y[ob + j], d1 = x[oa + j + 1] - y[ob + j + 1], d2 = x[oa + j + 2] - y[ob + j + 2], d3 = x[oa + j + 3] - y[ob + j + 3];
    s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
  }
  for (; j < dim; j++) { const d = x[oa + j] - y[ob + j]; s0 += d * d; }
  return s0 + s1 + s2 + s3;
}

export function dot(x: Float32Array, a: number, y: Float32Array, b: number, dim: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const oa = a * dim, ob = b * dim;
  let j = 0;
  for (; j + 3 < dim; j += 4) {
    s0 += x[oa + j] * y[ob + j]; s1 += x[oa + j + 1] * y[ob + j + 1]; s2 += x[oa + j + 2] * y[ob + j + 2]; s3 += x[oa + j + 3] * y[ob + j + 3];
  }
  for (; j < dim; j++) s0 += x[oa + j] * y[ob + j];
  return s0 + s1 + s2 + s3;
}

/** The cost function of a metric: smaller is nearer. */
export function costFn(metric: Metric): (x: Float32Array, a: number, y: Float32Array, b: number, dim: number) => number {
  return metric === 'l2' ? l2sq : (x, a, y, b, dim) => -dot(x, a, y, b, dim);
}

/** The k smallest costs seen, as a max-heap on cost (ties: larger id is "worse", so results are stable). */
export class TopK {
  readonly ids: Int32Array;
  readonly costs: Float64Array;
  size = 0;
  constructor(readonly k: number) {
    this.ids = new Int32Array(k);
    this.costs = new Float64Array(k);
  }
  reset(): void {
    this.size = 0;
  }
  /** The worst cost kept, or +∞ while not full: anything at or above it cannot enter. */
  get bound(): number {
    return this.size < this.k ? Infinity : this.costs[0];
  }
  private worse(i: number, j: number): boolean {
    return this.costs[i] > this.costs[j] || (this.costs[i] === this.costs[j] && this.ids[i] > this.ids[j]);
  }
  push(id: number, cost: number): void {
    const { ids, costs } = this;
    if (this.size < this.k) {
      let i = this.size++;
      ids[i] = id; costs[i] = cost;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.worse(i, p)) break;
        this.swap(i, p); i = p;
      }
      return;
    }
    if (cost > costs[0] || (cost === costs[0] && id > ids[0])) return;
    ids[0] = id; costs[0] = cost;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < this.k && this.worse(l, m)) m = l;
      if (r < this.k && this.worse(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m); i = m;
    }
  }
  private swap(i: number, j: number): void {
    const t = this.ids[i]; this.ids[i] = this.ids[j]; this.ids[j] = t;
    const c = this.costs[i]; this.costs[i] = this.costs[j]; this.costs[j] = c;
  }
  /** Writes the kept entries nearest first into row `q` of the outputs (missing slots: id -1, cost +∞). */
  writeSorted(q: number, outIds: Int32Array, outDist: Float32Array, metric: Metric): void {
    const order = Array.from({ length: this.size }, (_, i) => i).sort((a, b) => this.costs[a] - this.costs[b] || this.ids[a] - this.ids[b]);
    const o = q * this.k;
    for (let r = 0; r < this.k; r++) {
      if (r < order.length) {
        outIds[o + r] = this.ids[order[r]];
        outDist[o + r] = metric === 'l2' ? this.costs[order[r]] : -this.costs[order[r]];
      } else {
        outIds[o + r] = -1;
        outDist[o + r] = metric === 'l2' ? Infinity : -Infinity;
      }
    }
  }
}

/** A growable Float32Array of rows. */
export class Rows {
  data: Float32Array;
  n = 0;
  constructor(readonly dim: number, capacity = 1024) {
    this.data = new Float32Array(Math.max(1, capacity) * dim);
  }
  append(x: Float32Array, from = 0, count = x.length / this.dim - from): void {
    const need = (this.n + count) * this.dim;
    if (need > this.data.length) {
      const next = new Float32Array(Math.max(need, this.data.length * 2));
      next.set(this.data.subarray(0, this.n * this.dim));
      this.data = next;
    }
    this.data.set(x.subarray(from * this.dim, (from + count) * this.dim), this.n * this.dim);
    this.n += count;
  }
}
