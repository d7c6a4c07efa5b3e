/** Sparse retrieval and rank fusion for hybrid search. */
import { VectorError } from './errors';

export interface Bm25Options {
  /** Term-frequency saturation. */
  k1?: number;
  /** Length normalisation: 0 none, 1 full. */
  b?: number;
}

/**
 * BM25 (Robertson & Zaragoza 2009, Lucene's idf): score(d) = Σ over query terms t of
 * idf(t) · f · (k1 + 1) / (f + k1 · (1 − b + b · |d| / avgdl)), idf(t) = ln(1 + (N − n + 0.5) / (n + 0.5)),
 * f the count of t in d, n the documents holding t. A term repeated in the query counts each time.
 */
export function bm25Scores(docs: string[][], query: string[], { k1 = 1.2, b = 0.75 }: Bm25Options = {}): Float64Array {
  const N = docs.length;
  if (!N) throw new VectorError('bm25Scores needs at least one document.');
  const avgdl = docs.reduce((a, d) => a + d.length, 0) / N;
  const terms = new Set(query);
  const df = new Map<string, number>();
  const tfs = docs.map((d) => {
    const tf = new Map<string, number>();
    for (const t of d) if (terms.has(t)) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const t of tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    return tf;
  });
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const norm = k1 * (1 - b + (b * docs[i].length) / (avgdl || 1));
    let s = 0;
    for (const t of query) {
      const f = tfs[i].get(t);
      if (!f) continue;
      const n = df.get(t)!;
      s += Math.log(1 + (N - n + 0.5) / (n + 0.5)) * (f * (k1 + 1)) / (f + norm);
    }
    out[i] = s;
  }
  return out;
}

/** Reciprocal rank fusion (Cormack et al. 2009): order ids by Σ 1 / (k + rank), rank from 1; ties by smaller id. */
export function reciprocalRankFusion(rankings: number[][], k = 60): number[] {
  if (!(k >= 0)) throw new VectorError(`reciprocalRankFusion: k must be ≥ 0 (got ${k}).`);
  const score = new Map<number, number>();
  for (const r of rankings) r.forEach((id, i) => score.set(id, (score.get(id) ?? 0) + 1 / (k + i + 1)));
  return [...score.keys()].sort((a, b) => score.get(b)! - score.get(a)! || a - b);
}
