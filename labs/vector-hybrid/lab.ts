import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns, num, type LabRun } from '../kit/runs';
import { bestRun, runPair } from '../kit/exercises';
import { col, type Column, type Run } from '../kit/columns';
import { fixed, noun } from '../../src/lib/core/format';

type S = { seed: number; docs: number; queries: number; dim: number; k: number; rrfK: number; alpha: number; k1: number; b: number };
const runsOf = (runs: RunRecord[]) => labRuns<S>(runs);
const str = (r: { result: object }, key: string): string => String((r.result as Record<string, unknown>)[key] ?? '');

const bestAlpha = bestRun<S>({
  id: 'best-alpha',
  title: 'A blend that beats both retrievers',
  task: 'The run sweeps α from 0 (BM25 only) to 1 (dense only) and reports the best. Set α to it and run again: the blend’s nDCG@k should beat BM25 alone and dense alone.',
}, {
  none: 'No run yet.',
  pass: (r) => Math.abs(r.settings.alpha - num(r, 'bestAlpha')) < 1e-9 && num(r, 'blendNdcg') > Math.max(num(r, 'bm25Ndcg'), num(r, 'denseNdcg')),
  detail: (r, passed) => passed
    ? `Run ${r.label}: α ${r.settings.alpha} gives nDCG@${r.settings.k} ${fixed(num(r, 'blendNdcg'))} against BM25 ${fixed(num(r, 'bm25Ndcg'))} and dense ${fixed(num(r, 'denseNdcg'))}.`
    : `Run ${r.label} used α ${r.settings.alpha}; its sweep found ${num(r, 'bestAlpha')} best, and the blend must beat both BM25 (${fixed(num(r, 'bm25Ndcg'))}) and dense (${fixed(num(r, 'denseNdcg'))}).`,
});

const weakDense = runPair<S>({
  id: 'weak-dense',
  title: 'Fusion is only as good as its lists',
  task: 'Run twice, equal except the embedding dimension, the second at most a quarter of the first. The dense retriever gets worse, and so should reciprocal rank fusion, though BM25 did not change.',
}, {
  differIn: ['dim', 'alpha'],
  pair: (a, b) => 4 * b.settings.dim <= a.settings.dim,
  none: 'Need two runs equal except the dimension (and α), the second with at most a quarter of the first’s.',
  judge: (a, b) => ({
    passed: num(b, 'denseNdcg') < num(a, 'denseNdcg') && num(b, 'rrfNdcg') < num(a, 'rrfNdcg') && num(b, 'bm25Ndcg') === num(a, 'bm25Ndcg'),
    detail: `dim ${a.settings.dim} → ${b.settings.dim}: dense nDCG ${fixed(num(a, 'denseNdcg'))} → ${fixed(num(b, 'denseNdcg'))}, RRF ${fixed(num(a, 'rrfNdcg'))} → ${fixed(num(b, 'rrfNdcg'))}, BM25 ${fixed(num(a, 'bm25Ndcg'))} → ${fixed(num(b, 'bm25Ndcg'))}.`,
  }),
});

const denseWins: Exercise = {
  id: 'dense-wins',
  title: 'Where the dense side wins',
  task: 'Take the query where dense beat BM25 by the most in your latest run (listed under the results) and say why character trigrams found what exact words missed.',
  answerPrompt: 'Quote the query, and say what the trigrams matched that BM25’s words did not.',
  check({ runs, answers }): CheckResult {
    const r = runsOf(runs)[0];
    if (!r) return { passed: false, detail: 'No run yet.' };
    const q = str(r, 'denseWin');
    if (!q) return { passed: false, runId: r.id, detail: `In run ${r.label} dense never beat BM25: try another seed.` };
    const a = (answers['dense-wins'] ?? '').toLowerCase();
    const quoted = q.toLowerCase().split(/,\s*/).some((lemma) => lemma.length > 2 && a.includes(lemma));
    const why = /(trigram|n-?gram|stem|plural|suffix|prefix|spelling|morpholog|subword|part of (the )?word|character)/.test(a);
    const passed = quoted && why;
    return { passed, runId: r.id, detail: passed ? `Run ${r.label}: “${q}”.` : `Quote a word of “${q}” (run ${r.label}) and say what the character trigrams matched.` };
  },
};

export const meta: LabMeta = {
  id: 'vector-hybrid',
  title: 'Hybrid search: BM25, dense vectors and rank fusion',
  summary: 'Search WordNet glosses by exact words (BM25), by a dense embedding computed in the tab, and by both fused: recall, MRR and nDCG on queries labelled from WordNet’s own links.',
  learn: [
    'BM25 from an inverted index, with idf, term-frequency saturation and length normalisation',
    'a dense encoder without training: TF-IDF over character trigrams, randomly projected',
    'reciprocal rank fusion, and a weighted blend of normalised scores',
    'recall@k, MRR and nDCG@k on queries whose relevant documents come from the data',
  ],
  minutes: 25,
  exercises: [bestAlpha, weakDense, denseWins],
};

export const columns: Column<Run>[] = [
  col.setting('dim', 'dim'),
  col.setting('RRF k', 'rrfK'),
  col.setting('α', 'alpha'),
  col.fixed('BM25 nDCG', 'bm25Ndcg'),
  col.fixed('dense nDCG', 'denseNdcg'),
  col.fixed('RRF nDCG', 'rrfNdcg'),
  col.fixed('blend nDCG', 'blendNdcg'),
  { label: 'best α', num: true, value: (r) => String(num(r, 'bestAlpha')) },
];

export function summarize(runs: RunRecord[]): string[] {
  const rs: LabRun<S>[] = runsOf(runs);
  if (!rs.length) return [];
  const methods = ['bm25', 'dense', 'rrf', 'blend'] as const;
  const names = { bm25: 'BM25', dense: 'dense', rrf: 'RRF', blend: 'the blend' };
  const best = rs.flatMap((r) => methods.map((m) => ({ r, m, v: num(r, `${m}Ndcg`) }))).sort((a, b) => b.v - a.v)[0];
  return [`${rs.length} ${noun(rs.length, 'run')}; the best nDCG@k was ${fixed(best.v)}, by ${names[best.m]} in run ${best.r.label}.`];
}
