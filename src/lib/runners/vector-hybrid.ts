/**
 * Lab "Hybrid search": BM25 over WordNet glosses, a dense embedding computed in the run (a seeded
 * random projection of TF-IDF-weighted character trigrams), and the two fused, by reciprocal rank
 * fusion and by a weighted blend of min-max normalised scores.
 *
 * Documents: the gloss (definition) of each synset in public/data/wordnet/synsets.json, the first
 * `docs` of them. Labelled queries, derived from WordNet's hypernym links: a query is the lemmas of
 * a synset Q that has at least two hyponyms among the documents ("dog, domestic dog, Canis
 * familiaris"), and its relevant documents are Q's own gloss and the glosses of its hyponyms in the
 * documents (the kinds of dog). A seeded shuffle picks which Q are asked.
 */
import { SettingsError, type Field } from '../core/fields';
import { vectorField as V } from './vector-fields';
import type { TaskContext } from '../core/task';
import { deriveSeed, mulberry32, shuffleInPlace } from '../core/rng';
import { reciprocalRankFusion } from '../vector/text';

export interface HybridSettings {
  seed: number;
  docs: number;
  queries: number;
  dim: number;
  k: number;
  rrfK: number;
  alpha: number;
  k1: number;
  b: number;
}

export const defaults: HybridSettings = { seed: 1, docs: 20000, queries: 200, dim: 128, k: 10, rrfK: 60, alpha: 0.5, k1: 1.2, b: 0.75 };

export const fields: Field[] = [
  V.seed('Picks the queries and draws the random projection of the dense embedding.'),
  { key: 'docs', label: 'Documents', kind: 'number', integer: true, min: 500, max: 40000, step: 500, explain: 'WordNet glosses searched (the first ones of the shipped 40,000).' },
  V.queries(3000, 'Labelled queries: a synset’s words, relevant = its gloss and its hyponyms’ glosses.'),
  V.dim(4, 1024, 'Size of the random projection of the character-trigram TF-IDF vector: smaller loses more.', 'Embedding dimension'),
  V.k('Cut-off for recall@k and nDCG@k.'),
  { key: 'rrfK', label: 'RRF k', kind: 'number', min: 0, max: 10000, explain: 'Reciprocal rank fusion scores Σ 1 / (k + rank): small k trusts each list’s top ranks, large k flattens them.' },
  { key: 'alpha', label: 'Blend α (dense weight)', kind: 'number', min: 0, max: 1, step: 0.05, explain: 'Weighted blend: α · dense + (1 − α) · BM25, each min-max normalised over the two lists’ top 100 for the query. The run also sweeps α = 0, 0.1, …, 1.' },
  { key: 'k1', label: 'BM25 k1', kind: 'number', min: 0, max: 10, step: 0.1, explain: 'Term-frequency saturation.' },
  { key: 'b', label: 'BM25 b', kind: 'number', min: 0, max: 1, step: 0.05, explain: 'Length normalisation: 0 none, 1 full.' },
];

export function validate(s: HybridSettings): void {
  if (s.k > 100) throw new SettingsError('k', 'k is at most 100 (the depth each list is cut at).');
}

/** [id, pos, lemmas, gloss, examples, hypernyms] as scripts/make-wordnet-corpus.mjs writes them. */
export type Synset = [string, string, string[], string, string[], string[]];
export interface Corpus { source: string; licence: string; synsets: Synset[] }

export const METHODS = ['bm25', 'dense', 'rrf', 'blend'] as const;
export type Method = (typeof METHODS)[number];
/** How deep each method's ranking goes (RRF fuses the two lists cut here; MRR counts ranks up to it). */
export const DEPTH = 100;

export interface Scores { recall: number; mrr: number; ndcg: number }
export interface QueryRow {
  text: string;
  relevant: number;
  /** nDCG@k per method, in METHODS order. */
  ndcg: number[];
  /** The top document of each method, as an index into docTexts. */
  top: number[];
}
export interface HybridResult {
  source: string;
  docs: number;
  vocab: number;
  trigrams: number;
  candidates: number;
  methods: Record<Method, Scores>;
  alphaSweep: { alpha: number; ndcg: number }[];
  bestAlpha: number;
  rows: QueryRow[];
  /** Texts of the documents the rows name, by index. */
  docTexts: string[];
  indexMs: number;
  embedMs: number;
  searchMs: number;
}

const STOP = new Set('a an the of or and to in on for by with as at from is be that which its it their this these those any other one who not into than such used'.split(' '));
export const tokenize = (text: string): string[] => (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((t) => !STOP.has(t));

/** Character trigrams of a token with boundary marks: "dog" → "<do", "dog", "og>". */
export function trigrams(token: string): string[] {
  const w = `<${token}>`;
  const out: string[] = [];
  for (let i = 0; i + 3 <= w.length; i++) out.push(w.slice(i, i + 3));
  return out;
}

/** The queries with known relevant documents, from the hypernym links among the first `n` synsets. */
export function labelledQueries(synsets: Synset[], n: number, count: number, seed: number): { text: string; relevant: Set<number> }[] {
  const pos = new Map<string, number>();
  for (let i = 0; i < n; i++) pos.set(synsets[i][0], i);
  const hypo = new Map<number, number[]>();
  for (let i = 0; i < n; i++) for (const h of synsets[i][5]) {
    const j = pos.get(h);
    if (j !== undefined) hypo.set(j, [...(hypo.get(j) ?? []), i]);
  }
  const cands = [...hypo.entries()].filter(([, c]) => c.length >= 2).sort((a, b) => a[0] - b[0]);
  shuffleInPlace(cands, mulberry32(deriveSeed(seed, 1)));
  return cands.slice(0, count).map(([q, c]) => ({ text: synsets[q][2].join(', '), relevant: new Set([q, ...c]) }));
}

/** Inverted-index BM25 (the same formula and idf as bm25Scores, which the tests compare it with). */
export class Bm25Index {
  readonly postings = new Map<string, { doc: Int32Array; tf: Int32Array }>();
  readonly len: Int32Array;
  readonly avgdl: number;
  constructor(readonly docs: string[][], readonly k1 = 1.2, readonly b = 0.75) {
    const lists = new Map<string, number[]>();
    this.len = new Int32Array(docs.length);
    docs.forEach((d, i) => {
      this.len[i] = d.length;
      const tf = new Map<string, number>();
      for (const t of d) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [t, f] of tf) {
        let l = lists.get(t);
        if (!l) lists.set(t, (l = []));
        l.push(i, f);
      }
    });
    for (const [t, l] of lists) {
      const doc = new Int32Array(l.length / 2), tf = new Int32Array(l.length / 2);
      for (let i = 0; i < doc.length; i++) { doc[i] = l[2 * i]; tf[i] = l[2 * i + 1]; }
      this.postings.set(t, { doc, tf });
    }
    this.avgdl = docs.reduce((a, d) => a + d.length, 0) / docs.length;
  }
  scores(query: string[], out = new Float64Array(this.docs.length)): Float64Array {
    out.fill(0);
    const N = this.docs.length;
    for (const t of query) {
      const p = this.postings.get(t);
      if (!p) continue;
      const n = p.doc.length;
      const idf = Math.log(1 + (N - n + 0.5) / (n + 0.5));
      for (let i = 0; i < n; i++) {
        const d = p.doc[i], f = p.tf[i];
        const norm = this.k1 * (1 - this.b + (this.b * this.len[d]) / (this.avgdl || 1));
        out[d] += (idf * (f * (this.k1 + 1))) / (f + norm);
      }
    }
    return out;
  }
}

/** The dense encoder: TF-IDF over character trigrams, projected by a seeded random ±1/√dim matrix, L2-normalised. */
export class TrigramEmbedder {
  readonly id = new Map<string, number>();
  idf: Float64Array = new Float64Array(0);
  private proj: Float32Array = new Float32Array(0);
  constructor(readonly dim: number, readonly seed: number) {}
  private grams(tokens: string[]): Map<string, number> {
    const m = new Map<string, number>();
    for (const t of tokens) for (const g of trigrams(t)) m.set(g, (m.get(g) ?? 0) + 1);
    return m;
  }
  fit(docs: string[][]): Float32Array {
    const df: number[] = [];
    const bags = docs.map((d) => {
      const m = this.grams(d);
      for (const g of m.keys()) {
        let j = this.id.get(g);
        if (j === undefined) { j = df.length; this.id.set(g, j); df.push(0); }
        df[j]++;
      }
      return m;
    });
    const N = docs.length;
    this.idf = Float64Array.from(df, (n) => Math.log((N + 1) / (n + 1)) + 1);
    const rng = mulberry32(deriveSeed(this.seed, 2));
    const s = 1 / Math.sqrt(this.dim);
    this.proj = new Float32Array(df.length * this.dim);
    for (let i = 0; i < this.proj.length; i++) this.proj[i] = rng() < 0.5 ? -s : s;
    const out = new Float32Array(N * this.dim);
    bags.forEach((m, i) => this.project(m, out.subarray(i * this.dim, (i + 1) * this.dim)));
    return out;
  }
  /** Trigrams never seen in the documents have no column of the projection and are dropped. */
  private project(m: Map<string, number>, v: Float32Array): void {
    const D = this.dim;
    for (const [g, f] of m) {
      const j = this.id.get(g);
      if (j === undefined) continue;
      const w = f * this.idf[j];
      for (let c = 0; c < D; c++) v[c] += w * this.proj[j * D + c];
    }
    let n = 0;
    for (let c = 0; c < D; c++) n += v[c] * v[c];
    n = Math.sqrt(n);
    if (n > 0) for (let c = 0; c < D; c++) v[c] /= n;
  }
  embed(tokens: string[]): Float32Array {
    const v = new Float32Array(this.dim);
    this.project(this.grams(tokens), v);
    return v;
  }
}

/** The `depth` highest scores, highest first, ties by smaller id. */
export function topIds(scores: ArrayLike<number>, depth: number): number[] {
  const ids: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (ids.length === depth && s <= scores[ids[depth - 1]]) continue;
    let j = ids.length === depth ? depth - 1 : ids.length;
    while (j > 0 && scores[ids[j - 1]] < s) { ids[j] = ids[j - 1]; j--; }
    ids[j] = i;
  }
  return ids;
}

/** recall@k, reciprocal rank (up to the list's length) and nDCG@k with binary gains. */
export function scoreRanking(ranked: number[], relevant: Set<number>, k: number): Scores {
  let hits = 0, dcg = 0, rr = 0;
  ranked.forEach((id, i) => {
    if (!relevant.has(id)) return;
    if (!rr) rr = 1 / (i + 1);
    if (i < k) { hits++; dcg += 1 / Math.log2(i + 2); }
  });
  let idcg = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) idcg += 1 / Math.log2(i + 2);
  return { recall: hits / relevant.size, mrr: rr, ndcg: dcg / idcg };
}

function minMax(x: number[]): number[] {
  let lo = Infinity, hi = -Infinity;
  for (const v of x) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const r = hi - lo || 1;
  return x.map((v) => (v - lo) / r);
}

const ALPHAS = Array.from({ length: 11 }, (_, i) => i / 10);

/** The site's root, from the worker's own address (…/assets/x.js when built, …/src/workers/x.ts in dev). */
export function corpusUrl(): string {
  const here = String((globalThis as { location?: Location }).location?.href ?? '');
  const root = here.replace(/\/(assets|src)\/[^?#]*([?#].*)?$/, '/');
  return new URL('data/wordnet/synsets.json', root).href;
}

export async function loadCorpus(): Promise<Corpus> {
  const url = corpusUrl();
  const res = await fetch(url).catch((e: Error) => { throw new Error(`Could not download the WordNet corpus (${url}): ${e.message}`); });
  if (!res.ok) throw new Error(`Could not download the WordNet corpus (${url}): HTTP ${res.status}.`);
  return (await res.json()) as Corpus;
}

export async function run(ctx: TaskContext, s: HybridSettings): Promise<HybridResult> {
  ctx.progress(0.01, 'downloading the WordNet glosses');
  return runOn(ctx, s, await loadCorpus());
}

export async function runOn(ctx: TaskContext, s: HybridSettings, corpus: Corpus): Promise<HybridResult> {
  const n = Math.min(s.docs, corpus.synsets.length);
  const glosses = corpus.synsets.slice(0, n).map((x) => x[3]);
  const toks = glosses.map(tokenize);
  const qs = labelledQueries(corpus.synsets, n, s.queries, s.seed);
  if (!qs.length) throw new SettingsError('docs', `No synset among the first ${n} has two hyponyms there: use more documents.`);
  await ctx.tick(0.05, 'building the BM25 inverted index');
  let t0 = performance.now();
  const bm25 = new Bm25Index(toks, s.k1, s.b);
  const indexMs = performance.now() - t0;
  await ctx.tick(0.15, 'embedding the glosses (character trigrams → random projection)');
  t0 = performance.now();
  const enc = new TrigramEmbedder(s.dim, s.seed);
  const vecs = enc.fit(toks);
  const embedMs = performance.now() - t0;
  t0 = performance.now();
  const sums = Object.fromEntries(METHODS.map((m) => [m, { recall: 0, mrr: 0, ndcg: 0 }])) as Record<Method, Scores>;
  const sweep = new Float64Array(ALPHAS.length);
  const rows: QueryRow[] = [];
  const lex = new Float64Array(n), dense = new Float64Array(n);
  for (const [qi, q] of qs.entries()) {
    await ctx.tick(0.3 + (0.65 * qi) / qs.length, 'searching');
    const qt = tokenize(q.text);
    bm25.scores(qt, lex);
    const qv = enc.embed(qt);
    for (let d = 0; d < n; d++) {
      let dot = 0;
      for (let c = 0, o = d * s.dim; c < s.dim; c++) dot += qv[c] * vecs[o + c];
      dense[d] = dot;
    }
    const lexRank = topIds(lex, DEPTH), denseRank = topIds(dense, DEPTH);
    // The blend scores the union of the two lists (as search engines do), each min-max normalised over it.
    const cand = [...new Set([...lexRank, ...denseRank])].sort((a, b) => a - b);
    const ln = minMax(cand.map((d) => lex[d])), dn = minMax(cand.map((d) => dense[d]));
    const blendAt = (a: number) => topIds(cand.map((_, i) => a * dn[i] + (1 - a) * ln[i]), DEPTH).map((i) => cand[i]);
    const ranks: Record<Method, number[]> = { bm25: lexRank, dense: denseRank, rrf: reciprocalRankFusion([lexRank, denseRank], s.rrfK).slice(0, DEPTH), blend: blendAt(s.alpha) };
    const row: QueryRow = { text: q.text, relevant: q.relevant.size, ndcg: [], top: [] };
    for (const m of METHODS) {
      const sc = scoreRanking(ranks[m], q.relevant, s.k);
      sums[m].recall += sc.recall; sums[m].mrr += sc.mrr; sums[m].ndcg += sc.ndcg;
      row.ndcg.push(sc.ndcg);
      row.top.push(ranks[m][0]);
    }
    ALPHAS.forEach((a, i) => { sweep[i] += scoreRanking(blendAt(a), q.relevant, s.k).ndcg; });
    rows.push(row);
  }
  const searchMs = performance.now() - t0;
  for (const m of METHODS) for (const key of ['recall', 'mrr', 'ndcg'] as const) sums[m][key] /= qs.length;
  const alphaSweep = ALPHAS.map((alpha, i) => ({ alpha, ndcg: sweep[i] / qs.length }));
  const bestAlpha = alphaSweep.reduce((a, b) => (b.ndcg > a.ndcg ? b : a)).alpha;
  // Keep only the documents the rows point at, as text, re-indexed.
  const used = new Map<number, number>();
  const docTexts: string[] = [];
  for (const r of rows) r.top = r.top.map((d) => {
    if (d === undefined) return -1;
    if (!used.has(d)) { used.set(d, docTexts.length); docTexts.push(`${corpus.synsets[d][2][0]}: ${glosses[d]}`); }
    return used.get(d)!;
  });
  ctx.progress(1, 'done');
  return { source: corpus.source, docs: n, vocab: bm25.postings.size, trigrams: enc.id.size, candidates: qs.length, methods: sums, alphaSweep, bestAlpha, rows, docTexts, indexMs, embedMs, searchMs };
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** The queries where method `a` beats method `b` by the most nDCG@k, largest margin first. */
export function wins(r: HybridResult, a: Method, b: Method | 'both', count = 3): QueryRow[] {
  const ia = METHODS.indexOf(a);
  const other = (x: QueryRow) => (b === 'both' ? Math.max(x.ndcg[0], x.ndcg[1]) : x.ndcg[METHODS.indexOf(b)]);
  return r.rows.filter((x) => x.ndcg[ia] > other(x)).sort((x, y) => y.ndcg[ia] - other(y) - (x.ndcg[ia] - other(x))).slice(0, count);
}

export function digest(r: HybridResult) {
  const m = r.methods;
  const count = (a: number, b: number) => r.rows.filter((x) => x.ndcg[a] > x.ndcg[b]).length;
  return {
    bm25Ndcg: r4(m.bm25.ndcg), denseNdcg: r4(m.dense.ndcg), rrfNdcg: r4(m.rrf.ndcg), blendNdcg: r4(m.blend.ndcg),
    bm25Recall: r4(m.bm25.recall), denseRecall: r4(m.dense.recall), rrfRecall: r4(m.rrf.recall), blendRecall: r4(m.blend.recall),
    bm25Mrr: r4(m.bm25.mrr), denseMrr: r4(m.dense.mrr), rrfMrr: r4(m.rrf.mrr), blendMrr: r4(m.blend.mrr),
    bestAlpha: r.bestAlpha, bestAlphaNdcg: r4(Math.max(...r.alphaSweep.map((a) => a.ndcg))),
    queries: r.rows.length, bm25Wins: count(0, 1), denseWins: count(1, 0),
    denseWin: wins(r, 'dense', 'bm25', 1)[0]?.text ?? '', bm25Win: wins(r, 'bm25', 'dense', 1)[0]?.text ?? '',
    searchMs: Math.round(r.searchMs),
  };
}
