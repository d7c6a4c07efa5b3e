import { describe, expect, it } from 'vitest';
import { quietContext } from '../../src/lib/core/task';
import * as exact from '../../src/lib/runners/vector-exact';
import * as ivf from '../../src/lib/runners/vector-ivf';
import * as hnsw from '../../src/lib/runners/vector-hnsw';
import * as pq from '../../src/lib/runners/vector-pq';
import { meta as exactMeta } from '../../labs/vector-exact/lab';
import { meta as ivfMeta } from '../../labs/vector-ivf/lab';
import { meta as hnswMeta } from '../../labs/vector-hnsw/lab';
import { meta as pqMeta } from '../../labs/vector-pq/lab';
import type { LabMeta } from '../../labs/types';
import type { RunRecord } from '../../src/lib/store/types';
import { record } from './mlops-fixtures';

const checker = (meta: LabMeta) => (id: string, runs: RunRecord[], answers: Record<string, string> = {}) => meta.exercises.find((e) => e.id === id)!.check({ runs, answers });

describe('vector-exact lab: runs and exercises', () => {
  const check = checker(exactMeta);
  const small = { ...exact.defaults, n: 2000, queries: 20, dim: 16, maxDim: 256 };

  it('a real run: the k-d tree is exact, prunes in 2-d and visits most points at 256-d; contrast falls towards 1', async () => {
    const r = await exact.run(quietContext, small);
    const d = exact.digest(r);
    expect(d.kdExact).toBe(1);
    expect(d.kdVisitedLow).toBeLessThan(0.05);
    expect(d.kdVisitedHigh).toBeGreaterThan(0.5);
    expect(d.contrastLow).toBeGreaterThan(5);
    expect(d.contrastHigh).toBeLessThan(1.5);
    // The runner's neighbours are the scan's: distances ascend.
    expect(r.distances[1]).toBeGreaterThanOrEqual(r.distances[0]);
    const run = record('vector-exact', small, d);
    expect(check('concentration', [run]).passed).toBe(true);
    const share = Math.round(d.kdVisitedHigh * 100);
    expect(check('why-tree', [run], { 'why-tree': `The query ball crosses every splitting plane, so it visited ${share}% of points.` }).passed).toBe(true);
    expect(check('why-tree', [run], { 'why-tree': `The query ball crosses every splitting plane, so it visited ${share + 20}% of points.` }).passed).toBe(false);
  }, 60_000);

  it('scan-grows: needs 4× the data with equal settings and ≥ 2× the time per query', () => {
    const a = record('vector-exact', { ...small, n: 5000 }, { msPerQuery: 0.5 });
    expect(check('scan-grows', [a, record('vector-exact', { ...small, n: 20000 }, { msPerQuery: 1.9 })]).passed).toBe(true);
    expect(check('scan-grows', [a, record('vector-exact', { ...small, n: 20000 }, { msPerQuery: 0.8 })]).passed).toBe(false);
    expect(check('scan-grows', [a, record('vector-exact', { ...small, n: 10000 }, { msPerQuery: 1.9 })]).passed).toBe(false);
    expect(check('scan-grows', [a, record('vector-exact', { ...small, n: 20000, dim: 32 }, { msPerQuery: 1.9 })]).passed).toBe(false);
  });

  it('concentration fails when the sweep stops below 256', () => {
    expect(check('concentration', [record('vector-exact', { ...small, maxDim: 64 }, { sweepDim: 64, contrastHigh: 1.4, kdVisitedHigh: 0.9 })]).passed).toBe(false);
  });
});

describe('vector-ivf lab: runs and exercises', () => {
  const check = checker(ivfMeta);
  const small = { ...ivf.defaults, n: 4000, queries: 50, dim: 16, nlist: 32, trainRows: 4000, nprobe: 1 };

  it('a real run: recall rises with nprobe to 1 at nprobe = nlist; minNprobe95 is the first to reach 0.95', async () => {
    const r = await ivf.run(quietContext, small);
    const recalls = r.curve.map((c) => c.recall);
    for (let i = 1; i < recalls.length; i++) expect(recalls[i]).toBeGreaterThanOrEqual(recalls[i - 1]);
    expect(recalls.at(-1)).toBe(1);
    expect(r.curve.at(-1)!.scanned).toBeCloseTo(1, 9);
    expect(Array.from(r.listSizes).reduce((a, b) => a + b, 0)).toBe(small.n);
    const d = ivf.digest(r);
    const at = await ivf.run(quietContext, { ...small, nprobe: d.minNprobe95 });
    expect(at.chosen.recall).toBeGreaterThanOrEqual(0.95);
    if (d.minNprobe95 > 1) {
      const below = await ivf.run(quietContext, { ...small, nprobe: d.minNprobe95 - 1 });
      expect(below.chosen.recall).toBeLessThan(0.95);
    }
    const run = record('vector-ivf', { ...small, nprobe: d.minNprobe95 }, { ...ivf.digest(at), speedup: 2 });
    expect(check('recall-95', [run]).passed).toBe(true);
    expect(check('recall-95', [record('vector-ivf', small, { ...d, minNprobe95: 3 })]).passed).toBe(false);
  }, 60_000);

  it('validate() names nprobe when it exceeds nlist', () => {
    expect(() => ivf.validate({ ...small, nprobe: 64 })).toThrow(/cannot exceed/);
  });

  it('more-lists: needs 4× nlist, lower recall at nprobe 1 and a larger nprobe for 0.95', () => {
    const a = record('vector-ivf', { ...small, nlist: 32 }, { recallAt1: 0.8, minNprobe95: 2 });
    expect(check('more-lists', [a, record('vector-ivf', { ...small, nlist: 128, nprobe: 4 }, { recallAt1: 0.6, minNprobe95: 5 })]).passed).toBe(true);
    expect(check('more-lists', [a, record('vector-ivf', { ...small, nlist: 128 }, { recallAt1: 0.85, minNprobe95: 5 })]).passed).toBe(false);
    expect(check('more-lists', [a, record('vector-ivf', { ...small, nlist: 64 }, { recallAt1: 0.6, minNprobe95: 5 })]).passed).toBe(false);
  });

  it('imbalance: needs few clusters, many lists and the run’s own ratio in the answer', () => {
    const r = record('vector-ivf', { ...small, clusters: 5, nlist: 100 }, { imbalance: 3.42, emptyLists: 2 });
    expect(check('imbalance', [r], { imbalance: 'The biggest list is 3.4 times the mean, so queries that probe it scan more and are slower.' }).passed).toBe(true);
    expect(check('imbalance', [r], { imbalance: 'The biggest list is 2 times the mean, so queries are slower.' }).passed).toBe(false);
    expect(check('imbalance', [record('vector-ivf', { ...small, clusters: 50, nlist: 100 }, { imbalance: 3.42 })], { imbalance: '3.42 slower' }).passed).toBe(false);
  });
});

describe('vector-hnsw lab: runs and exercises', () => {
  const check = checker(hnswMeta);
  const small = { ...hnsw.defaults, n: 3000, queries: 50, dim: 16, efConstruction: 64, churn: 0.2 };

  it('a real run: recall rises with efSearch, fewer distances than a scan, no removed id after churn', async () => {
    const r = await hnsw.run(quietContext, small);
    for (let i = 1; i < r.curve.length; i++) expect(r.curve[i].recall).toBeGreaterThanOrEqual(r.curve[i - 1].recall - 0.01);
    expect(r.curve.at(-1)!.recall).toBeGreaterThan(0.95);
    expect(r.chosen.distances).toBeLessThan(small.n / 2);
    expect(r.levelCounts[0]).toBe(small.n);
    expect(r.levelCounts[1]).toBeLessThan(small.n / 8);
    expect(r.route.layers.at(-1)!.level).toBe(0);
    expect(r.removedReturned).toBe(0);
    expect(r.removed).toBe(600);
    expect(r.churnRecall).toBeGreaterThan(0.9);
    const d = hnsw.digest(r);
    expect(check('churn', [record('vector-hnsw', small, d)]).passed).toBe(true);
    expect(check('churn', [record('vector-hnsw', small, { ...d, removedReturned: 1 })]).passed).toBe(false);
    expect(check('churn', [record('vector-hnsw', { ...small, churn: 0.1 }, d)]).passed).toBe(false);
  }, 60_000);

  it('ten-x: recall ≥ 0.95 and ≥ 10× the scan, both from the same run', () => {
    expect(check('ten-x', [record('vector-hnsw', small, { recall: 0.96, speedup: 12, distances: 300 })]).passed).toBe(true);
    expect(check('ten-x', [record('vector-hnsw', small, { recall: 0.94, speedup: 30, distances: 300 })]).passed).toBe(false);
    expect(check('ten-x', [record('vector-hnsw', small, { recall: 0.99, speedup: 8, distances: 300 })]).passed).toBe(false);
  });

  it('more-links: M × 4 with equal settings and small efSearch must raise recall and memory', () => {
    const a = record('vector-hnsw', { ...small, M: 4, efSearch: 10 }, { recall: 0.8, memoryBytes: 1e6, buildMs: 100 });
    expect(check('more-links', [a, record('vector-hnsw', { ...small, M: 16, efSearch: 10 }, { recall: 0.9, memoryBytes: 2e6, buildMs: 300 })]).passed).toBe(true);
    expect(check('more-links', [a, record('vector-hnsw', { ...small, M: 16, efSearch: 10 }, { recall: 0.7, memoryBytes: 2e6, buildMs: 300 })]).passed).toBe(false);
    expect(check('more-links', [a, record('vector-hnsw', { ...small, M: 8, efSearch: 10 }, { recall: 0.9, memoryBytes: 2e6, buildMs: 300 })]).passed).toBe(false);
  });
});

describe('vector-pq lab: runs and exercises', () => {
  const check = checker(pqMeta);
  const small = { ...pq.defaults, n: 6000, queries: 40, dim: 32, clusters: 40, nlist: 32, m: 8, nbits: 6, nprobe: 8, rerank: 10, trainRows: 3000 };

  it('a real run: codes are m + 4 bytes a vector, re-ranking lifts recall, and recall grows with nprobe', async () => {
    const r = await pq.run(quietContext, small);
    expect(r.codeBytes).toBe(small.n * (small.m + 4));
    expect(r.compression).toBe((4 * small.dim) / small.m);
    expect(r.memoryBytes).toBeGreaterThan(r.floatBytes);
    const last = r.curve.at(-1)!;
    expect(last.recallReranked).toBeGreaterThan(last.recall + 0.1);
    expect(r.curve[0].recallReranked).toBeLessThanOrEqual(last.recallReranked);
    expect(r.recall).toBeGreaterThan(0.9);
    expect(r.p99Ms).toBeGreaterThanOrEqual(r.medianMs);
    const off = await pq.run(quietContext, { ...small, rerank: 0 });
    expect(off.memoryBytes).toBeLessThan(off.floatBytes / 2);
    const runs = [record('vector-pq', { ...small, rerank: 0 }, pq.digest(off)), record('vector-pq', small, pq.digest(r))];
    expect(check('rerank', runs).passed).toBe(true);
    expect(check('rerank', [runs[0], record('vector-pq', { ...small, rerank: 2 }, pq.digest(r))]).passed).toBe(false);
  }, 90_000);

  it('validate() names m when it does not divide the dimension', () => {
    expect(() => pq.validate({ ...small, m: 5 })).toThrow(/must divide/);
  });

  it('sixty-four and million read compression, recall, size and latency', () => {
    expect(check('sixty-four', [record('vector-pq', { ...small, dim: 128 }, { compression: 64, recall: 0.93, recallPq: 0.6 })]).passed).toBe(true);
    expect(check('sixty-four', [record('vector-pq', small, { compression: 16, recall: 0.99, recallPq: 0.6 })]).passed).toBe(false);
    expect(check('sixty-four', [record('vector-pq', { ...small, dim: 128 }, { compression: 64, recall: 0.85, recallPq: 0.6 })]).passed).toBe(false);
    const big = { ...small, n: 1_000_000 };
    expect(check('million', [record('vector-pq', big, { medianMs: 6.2, p99Ms: 12, recall: 0.95, memoryBytes: 3e8, codeBytes: 1.2e7 })]).passed).toBe(true);
    expect(check('million', [record('vector-pq', big, { medianMs: 11, p99Ms: 12, recall: 0.95, memoryBytes: 3e8, codeBytes: 1.2e7 })]).passed).toBe(false);
    expect(check('million', [record('vector-pq', small, { medianMs: 1, p99Ms: 2, recall: 0.99, memoryBytes: 3e6, codeBytes: 1e5 })]).passed).toBe(false);
  });
});
