/**
 * Exact search: every query against every vector. Blocked (a tile of queries against a tile of base
 * rows at a time) so each base tile is read from cache for all queries in the tile.
 */
import { costFn, Rows, TopK, type Metric } from './distance';
import { checkK, rowsOf } from './errors';
import type { SearchResult, VectorIndex } from './types';

const Q_TILE = 16;
const B_TILE = 512;

export class FlatIndex implements VectorIndex {
  readonly kind = 'flat';
  readonly isTrained = true;
  private rows: Rows;
  constructor(readonly dim: number, readonly metric: Metric) {
    this.rows = new Rows(dim);
  }
  get ntotal(): number {
    return this.rows.n;
  }
  get vectors(): Float32Array {
    return this.rows.data.subarray(0, this.rows.n * this.dim);
  }
  add(vectors: Float32Array): void {
    rowsOf(vectors, this.dim);
    this.rows.append(vectors);
  }
  search(queries: Float32Array, k: number): SearchResult {
    checkK(k);
    const nq = rowsOf(queries, this.dim, 'queries');
    return flatSearch(this.rows.data, this.rows.n, queries, nq, this.dim, k, this.metric);
  }
  memoryBytes(): number {
    return this.rows.n * this.dim * 4;
  }
}

/** Exact top-k of nq queries over the first n rows of base. */
export function flatSearch(base: Float32Array, n: number, queries: Float32Array, nq: number, dim: number, k: number, metric: Metric): SearchResult {
  const cost = costFn(metric);
  const ids = new Int32Array(nq * k);
  const distances = new Float32Array(nq * k);
  const heaps = Array.from({ length: Math.min(Q_TILE, nq) }, () => new TopK(k));
  for (let q0 = 0; q0 < nq; q0 += Q_TILE) {
    const q1 = Math.min(nq, q0 + Q_TILE);
    for (const h of heaps) h.reset();
    for (let b0 = 0; b0 < n; b0 += B_TILE) {
      const b1 = Math.min(n, b0 + B_TILE);
      for (let q = q0; q < q1; q++) {
        const h = heaps[q - q0];
        for (let b = b0; b < b1; b++) {
          const c = cost(queries, q, base, b, dim);
          if (c <= h.bound) h.push(b, c);
        }
      }
    }
    for (let q = q0; q < q1; q++) heaps[q - q0].writeSorted(q, ids, distances, metric);
  }
  return { ids, distances };
}
