import type { Metric } from './distance';

export interface SearchParams {
  /** IVF / IVF-PQ: how many inverted lists to scan (default 1). */
  nprobe?: number;
  /** HNSW: size of the candidate list at query time (default max(k, 16)). */
  efSearch?: number;
  /** IVF-PQ: re-rank this many × k PQ candidates by exact distance (needs refine; default 0 = off). */
  rerank?: number;
}

export interface SearchResult {
  /** q × k ids, nearest first; -1 where fewer than k were found. */
  ids: Int32Array;
  /** q × k: squared L2 for 'l2', inner products for 'ip'. */
  distances: Float32Array;
}

export interface VectorIndex {
  readonly kind: 'flat' | 'ivf' | 'hnsw' | 'ivfpq';
  readonly dim: number;
  readonly metric: Metric;
  /** Vectors added so far (removed ones included). */
  readonly ntotal: number;
  readonly isTrained: boolean;
  train?(sample: Float32Array): void;
  add(vectors: Float32Array): void;
  search(queries: Float32Array, k: number, params?: SearchParams): SearchResult;
  remove?(ids: ArrayLike<number>): void;
  /** Bytes the index holds (vectors, codes, graph, centroids). */
  memoryBytes(): number;
}
