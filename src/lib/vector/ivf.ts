/**
 * IVF: a k-means coarse quantizer cuts space into nlist cells; each vector goes on the inverted list
 * of its nearest centroid, and a query scans only its nprobe nearest lists. Recall rises with nprobe,
 * and so does the work: about nprobe / nlist of the vectors for balanced lists.
 */
import { costFn, Rows, TopK, type Metric } from './distance';
import { checkK, checkPositiveInt, rowsOf, VectorError } from './errors';
import { kmeans } from './kmeans';
import type { SearchParams, SearchResult, VectorIndex } from './types';

/** Growable list of ids. */
export class IdList {
  ids = new Int32Array(16);
  n = 0;
  push(id: number): void {
    if (this.n === this.ids.length) {
      const next = new Int32Array(this.ids.length * 2);
      next.set(this.ids);
      this.ids = next;
    }
    this.ids[this.n++] = id;
  }
}

/** The coarse quantizer shared by IVF and IVF-PQ. */
export class Coarse {
  centroids: Float32Array | null = null;
  constructor(readonly dim: number, readonly nlist: number, readonly metric: Metric, readonly seed: number, readonly iters: number) {
    checkPositiveInt('nlist', nlist);
  }
  train(sample: Float32Array): void {
    const n = rowsOf(sample, this.dim, 'training sample');
    if (n < this.nlist) throw new VectorError(`train: ${n} rows cannot make ${this.nlist} lists (nlist); give at least nlist rows, better 30 × nlist.`);
    this.centroids = kmeans(sample, this.dim, this.nlist, { seed: this.seed, iters: this.iters }).centroids;
  }
  get trained(): boolean {
    return this.centroids !== null;
  }
  mustBeTrained(what: string): Float32Array {
    if (!this.centroids) throw new VectorError(`${what}: the index is not trained; call train(sample) first.`);
    return this.centroids;
  }
  /** Nearest list of row i of x. */
  assign(x: Float32Array, i: number): number {
    const c = this.mustBeTrained('add'), cost = costFn(this.metric);
    let best = 0, bd = Infinity;
    for (let j = 0; j < this.nlist; j++) {
      const d = cost(x, i, c, j, this.dim);
      if (d < bd) { bd = d; best = j; }
    }
    return best;
  }
  /** The nprobe nearest lists of query row q, nearest first. */
  probe(queries: Float32Array, q: number, nprobe: number): Int32Array {
    const c = this.mustBeTrained('search'), cost = costFn(this.metric);
    const h = new TopK(Math.min(nprobe, this.nlist));
    for (let j = 0; j < this.nlist; j++) {
      const d = cost(queries, q, c, j, this.dim);
      if (d <= h.bound) h.push(j, d);
    }
    const ids = new Int32Array(h.k), dist = new Float32Array(h.k);
    h.writeSorted(0, ids, dist, 'l2');
    return ids;
  }
  memoryBytes(): number {
    return this.nlist * this.dim * 4;
  }
}

export interface IvfOptions {
  dim: number;
  metric: Metric;
  nlist: number;
  seed: number;
  /** k-means iterations of the coarse quantizer. */
  iters: number;
}

export class IvfIndex implements VectorIndex {
  readonly kind = 'ivf';
  readonly dim: number;
  readonly metric: Metric;
  readonly coarse: Coarse;
  readonly lists: { ids: IdList; rows: Rows }[];
  ntotal = 0;
  constructor(o: IvfOptions) {
    this.dim = o.dim;
    this.metric = o.metric;
    this.coarse = new Coarse(o.dim, o.nlist, o.metric, o.seed, o.iters);
    this.lists = Array.from({ length: o.nlist }, () => ({ ids: new IdList(), rows: new Rows(o.dim, 16) }));
  }
  get isTrained(): boolean {
    return this.coarse.trained;
  }
  train(sample: Float32Array): void {
    this.coarse.train(sample);
  }
  add(vectors: Float32Array): void {
    this.coarse.mustBeTrained('add');
    const n = rowsOf(vectors, this.dim);
    for (let i = 0; i < n; i++) {
      const l = this.lists[this.coarse.assign(vectors, i)];
      l.ids.push(this.ntotal + i);
      l.rows.append(vectors, i, 1);
    }
    this.ntotal += n;
  }
  /** Vectors on each list: how unbalanced the cells are. */
  listSizes(): Int32Array {
    return Int32Array.from(this.lists, (l) => l.ids.n);
  }
  search(queries: Float32Array, k: number, params: SearchParams = {}): SearchResult {
    checkK(k);
    this.coarse.mustBeTrained('search');
    const nprobe = params.nprobe ?? 1;
    checkPositiveInt('nprobe', nprobe);
    const nq = rowsOf(queries, this.dim, 'queries');
    const cost = costFn(this.metric);
    const ids = new Int32Array(nq * k), distances = new Float32Array(nq * k);
    const h = new TopK(k);
    for (let q = 0; q < nq; q++) {
      h.reset();
      for (const li of this.coarse.probe(queries, q, nprobe)) {
        const { ids: lid, rows } = this.lists[li];
        for (let r = 0; r < lid.n; r++) {
          const d = cost(queries, q, rows.data, r, this.dim);
          if (d <= h.bound) h.push(lid.ids[r], d);
        }
      }
      h.writeSorted(q, ids, distances, this.metric);
    }
    return { ids, distances };
  }
  memoryBytes(): number {
    return this.coarse.memoryBytes() + this.ntotal * (this.dim * 4 + 4);
  }
}
