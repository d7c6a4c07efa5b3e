/**
 * A k-d tree (Bentley 1975) for exact nearest-neighbour search: split on the widest coordinate at the
 * median, and at query time skip a branch when the splitting plane is farther than the best distance
 * so far. In few dimensions that prunes almost everything; in many, the ball around the query crosses
 * nearly every plane and the search visits most points: no better than a scan.
 */
import { l2sq } from './distance';

interface Node {
  /** Leaf: the row ids it holds. */
  ids?: Int32Array;
  axis: number;
  split: number;
  left?: Node;
  right?: Node;
}

const LEAF = 8;

export class KdTree {
  private root: Node;
  /** Distance computations in the last query. */
  visited = 0;
  constructor(readonly data: Float32Array, readonly dim: number) {
    const n = data.length / dim;
    this.root = this.build(Int32Array.from({ length: n }, (_, i) => i));
  }
  private build(ids: Int32Array): Node {
    if (ids.length <= LEAF) return { ids, axis: 0, split: 0 };
    const { data, dim } = this;
    let axis = 0, widest = -1;
    for (let j = 0; j < dim; j++) {
      let lo = Infinity, hi = -Infinity;
      for (const i of ids) { const v = data[i * dim + j]; if (v < lo) lo = v; if (v > hi) hi = v; }
      if (hi - lo > widest) { widest = hi - lo; axis = j; }
    }
    const sorted = Array.from(ids).sort((a, b) => data[a * dim + axis] - data[b * dim + axis]);
    const mid = sorted.length >> 1;
    return {
      axis, split: data[sorted[mid] * dim + axis],
      left: this.build(Int32Array.from(sorted.slice(0, mid))),
      right: this.build(Int32Array.from(sorted.slice(mid))),
    };
  }
  /** Exact nearest neighbour of row q of `queries`: [id, squared distance]. */
  nearest(queries: Float32Array, q: number): [number, number] {
    this.visited = 0;
    let best = -1, bd = Infinity;
    const walk = (node: Node) => {
      if (node.ids) {
        for (const i of node.ids) {
          this.visited++;
          const d = l2sq(queries, q, this.data, i, this.dim);
          if (d < bd) { bd = d; best = i; }
        }
        return;
      }
      const diff = queries[q * this.dim + node.axis] - node.split;
      const [near, far] = diff < 0 ? [node.left!, node.right!] : [node.right!, node.left!];
      walk(near);
      if (diff * diff < bd) walk(far);
    };
    walk(this.root);
    return [best, bd];
  }
}
