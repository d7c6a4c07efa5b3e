import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { quietContext } from '../../src/lib/core/task';
import * as hybrid from '../../src/lib/runners/vector-hybrid';
import { bm25Scores } from '../../src/lib/vector/text';
import { meta } from '../../labs/vector-hybrid/lab';
import { record } from './mlops-fixtures';

const check = (id: string, runs: ReturnType<typeof record>[], answers: Record<string, string> = {}) => meta.exercises.find((e) => e.id === id)!.check({ runs, answers });

const corpus = JSON.parse(readFileSync(new URL('../../public/data/wordnet/synsets.json', import.meta.url), 'utf8')) as hybrid.Corpus;

describe('vector-hybrid runner', () => {
  it('the inverted-index BM25 equals bm25Scores to 1e-9', () => {
    const docs = corpus.synsets.slice(0, 2000).map((s) => hybrid.tokenize(s[3]));
    const idx = new hybrid.Bm25Index(docs, 1.5, 0.6);
    for (const q of [['dog', 'animal'], ['small', 'small', 'plant'], ['nothingatall']]) {
      const a = idx.scores(q), b = bm25Scores(docs, q, { k1: 1.5, b: 0.6 });
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-9);
    }
  });

  it('a real run: labelled queries from hypernyms, scores in [0, 1], the α sweep ends at BM25 and dense alone', async () => {
    const small = { ...hybrid.defaults, docs: 5000, queries: 80 };
    const qs = hybrid.labelledQueries(corpus.synsets, small.docs, small.queries, small.seed);
    expect(qs.length).toBe(80);
    for (const q of qs) {
      expect(q.relevant.size).toBeGreaterThanOrEqual(3);
      for (const d of q.relevant) expect(d).toBeLessThan(small.docs);
    }
    const r = await hybrid.runOn(quietContext, small, corpus);
    for (const m of hybrid.METHODS) for (const v of Object.values(r.methods[m])) { expect(v).toBeGreaterThanOrEqual(0); expect(v).toBeLessThanOrEqual(1); }
    expect(r.methods.bm25.ndcg).toBeGreaterThan(0.2);
    expect(r.methods.dense.ndcg).toBeGreaterThan(0.1);
    expect(r.alphaSweep[0].ndcg).toBeCloseTo(r.methods.bm25.ndcg, 12);
    expect(r.alphaSweep[10].ndcg).toBeCloseTo(r.methods.dense.ndcg, 12);
    const mean = r.rows.reduce((a, x) => a + x.ndcg[2], 0) / r.rows.length;
    expect(mean).toBeCloseTo(r.methods.rrf.ndcg, 12);
    const d = hybrid.digest(r);
    expect(hybrid.digest(await hybrid.runOn(quietContext, small, corpus))).toEqual({ ...d, searchMs: expect.any(Number) });
    // The exercises read this run.
    // At α = the sweep's best, the blend's nDCG is the sweep's best.
    const atBest = hybrid.digest(await hybrid.runOn(quietContext, { ...small, alpha: d.bestAlpha }, corpus));
    expect(atBest.blendNdcg).toBe(d.bestAlphaNdcg);
    const best = record('vector-hybrid', { ...small, alpha: d.bestAlpha }, atBest);
    expect(check('best-alpha', [best]).passed).toBe(atBest.blendNdcg > Math.max(atBest.bm25Ndcg, atBest.denseNdcg));
    const low = await hybrid.runOn(quietContext, { ...small, dim: 8 }, corpus);
    const dl = hybrid.digest(low);
    expect(dl.bm25Ndcg).toBe(d.bm25Ndcg);
    expect(dl.denseNdcg).toBeLessThan(d.denseNdcg);
    expect(check('weak-dense', [record('vector-hybrid', small, d), record('vector-hybrid', { ...small, dim: 8 }, dl)]).passed).toBe(true);
    if (d.denseWin) expect(check('dense-wins', [best], { 'dense-wins': `For “${String(d.denseWin).split(', ')[0]}” the trigrams matched parts of words that BM25 needs spelled exactly.` }).passed).toBe(true);
  }, 120_000);

  it('the worker finds the corpus next to the site root, built or in dev', () => {
    vi.stubGlobal('location', { href: 'https://x.org/prodlab/assets/sim-B1WJ.js' });
    expect(hybrid.corpusUrl()).toBe('https://x.org/prodlab/data/wordnet/synsets.json');
    vi.stubGlobal('location', { href: 'http://localhost:5173/src/workers/sim.ts?worker_file&type=module' });
    expect(hybrid.corpusUrl()).toBe('http://localhost:5173/data/wordnet/synsets.json');
    vi.unstubAllGlobals();
  });

  it('validate() names k above the list depth', () => {
    expect(() => hybrid.validate({ ...hybrid.defaults, k: 101 })).toThrow(/at most 100/);
  });
});

describe('vector-hybrid exercises', () => {
  const s = { ...hybrid.defaults };
  const res = { bm25Ndcg: 0.41, denseNdcg: 0.31, rrfNdcg: 0.38, blendNdcg: 0.426, bestAlpha: 0.2, denseWin: 'hallucinogen, psychedelic drug' };

  it('best-alpha: α at the sweep’s best and a blend above both retrievers', () => {
    expect(check('best-alpha', [record('vector-hybrid', { ...s, alpha: 0.2 }, res)]).passed).toBe(true);
    expect(check('best-alpha', [record('vector-hybrid', { ...s, alpha: 0.5 }, res)]).passed).toBe(false);
    expect(check('best-alpha', [record('vector-hybrid', { ...s, alpha: 0.2 }, { ...res, blendNdcg: 0.4 })]).passed).toBe(false);
  });

  it('weak-dense: a quarter of the dimension, lower dense and RRF, BM25 unchanged', () => {
    const a = record('vector-hybrid', { ...s, dim: 128 }, res);
    expect(check('weak-dense', [a, record('vector-hybrid', { ...s, dim: 16 }, { ...res, denseNdcg: 0.2, rrfNdcg: 0.35 })]).passed).toBe(true);
    expect(check('weak-dense', [a, record('vector-hybrid', { ...s, dim: 16 }, { ...res, denseNdcg: 0.2, rrfNdcg: 0.39 })]).passed).toBe(false);
    expect(check('weak-dense', [a, record('vector-hybrid', { ...s, dim: 64 }, { ...res, denseNdcg: 0.2, rrfNdcg: 0.35 })]).passed).toBe(false);
    expect(check('weak-dense', [a, record('vector-hybrid', { ...s, dim: 16, docs: 5000 }, { ...res, denseNdcg: 0.2, rrfNdcg: 0.35 })]).passed).toBe(false);
  });

  it('dense-wins: quote the run’s query and name what trigrams match', () => {
    const r = record('vector-hybrid', s, res);
    expect(check('dense-wins', [r], { 'dense-wins': 'Hallucinogen: its trigrams share the stem with hallucinogenic in the glosses.' }).passed).toBe(true);
    expect(check('dense-wins', [r], { 'dense-wins': 'Aspirin: trigrams share a stem.' }).passed).toBe(false);
    expect(check('dense-wins', [r], { 'dense-wins': 'Hallucinogen was found because it is better.' }).passed).toBe(false);
  });
});
