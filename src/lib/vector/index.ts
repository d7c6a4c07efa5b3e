/**
 * Vector search, written to be read: exact (flat), IVF, HNSW and IVF-PQ indexes over Float32Array
 * rows, with FAISS's conventions (squared L2 or inner product; ids in insertion order).
 */
import type { Metric } from './distance';
import { checkPositiveInt, VectorError } from './errors';
import { FlatIndex } from './flat';
import { HnswIndex } from './hnsw';
import { IvfIndex } from './ivf';
import { IvfPqIndex } from './pq';

export interface IndexOptions {
  kind: 'flat' | 'ivf' | 'hnsw' | 'ivfpq';
  dim: number;
  metric?: Metric;
  /** IVF, IVF-PQ: inverted lists (k-means centroids). */
  nlist?: number;
  /** IVF-PQ: sub-vectors per vector (must divide dim). */
  m?: number;
  /** IVF-PQ: bits per sub-vector code (1–8). */
  nbits?: number;
  /** HNSW: links per node (2M on layer 0). */
  M?: number;
  /** HNSW: candidate list while building. */
  efConstruction?: number;
  /** IVF, IVF-PQ: k-means iterations. */
  iters?: number;
  /** IVF-PQ: keep raw vectors for exact re-ranking. */
  refine?: boolean;
  seed?: number;
}

export const INDEX_DEFAULTS = { metric: 'l2' as Metric, nlist: 100, m: 8, nbits: 8, M: 16, efConstruction: 200, iters: 20, refine: false, seed: 1 };

export function createIndex(o: IndexOptions): FlatIndex | IvfIndex | HnswIndex | IvfPqIndex {
  const s = { ...INDEX_DEFAULTS, ...o };
  checkPositiveInt('dim', s.dim);
  if (s.metric !== 'l2' && s.metric !== 'ip') throw new VectorError(`metric must be 'l2' or 'ip' (got ${String(s.metric)}).`);
  switch (s.kind) {
    case 'flat': return new FlatIndex(s.dim, s.metric);
    case 'ivf': return new IvfIndex(s);
    case 'hnsw': return new HnswIndex(s);
    case 'ivfpq': return new IvfPqIndex(s);
    default: throw new VectorError(`kind must be flat, ivf, hnsw or ivfpq (got ${String(s.kind)}).`);
  }
}

export { FlatIndex, flatSearch } from './flat';
export { IvfIndex } from './ivf';
export { IvfPqIndex, ProductQuantizer } from './pq';
export { HnswIndex, type Route } from './hnsw';
export { kmeans } from './kmeans';
export { clustered, uniformCube, type ClusteredOptions } from './data';
export { recallAtK, relativeContrast, percentile } from './measure';
export { bm25Scores, reciprocalRankFusion, type Bm25Options } from './text';
export { VectorError } from './errors';
export type { Metric } from './distance';
export type { SearchParams, SearchResult, VectorIndex } from './types';
export { KdTree } from './kdtree';
