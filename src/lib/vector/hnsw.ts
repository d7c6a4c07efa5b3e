/**
 * HNSW (Malkov & Yashunin 2018), following hnswlib: each vector gets a level ℓ = ⌊−ln(u) · mL⌋ with
 * mL = 1/ln(M); a query descends greedily through the upper layers and then runs a best-first search
 * with a candidate list of efSearch on layer 0. Neighbours are chosen by the paper's heuristic (keep a
 * candidate only if it is nearer the new point than to every neighbour kept so far), M per upper layer
 * and 2M on layer 0. Deletes are tombstones: a removed vector still routes searches but is never returned.
 */
import { mulberry32, type Rng } from '../core/rng';
import { costFn, Rows, TopK, type Metric } from './distance';
import { checkK, checkPositiveInt, rowsOf, VectorError } from './errors';
import { MinHeap } from './heap';
import type { SearchParams, SearchResult, VectorIndex } from './types';

export interface HnswOptions {
  dim: number;
  metric: Metric;
  /** Links per node on the upper layers (2M on layer 0). */
  M: number;
  /** Candidate list size while inserting. */
  efConstruction: number;
  seed: number;
}

/** A query's route: the nodes it stepped through on each upper layer, and what layer 0 cost. */
export interface Route {
  /** Per layer, top first: the greedy path's node ids. */
  layers: { level: number; path: number[] }[];
  /** Nodes whose distance layer 0's search computed. */
  visited0: number;
}

export class HnswIndex implements VectorIndex {
  readonly kind = 'hnsw';
  readonly isTrained = true;
  readonly dim: number;
  readonly metric: Metric;
  readonly M: number;
  readonly M0: number;
  readonly efConstruction: number;
  private readonly mL: number;
  private readonly rng: Rng;
  private readonly cost: ReturnType<typeof costFn>;
  readonly rows: Rows;
  /** Layer 0 links: per node, a count then up to M0 ids. */
  private links0 = new Int32Array(0);
  /** Upper layer links per node: upper[id][level - 1] = count then up to M ids. */
  private upper: (Int32Array[] | undefined)[] = [];
  readonly levels: number[] = [];
  private deleted = new Uint8Array(0);
  private ndeleted = 0;
  entry = -1;
  maxLevel = -1;
  /** Distance computations since the last reset (the work a search did). */
  distanceCount = 0;
  private visited = new Uint32Array(0);
  private stamp = 0;
  private readonly cand = new MinHeap();
  private readonly top = new MinHeap();

  constructor(o: HnswOptions) {
    checkPositiveInt('M', o.M, 2);
    checkPositiveInt('efConstruction', o.efConstruction);
    this.dim = o.dim;
    this.metric = o.metric;
    this.M = o.M;
    this.M0 = 2 * o.M;
    this.efConstruction = o.efConstruction;
    this.mL = 1 / Math.log(o.M);
    this.rng = mulberry32(o.seed);
    this.cost = costFn(o.metric);
    this.rows = new Rows(o.dim);
  }

  get ntotal(): number {
    return this.rows.n;
  }
  get removed(): number {
    return this.ndeleted;
  }

  private grow(n: number): void {
    const cap = this.deleted.length;
    if (n <= cap) return;
    const next = Math.max(n, cap * 2, 1024);
    const l0 = new Int32Array(next * (this.M0 + 1));
    l0.set(this.links0);
    this.links0 = l0;
    const d = new Uint8Array(next); d.set(this.deleted); this.deleted = d;
    const v = new Uint32Array(next); v.set(this.visited); this.visited = v;
  }

  /** The link block of node id on a level: [count, ids…] and its offset. */
  private block(id: number, level: number): [Int32Array, number] {
    return level === 0 ? [this.links0, id * (this.M0 + 1)] : [this.upper[id]![level - 1], 0];
  }

  neighbours(id: number, level: number): number[] {
    const [b, o] = this.block(id, level);
    return Array.from(b.subarray(o + 1, o + 1 + b[o]));
  }

  private dist(x: Float32Array, xi: number, id: number): number {
    this.distanceCount++;
    return this.cost(x, xi, this.rows.data, id, this.dim);
  }

  private newStamp(): number {
    if (++this.stamp === 0xffffffff) { this.visited.fill(0); this.stamp = 1; }
    return this.stamp;
  }

  /** Greedy walk on one layer: move to the nearest neighbour while it improves. */
  private greedy(x: Float32Array, xi: number, ep: number, d: number, level: number, path?: number[]): [number, number] {
    for (let changed = true; changed;) {
      changed = false;
      const [b, o] = this.block(ep, level);
      for (let t = 1; t <= b[o]; t++) {
        const nb = b[o + t], nd = this.dist(x, xi, nb);
        if (nd < d) { d = nd; ep = nb; changed = true; }
      }
      path?.push(ep);
    }
    return [ep, d];
  }

  /**
   * Best-first search of one layer from ep with a list of ef; leaves the results in `this.top` as a
   * max-heap (negated keys). Tombstoned nodes are walked through but kept out of the results when
   * `skipDeleted`.
   */
  private searchLayer(x: Float32Array, xi: number, ep: number, epd: number, ef: number, level: number, skipDeleted: boolean): void {
    const { cand, top, visited } = this;
    const s = this.newStamp();
    cand.clear(); top.clear();
    visited[ep] = s;
    cand.push(epd, ep);
    if (!(skipDeleted && this.deleted[ep])) top.push(-epd, ep);
    let bound = top.size ? -top.topKey : Infinity;
    while (cand.size) {
      const cd = cand.topKey, c = cand.topId;
      if (cd > bound && top.size >= ef) break;
      cand.pop();
      const [b, o] = this.block(c, level);
      for (let t = 1; t <= b[o]; t++) {
        const nb = b[o + t];
        if (visited[nb] === s) continue;
        visited[nb] = s;
        const nd = this.dist(x, xi, nb);
        if (top.size < ef || nd < bound) {
          cand.push(nd, nb);
          if (!(skipDeleted && this.deleted[nb])) {
            top.push(-nd, nb);
            if (top.size > ef) top.pop();
          }
          bound = top.size ? -top.topKey : Infinity;
        }
      }
    }
  }

  /** Drains `this.top` into (id, cost) pairs, nearest first. */
  private drainTop(): { id: number; d: number }[] {
    const out: { id: number; d: number }[] = [];
    while (this.top.size) { out.push({ id: this.top.topId, d: -this.top.topKey }); this.top.pop(); }
    return out.reverse();
  }

  /** The paper's heuristic (hnswlib getNeighborsByHeuristic2): candidates sorted nearest first. */
  private select(cands: { id: number; d: number }[], max: number): { id: number; d: number }[] {
    if (cands.length <= max) return cands;
    const out: { id: number; d: number }[] = [];
    for (const c of cands) {
      if (out.length >= max) break;
      let good = true;
      for (const r of out) {
        if (this.dist(this.rows.data, c.id, r.id) < c.d) { good = false; break; }
      }
      if (good) out.push(c);
    }
    return out;
  }

  private setLinks(id: number, level: number, ids: number[]): void {
    const [b, o] = this.block(id, level);
    b[o] = ids.length;
    for (let t = 0; t < ids.length; t++) b[o + 1 + t] = ids[t];
  }

  private connect(id: number, nb: number, level: number): void {
    const max = level === 0 ? this.M0 : this.M;
    const [b, o] = this.block(nb, level);
    if (b[o] < max) { b[o + 1 + b[o]] = id; b[o]++; return; }
    const cands = [...this.neighbours(nb, level), id].map((x) => ({ id: x, d: this.cost(this.rows.data, nb, this.rows.data, x, this.dim) }));
    cands.sort((a, c) => a.d - c.d || a.id - c.id);
    this.setLinks(nb, level, this.select(cands, max).map((c) => c.id));
  }

  private insert(id: number): void {
    const level = Math.floor(-Math.log(1 - this.rng()) * this.mL);
    this.levels[id] = level;
    if (level > 0) this.upper[id] = Array.from({ length: level }, () => new Int32Array(this.M + 1));
    if (this.entry < 0) { this.entry = id; this.maxLevel = level; return; }
    const x = this.rows.data;
    let ep = this.entry, d = this.dist(x, id, ep);
    for (let l = this.maxLevel; l > level; l--) [ep, d] = this.greedy(x, id, ep, d, l);
    for (let l = Math.min(level, this.maxLevel); l >= 0; l--) {
      this.searchLayer(x, id, ep, d, this.efConstruction, l, false);
      const found = this.drainTop();
      ep = found[0].id; d = found[0].d;
      const chosen = this.select(found, this.M);
      this.setLinks(id, l, chosen.map((c) => c.id));
      for (const c of chosen) this.connect(id, c.id, l);
    }
    if (level > this.maxLevel) { this.maxLevel = level; this.entry = id; }
  }

  add(vectors: Float32Array, onProgress?: (done: number, total: number) => void): void {
    const n = rowsOf(vectors, this.dim);
    const start = this.rows.n;
    this.rows.append(vectors);
    this.grow(this.rows.n);
    for (let i = 0; i < n; i++) {
      this.insert(start + i);
      if (onProgress && (i & 255) === 255) onProgress(i + 1, n);
    }
  }

  remove(ids: ArrayLike<number>): void {
    for (let t = 0; t < ids.length; t++) {
      const id = ids[t];
      if (!Number.isInteger(id) || id < 0 || id >= this.rows.n) throw new VectorError(`remove: id ${id} is not in the index (0–${this.rows.n - 1}).`);
      if (!this.deleted[id]) { this.deleted[id] = 1; this.ndeleted++; }
    }
  }

  isRemoved(id: number): boolean {
    return this.deleted[id] === 1;
  }

  search(queries: Float32Array, k: number, params: SearchParams = {}): SearchResult {
    checkK(k);
    const nq = rowsOf(queries, this.dim, 'queries');
    const ef = Math.max(k, params.efSearch ?? 16);
    const ids = new Int32Array(nq * k).fill(-1), distances = new Float32Array(nq * k);
    const h = new TopK(k);
    for (let q = 0; q < nq; q++) {
      h.reset();
      if (this.entry >= 0) {
        let ep = this.entry, d = this.dist(queries, q, ep);
        for (let l = this.maxLevel; l > 0; l--) [ep, d] = this.greedy(queries, q, ep, d, l);
        this.searchLayer(queries, q, ep, d, ef, 0, this.ndeleted > 0);
        for (const f of this.drainTop()) h.push(f.id, f.d);
      }
      h.writeSorted(q, ids, distances, this.metric);
    }
    return { ids, distances };
  }

  /** One query's route through the layers (row 0 of `query`). */
  route(query: Float32Array, efSearch = 16): Route {
    rowsOf(query, this.dim, 'query');
    const layers: Route['layers'] = [];
    if (this.entry < 0) return { layers, visited0: 0 };
    let ep = this.entry, d = this.dist(query, 0, ep);
    for (let l = this.maxLevel; l > 0; l--) {
      const path = [ep];
      [ep, d] = this.greedy(query, 0, ep, d, l, path);
      layers.push({ level: l, path: path.filter((p, i) => i === 0 || p !== path[i - 1]) });
    }
    const before = this.distanceCount;
    this.searchLayer(query, 0, ep, d, efSearch, 0, this.ndeleted > 0);
    const found = this.drainTop();
    layers.push({ level: 0, path: [ep, ...found.slice(0, 1).map((f) => f.id)] });
    return { layers, visited0: this.distanceCount - before };
  }

  /** Nodes per level (a node on level ℓ is on every level below). */
  levelCounts(): number[] {
    const c = new Array(this.maxLevel + 1).fill(0);
    for (const l of this.levels) for (let t = 0; t <= l; t++) c[t]++;
    return c;
  }

  memoryBytes(): number {
    let up = 0;
    for (const u of this.upper) if (u) up += u.length * (this.M + 1) * 4;
    return this.rows.n * (this.dim * 4 + (this.M0 + 1) * 4 + 1) + up;
  }
}
