import { describe, expect, it } from 'vitest';
import ref from './reference.json';
import { bm25Scores, clustered, createIndex, recallAtK, reciprocalRankFusion, relativeContrast, uniformCube, VectorError, type HnswIndex, type IvfIndex, type IvfPqIndex } from '../../../src/lib/vector';

const { base, queries } = clustered(ref.data);
const { dim, queries: nq } = ref.data;
const k = ref.k;
const truth = Int32Array.from(ref.exact.ids.flat());

describe('vector search against numpy, hnswlib and FAISS (scripts/vector-reference.py)', () => {
  it('clustered(seed) draws the same numbers as the Python reference', () => {
    expect(Array.from(base.subarray(0, dim))).toEqual(ref.dataCheck.firstRow.map(Math.fround));
    expect(Array.from(queries.subarray((nq - 1) * dim))).toEqual(ref.dataCheck.lastQuery.map(Math.fround));
    expect(base.reduce((a, b) => a + b, 0)).toBeCloseTo(ref.dataCheck.sum, 6);
  });

  it('flat l2 search returns the exact top-10 with squared distances within 1e-4 relative of float64', () => {
    const index = createIndex({ kind: 'flat', dim });
    index.add(base);
    const r = index.search(queries, k);
    expect(recallAtK(r.ids, truth, nq, k)).toBe(1);
    const want = ref.exact.distances.flat();
    for (let i = 0; i < want.length; i++) expect(Math.abs(r.distances[i] - want[i])).toBeLessThanOrEqual(1e-4 * want[i] + 1e-6);
    for (let q = 0; q < nq; q++) for (let j = 1; j < k; j++) expect(r.distances[q * k + j]).toBeGreaterThanOrEqual(r.distances[q * k + j - 1]);
  });

  it('flat ip search returns the largest inner products first', () => {
    const index = createIndex({ kind: 'flat', dim, metric: 'ip' });
    index.add(base);
    const r = index.search(queries, k);
    expect(recallAtK(r.ids, Int32Array.from(ref.exact.ipIds.flat()), nq, k)).toBe(1);
    expect(r.distances[0]).toBeGreaterThanOrEqual(r.distances[1]);
  });

  it('HNSW (M=16, efConstruction=200) recall@10 is within 0.01 of hnswlib at ef 20, 40, 80', () => {
    const index = createIndex({ kind: 'hnsw', dim, M: 16, efConstruction: 200, seed: 3 }) as HnswIndex;
    index.add(base);
    for (const ef of [20, 40, 80] as const) {
      const r = index.search(queries, k, { efSearch: ef });
      const mine = recallAtK(r.ids, truth, nq, k);
      expect(Math.abs(mine - ref.hnswlib.recall[ef]), `ef ${ef}: ours ${mine}, hnswlib ${ref.hnswlib.recall[ef]}`).toBeLessThanOrEqual(0.01);
    }
    // Fewer distance computations than a scan: the point of the graph.
    index.distanceCount = 0;
    index.search(queries, k, { efSearch: 20 });
    expect(index.distanceCount / nq).toBeLessThan(ref.data.n / 5);
  });

  it('HNSW remove(): tombstoned ids are never returned, and the rest are still found', () => {
    const index = createIndex({ kind: 'hnsw', dim, M: 8, efConstruction: 64 }) as HnswIndex;
    index.add(base.subarray(0, 2000 * dim));
    const gone = Array.from({ length: 500 }, (_, i) => i * 4);
    index.remove(gone);
    const r = index.search(queries, k, { efSearch: 64 });
    const removed = new Set(gone);
    expect(Array.from(r.ids).some((id) => removed.has(id))).toBe(false);
    const flat = createIndex({ kind: 'flat', dim });
    const kept = new Float32Array(1500 * dim), keptIds: number[] = [];
    for (let i = 0, t = 0; i < 2000; i++) if (!removed.has(i)) { kept.set(base.subarray(i * dim, (i + 1) * dim), t * dim); keptIds.push(i); t++; }
    flat.add(kept);
    const exact = Int32Array.from(flat.search(queries, k).ids, (j) => keptIds[j]);
    expect(recallAtK(r.ids, exact, nq, k)).toBeGreaterThan(0.95);
    expect(() => index.remove([5000])).toThrow(VectorError);
  });

  it('IVF (nlist 64) recall@10 is within 0.02 of FAISS IndexIVFFlat at nprobe 2, 4, 8 and rises with nprobe', () => {
    const index = createIndex({ kind: 'ivf', dim, nlist: 64, seed: 1 }) as IvfIndex;
    expect(() => index.search(queries, k)).toThrow(/not trained/);
    index.train(base);
    index.add(base);
    let last = 0;
    for (const p of [1, 2, 4, 8] as const) {
      const rec = recallAtK(index.search(queries, k, { nprobe: p }).ids, truth, nq, k);
      if (p > 1) expect(Math.abs(rec - ref.faissIvf.recall[p]), `nprobe ${p}: ours ${rec}, FAISS ${ref.faissIvf.recall[p]}`).toBeLessThanOrEqual(0.02);
      expect(rec).toBeGreaterThanOrEqual(last);
      last = rec;
    }
    expect(index.listSizes().reduce((a, b) => a + b, 0)).toBe(ref.data.n);
  });

  it('IVF-PQ (nlist 64, m 8, 8 bits) recall@10 is within 0.03 of FAISS IndexIVFPQ; re-ranking lifts it; codes are 1/16 of float32', () => {
    const index = createIndex({ kind: 'ivfpq', dim, nlist: 64, m: 8, nbits: 8, refine: true, iters: 10 }) as IvfPqIndex;
    index.train(base);
    index.add(base);
    for (const p of [4, 16] as const) {
      const rec = recallAtK(index.search(queries, k, { nprobe: p }).ids, truth, nq, k);
      expect(Math.abs(rec - ref.faissIvfPq.recall[p]), `nprobe ${p}: ours ${rec}, FAISS ${ref.faissIvfPq.recall[p]}`).toBeLessThanOrEqual(0.03);
    }
    const reranked = recallAtK(index.search(queries, k, { nprobe: 16, rerank: 4 }).ids, truth, nq, k);
    expect(reranked).toBeGreaterThan(ref.faissIvfPq.recall[16] + 0.15);
    // 8 one-byte codes + a 4-byte id against 32 float32s.
    expect(index.codeBytes()).toBe(ref.data.n * 12);
  }, 60_000);

  it('relativeContrast falls towards 1 as the dimension of uniform data grows', () => {
    const rc = (d: number) => relativeContrast(uniformCube(2000, d, 1), uniformCube(20, d, 2), d);
    const low = rc(2), high = rc(256);
    expect(low).toBeGreaterThan(5);
    expect(high).toBeLessThan(1.3);
    expect(high).toBeGreaterThan(1);
  });

  it('rejects bad input with a VectorError naming it', () => {
    const flat = createIndex({ kind: 'flat', dim: 4 });
    expect(() => flat.add(new Float32Array(6))).toThrow(/multiple of dim 4/);
    expect(() => flat.add(Float32Array.of(1, 2, NaN, 4))).toThrow(/not a finite number/);
    expect(() => flat.search(new Float32Array(4), 0)).toThrow(/k must be/);
    expect(() => createIndex({ kind: 'ivfpq', dim: 10, m: 3 })).toThrow(/must divide dim/);
    expect(() => createIndex({ kind: 'hnsw', dim: 4, M: 1 })).toThrow(VectorError);
  });
});

describe('bm25Scores and reciprocalRankFusion', () => {
  it('bm25Scores equals the reference implementation to 1e-9', () => {
    const docs = ref.bm25.docs.map((d) => d.split(' '));
    ref.bm25.queries.forEach((q, i) => {
      const s = bm25Scores(docs, q.split(' '));
      ref.bm25.scores[i].forEach((want, j) => expect(Math.abs(s[j] - want)).toBeLessThanOrEqual(1e-9));
    });
  });

  it('reciprocalRankFusion sums 1/(k + rank) and breaks ties by the smaller id', () => {
    // a: 1/61 + 1/62, b: 1/62 + 1/61 (tie with a → smaller id first), c: 1/63.
    expect(reciprocalRankFusion([[7, 3, 9], [3, 7]])).toEqual([3, 7, 9]);
    // With k = 0: id 5 gets 1 + 1/3, id 2 gets 1/2 + 1, id 8 gets 1/3 + 1/2.
    expect(reciprocalRankFusion([[5, 2, 8], [2, 8, 5]], 0)).toEqual([2, 5, 8]);
  });
});
