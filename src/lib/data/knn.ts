/**
 * Exact k-nearest neighbours by a k-d tree (Friedman, Bentley & Finkel 1977): each node splits its
 * rows at the median of the coordinate with the widest spread; a query descends to the nearer side
 * first and visits the farther side only if the splitting plane is no farther than the current k-th
 * distance. Neighbours are the k smallest (squared Euclidean distance, row index) pairs, so ties go
 * to the lower index, the same answer as sorting every distance.
 */
import type { Matrix } from '../math/matrix';

/** Rows per leaf: below this a linear scan beats further splitting. */
const LEAF = 16;

interface Node {
  /** Leaf: [start, end) into order. */
  start: number;
  end: number;
  dim: number;
  split: number;
  left?: Node;
  right?: Node;
}

export class KnnIndex {
  private readonly order: Int32Array;
  private readonly root: Node;

  constructor(private readonly X: Matrix) {
    this.order = Int32Array.from({ length: X.rows }, (_, i) => i);
    this.root = this.build(0, X.rows);
  }

  private build(start: number, end: number): Node {
    const { data, cols } = this.X;
    if (end - start <= LEAF) return { start, end, dim: -1, split: 0 };
    let dim = 0;
    let widest = -1;
    for (let c = 0; c < cols; c++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let k = start; k < end; k++) {
        const v = data[this.order[k] * cols + c];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (hi - lo > widest) {
        widest = hi - lo;
        dim = c;
      }
    }
    if (widest <= 0) return { start, end, dim: -1, split: 0 }; // all rows identical here
    const part = Array.from(this.order.subarray(start, end)).sort((a, b) => data[a * cols + dim] - data[b * cols + dim] || a - b);
    this.order.set(part, start);
    const mid = start + ((end - start) >> 1);
    const split = data[this.order[mid] * cols + dim];
    return { start, end, dim, split, left: this.build(start, mid), right: this.build(mid, end) };
  }

  // Per-query scratch, reused: the k best (distance, index) pairs, sorted ascending.
  private bestD = new Float64Array(0);
  private bestJ = new Int32Array(0);
  private q: Float64Array<ArrayBufferLike> = new Float64Array(0);

  /** Indices of the k nearest rows to row i of Q, nearest first. */
  query(Q: Matrix, i: number, k: number): Int32Array {
    const kk = Math.min(k, this.X.rows);
    if (this.bestD.length !== kk) {
      this.bestD = new Float64Array(kk);
      this.bestJ = new Int32Array(kk);
    }
    this.bestD.fill(Infinity);
    this.bestJ.fill(2147483647);
    this.q = Q.data.subarray(i * Q.cols, (i + 1) * Q.cols);
    this.visit(this.root);
    return this.bestJ.slice();
  }

  private offer(d: number, j: number): void {
    const bestD = this.bestD;
    const bestJ = this.bestJ;
    const last = bestD.length - 1;
    if (d > bestD[last] || (d === bestD[last] && j >= bestJ[last])) return;
    let p = last;
    while (p > 0 && (bestD[p - 1] > d || (bestD[p - 1] === d && bestJ[p - 1] > j))) {
      bestD[p] = bestD[p - 1];
      bestJ[p] = bestJ[p - 1];
      p--;
    }
    bestD[p] = d;
    bestJ[p] = j;
  }

  private visit(node: Node): void {
    const q = this.q;
    if (!node.left || !node.right) {
      const { data, cols } = this.X;
      const worst = this.bestD.length - 1;
      for (let t = node.start; t < node.end; t++) {
        const j = this.order[t];
        const base = j * cols;
        let d = 0;
        for (let c = 0; c < cols && d <= this.bestD[worst]; c++) {
          const v = q[c] - data[base + c];
          d += v * v;
        }
        this.offer(d, j);
      }
      return;
    }
    const diff = q[node.dim] - node.split;
    this.visit(diff < 0 ? node.left : node.right);
    if (diff * diff <= this.bestD[this.bestD.length - 1]) this.visit(diff < 0 ? node.right : node.left);
  }
}

/** k-NN score of each row of X: the share of positives among its k nearest rows of Xtrain. */
export function knnScores(Xtrain: Matrix, ytrain: ArrayLike<number>, X: Matrix, k: number, index = new KnnIndex(Xtrain)): Float64Array {
  const out = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    const nn = index.query(X, i, k);
    let s = 0;
    for (const j of nn) s += ytrain[j];
    out[i] = s / nn.length;
  }
  return out;
}
