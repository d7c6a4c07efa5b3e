/**
 * Product quantization (Jégou, Douze & Schmid 2011): split each vector into m sub-vectors, learn
 * 2^nbits centroids per sub-space by k-means, and store a vector as m one-byte codes. A query is
 * compared with codes by asymmetric distance (ADC): one table per sub-space of the query's distance
 * to every centroid, then a code's distance is a sum of m table look-ups.
 *
 * IVF-PQ encodes the residual x − c of a vector from its coarse centroid (as FAISS does by default):
 * ‖q − c − r‖² = Σⱼ ‖(q − c)ⱼ − rⱼ‖², and for inner products q·(c + r) = q·c + Σⱼ qⱼ·rⱼ.
 * With refine, the raw vectors are kept too, and the best rerank × k PQ candidates are re-scored exactly.
 */
import { costFn, Rows, TopK, type Metric } from './distance';
import { checkK, checkPositiveInt, rowsOf, VectorError } from './errors';
import { Coarse, IdList } from './ivf';
import { kmeans } from './kmeans';
import type { SearchParams, SearchResult, VectorIndex } from './types';

export class ProductQuantizer {
  readonly dsub: number;
  readonly ksub: number;
  /** m × ksub × dsub centroids. */
  codebooks: Float32Array | null = null;
  constructor(readonly dim: number, readonly m: number, readonly nbits: number, readonly seed: number, readonly iters: number) {
    checkPositiveInt('m', m);
    if (dim % m !== 0) throw new VectorError(`m = ${m} must divide dim = ${dim}.`);
    if (!Number.isInteger(nbits) || nbits < 1 || nbits > 8) throw new VectorError(`nbits must be 1–8 (got ${nbits}).`);
    this.dsub = dim / m;
    this.ksub = 1 << nbits;
  }
  train(x: Float32Array): void {
    const n = x.length / this.dim;
    if (n < this.ksub) throw new VectorError(`PQ training needs at least ${this.ksub} rows for 2^${this.nbits} centroids (got ${n}).`);
    const cb = new Float32Array(this.m * this.ksub * this.dsub);
    const sub = new Float32Array(n * this.dsub);
    for (let j = 0; j < this.m; j++) {
      for (let i = 0; i < n; i++) sub.set(x.subarray(i * this.dim + j * this.dsub, i * this.dim + (j + 1) * this.dsub), i * this.dsub);
      cb.set(kmeans(sub, this.dsub, this.ksub, { seed: this.seed + j, iters: this.iters }).centroids, j * this.ksub * this.dsub);
    }
    this.codebooks = cb;
  }
  /** Codes of row i of x (written at out[o..o+m)). */
  encode(x: Float32Array, i: number, out: Uint8Array, o: number): void {
    const cb = this.codebooks!, { dsub, ksub, dim } = this;
    for (let j = 0; j < this.m; j++) {
      let best = 0, bd = Infinity;
      const xo = i * dim + j * dsub;
      for (let c = 0; c < ksub; c++) {
        const co = (j * ksub + c) * dsub;
        let d = 0;
        for (let t = 0; t < dsub; t++) { const e = x[xo + t] - cb[co + t]; d += e * e; }
        if (d < bd) { bd = d; best = c; }
      }
      out[o + j] = best;
    }
  }
  /** ADC table (m × ksub) of the cost of query sub-vectors against every centroid. */
  table(q: Float32Array, qo: number, metric: Metric, out: Float32Array): void {
    const cb = this.codebooks!, { dsub, ksub } = this;
    for (let j = 0; j < this.m; j++) {
      for (let c = 0; c < ksub; c++) {
        const co = (j * ksub + c) * dsub;
        let d = 0;
        if (metric === 'l2') for (let t = 0; t < dsub; t++) { const e = q[qo + j * dsub + t] - cb[co + t]; d += e * e; }
        else for (let t = 0; t < dsub; t++) d -= q[qo + j * dsub + t] * cb[co + t];
        out[j * ksub + c] = d;
      }
    }
  }
  memoryBytes(): number {
    return this.m * this.ksub * this.dsub * 4;
  }
}

export interface IvfPqOptions {
  dim: number;
  metric: Metric;
  nlist: number;
  m: number;
  nbits: number;
  seed: number;
  iters: number;
  /** Keep the raw vectors for exact re-ranking. */
  refine: boolean;
}

export class IvfPqIndex implements VectorIndex {
  readonly kind = 'ivfpq';
  readonly dim: number;
  readonly metric: Metric;
  readonly coarse: Coarse;
  readonly pq: ProductQuantizer;
  readonly lists: { ids: IdList; codes: Uint8Array }[];
  readonly raw: Rows | null;
  ntotal = 0;
  constructor(o: IvfPqOptions) {
    this.dim = o.dim;
    this.metric = o.metric;
    this.coarse = new Coarse(o.dim, o.nlist, o.metric, o.seed, o.iters);
    this.pq = new ProductQuantizer(o.dim, o.m, o.nbits, o.seed + 1000, o.iters);
    this.lists = Array.from({ length: o.nlist }, () => ({ ids: new IdList(), codes: new Uint8Array(16 * o.m) }));
    this.raw = o.refine ? new Rows(o.dim) : null;
  }
  get isTrained(): boolean {
    return this.coarse.trained && this.pq.codebooks !== null;
  }
  private residual(x: Float32Array, i: number, list: number, out: Float32Array, o: number): void {
    const c = this.coarse.centroids!;
    for (let t = 0; t < this.dim; t++) out[o + t] = x[i * this.dim + t] - c[list * this.dim + t];
  }
  train(sample: Float32Array): void {
    const n = rowsOf(sample, this.dim, 'training sample');
    this.coarse.train(sample);
    const res = new Float32Array(sample.length);
    for (let i = 0; i < n; i++) this.residual(sample, i, this.coarse.assign(sample, i), res, i * this.dim);
    this.pq.train(res);
  }
  add(vectors: Float32Array): void {
    if (!this.isTrained) throw new VectorError('add: the index is not trained; call train(sample) first.');
    const n = rowsOf(vectors, this.dim);
    const res = new Float32Array(this.dim);
    const m = this.pq.m;
    for (let i = 0; i < n; i++) {
      const li = this.coarse.assign(vectors, i);
      const l = this.lists[li];
      if ((l.ids.n + 1) * m > l.codes.length) {
        const next = new Uint8Array(l.codes.length * 2);
        next.set(l.codes);
        l.codes = next;
      }
      this.residual(vectors, i, li, res, 0);
      this.pq.encode(res, 0, l.codes, l.ids.n * m);
      l.ids.push(this.ntotal + i);
    }
    this.raw?.append(vectors);
    this.ntotal += n;
  }
  search(queries: Float32Array, k: number, params: SearchParams = {}): SearchResult {
    checkK(k);
    if (!this.isTrained) throw new VectorError('search: the index is not trained; call train(sample) first.');
    const nprobe = params.nprobe ?? 1, rerank = params.rerank ?? 0;
    checkPositiveInt('nprobe', nprobe);
    if (rerank && !this.raw) throw new VectorError('rerank needs the raw vectors: create the index with refine: true.');
    const nq = rowsOf(queries, this.dim, 'queries');
    const { m, ksub } = this.pq;
    const cand = rerank ? k * rerank : k;
    const ids = new Int32Array(nq * k), distances = new Float32Array(nq * k);
    const h = new TopK(cand), final = new TopK(k);
    const table = new Float32Array(m * ksub);
    const qr = new Float32Array(this.dim);
    const c = this.coarse.centroids!;
    const cost = costFn(this.metric);
    for (let q = 0; q < nq; q++) {
      h.reset();
      for (const li of this.coarse.probe(queries, q, nprobe)) {
        let offset = 0;
        if (this.metric === 'l2') {
          this.residual(queries, q, li, qr, 0);
          this.pq.table(qr, 0, 'l2', table);
        } else {
          offset = cost(queries, q, c, li, this.dim);
          this.pq.table(queries, q * this.dim, 'ip', table);
        }
        const { ids: lid, codes } = this.lists[li];
        for (let r = 0; r < lid.n; r++) {
          let d = offset;
          const o = r * m;
          for (let j = 0; j < m; j++) d += table[j * ksub + codes[o + j]];
          if (d <= h.bound) h.push(lid.ids[r], d);
        }
      }
      if (!rerank) {
        h.writeSorted(q, ids, distances, this.metric);
        continue;
      }
      final.reset();
      for (let t = 0; t < h.size; t++) final.push(h.ids[t], cost(queries, q, this.raw!.data, h.ids[t], this.dim));
      final.writeSorted(q, ids, distances, this.metric);
    }
    return { ids, distances };
  }
  /** Bytes of the codes and ids alone (what the index costs per vector without refine). */
  codeBytes(): number {
    return this.ntotal * (this.pq.m * Math.ceil(this.pq.nbits / 8) + 4);
  }
  memoryBytes(): number {
    return this.coarse.memoryBytes() + this.pq.memoryBytes() + this.codeBytes() + (this.raw ? this.raw.n * this.dim * 4 : 0);
  }
}
