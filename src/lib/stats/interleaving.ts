/**
 * Ranking experiments on simulated click logs. Each query has DOCS candidate documents with graded
 * relevance; a ranker orders them by relevance + N(0, noise²), so the less noisy ranker is better.
 * Users click by a position-based model: P(click at 1-based rank r) = r^(−positionBias) · attract(rel).
 *
 * A/B split: each query goes to one ranker; compare clicks per query with Welch's t-test.
 * Team-draft interleaving (Radlinski, Kurup & Joachims 2008): both rankers draft into one list,
 * the team with fewer picks (a coin breaks ties) adding its best document not yet shown; a click
 * credits the team that placed the document. Per query the ranker with more credited clicks wins;
 * under H0 wins of B among decided queries ~ Binomial(m, ½), tested with z = (w_B − w_A)/√(w_A + w_B).
 */
import { deriveSeed, mulberry32, type Rng } from '../core/rng';
import { normalSf } from './dist';
import { checkFinite, checkInteger, checkOpenUnit, fail } from './errors';
import { welchTTest } from './hypothesis';
import { normalSampler, type NormalSampler } from '../math/random';
import { quietContext, type TaskContext } from '../core/task';

export const DOCS = 20;
export const SHOWN = 10;
/** Share of candidates at relevance 0, 1, 2, 3 and the click probability of an examined one. */
export const RELEVANCE_SHARES = [0.5, 0.3, 0.15, 0.05];
export const ATTRACT = [0.05, 0.2, 0.45, 0.8];
const QUERY_LADDER = [50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000];

export interface TeamDraft {
  /** Interleaved list of document ids. */
  list: number[];
  /** team[i] = 0 if ranker A placed list[i], 1 if B did. */
  team: number[];
}

/** Team-draft interleaving of two rankings (arrays of document ids, best first) into k slots. */
export function teamDraftInterleave(a: ArrayLike<number>, b: ArrayLike<number>, k: number, rng: Rng): TeamDraft {
  const list: number[] = [];
  const team: number[] = [];
  const used = new Set<number>();
  const next = [0, 0];
  const count = [0, 0];
  const rankings = [a, b];
  /** The team's best document not yet shown, or -1 when its ranking is used up. */
  const best = (t: number) => {
    const r = rankings[t];
    while (next[t] < r.length && used.has(r[next[t]])) next[t]++;
    return next[t] < r.length ? r[next[t]] : -1;
  };
  while (list.length < k) {
    let t = count[0] < count[1] || (count[0] === count[1] && rng() < 0.5) ? 0 : 1;
    let doc = best(t);
    if (doc < 0) doc = best((t = 1 - t));
    if (doc < 0) break;
    list.push(doc);
    team.push(t);
    used.add(doc);
    count[t]++;
  }
  return { list, team };
}

/** Position-bias examination probability at 1-based rank r. */
export function examineProbability(rank: number, positionBias: number): number {
  return Math.pow(rank, -positionBias);
}

export interface InterleavingSettings {
  /** Score noise of ranker A and B; the smaller, the better the ranking. */
  noiseA: number;
  noiseB: number;
  /** Exponent of the position-bias examination curve (0 = users read every result). */
  positionBias: number;
  /** Largest number of queries simulated (the ladder stops here). */
  maxQueries: number;
  /** Replicate experiments per ladder point. */
  replicates: number;
  alpha: number;
  seed: number;
}

export interface InterleavingResult {
  queries: Float64Array;
  abPower: Float64Array;
  interleavingPower: Float64Array;
  /** Mean clicks per query in each A/B arm and interleaving's share of B wins among decided queries (at the largest size). */
  clicksA: number;
  clicksB: number;
  winShareB: number;
  /** Share of interleaved queries with no winner. */
  tieShare: number;
}

export function validateInterleaving(s: InterleavingSettings): void {
  if (!(s.noiseA >= 0 && s.noiseA <= 20)) fail(`noiseA must lie in [0, 20], got ${s.noiseA}`);
  if (!(s.noiseB >= 0 && s.noiseB <= 20)) fail(`noiseB must lie in [0, 20], got ${s.noiseB}`);
  if (!(s.positionBias >= 0 && s.positionBias <= 5)) fail(`positionBias must lie in [0, 5], got ${s.positionBias}`);
  checkInteger('maxQueries', s.maxQueries, 50);
  if (s.maxQueries > 20_000) fail(`maxQueries must be at most 20,000, got ${s.maxQueries}`);
  checkInteger('replicates', s.replicates, 10);
  if (s.replicates > 2000) fail(`replicates must be at most 2,000, got ${s.replicates}`);
  checkOpenUnit('alpha', s.alpha);
  checkFinite('seed', s.seed);
}

/** Order ids by score, highest first (insertion sort: 20 items, already nearly sorted from the last query). */
function sortByScore(ids: Int32Array, score: Float64Array): void {
  for (let i = 1; i < ids.length; i++) {
    const id = ids[i];
    const v = score[id];
    let j = i - 1;
    while (j >= 0 && score[ids[j]] < v) {
      ids[j + 1] = ids[j];
      j--;
    }
    ids[j + 1] = id;
  }
}

class QuerySim {
  rel = new Int32Array(DOCS);
  sa = new Float64Array(DOCS);
  sb = new Float64Array(DOCS);
  ra = Int32Array.from({ length: DOCS }, (_, i) => i);
  rb = Int32Array.from({ length: DOCS }, (_, i) => i);
  exam: number[];
  constructor(private s: InterleavingSettings, private rng: Rng, private normal: NormalSampler) {
    this.exam = Array.from({ length: SHOWN }, (_, r) => examineProbability(r + 1, s.positionBias));
  }
  /** Draw a query's documents and both rankers' orderings. */
  next(): void {
    for (let d = 0; d < DOCS; d++) {
      let u = this.rng();
      let g = 0;
      while (g < 3 && u >= RELEVANCE_SHARES[g]) u -= RELEVANCE_SHARES[g++];
      this.rel[d] = g;
      this.sa[d] = g + this.s.noiseA * this.normal();
      this.sb[d] = g + this.s.noiseB * this.normal();
    }
    sortByScore(this.ra, this.sa);
    sortByScore(this.rb, this.sb);
  }
  click(doc: number, rank: number): boolean {
    return this.rng() < this.exam[rank] * ATTRACT[this.rel[doc]];
  }
  clicksOn(list: ArrayLike<number>): number {
    let c = 0;
    for (let r = 0; r < SHOWN; r++) if (this.click(list[r], r)) c++;
    return c;
  }
}

export async function simulateInterleaving(s: InterleavingSettings, ctx: TaskContext = quietContext): Promise<InterleavingResult> {
  validateInterleaving(s);
  const ladder = [...new Set([...QUERY_LADDER.filter((q) => q < s.maxQueries), s.maxQueries])];
  const total = ladder.reduce((a, b) => a + b, 0) * s.replicates;
  let done = 0;
  const abPower = new Float64Array(ladder.length);
  const interleavingPower = new Float64Array(ladder.length);
  const out = { clicksA: 0, clicksB: 0, winShareB: 0, tieShare: 0 };
  for (let li = 0; li < ladder.length; li++) {
    const Q = ladder[li];
    const half = Math.floor(Q / 2);
    const clicksA = new Float64Array(half);
    const clicksB = new Float64Array(Q - half);
    for (let rep = 0; rep < s.replicates; rep++) {
      const rng = mulberry32(deriveSeed(s.seed, li * 100_003 + rep));
      const sim = new QuerySim(s, rng, normalSampler(rng));
      let wA = 0;
      let wB = 0;
      for (let q = 0; q < Q; q++) {
        sim.next();
        // A/B split: alternate queries between the rankers.
        if (q < half) clicksA[q] = sim.clicksOn(sim.ra);
        else clicksB[q - half] = sim.clicksOn(sim.rb);
        // Interleaving: the same query, shown one team-drafted list.
        const td = teamDraftInterleave(sim.ra, sim.rb, SHOWN, rng);
        let cA = 0;
        let cB = 0;
        for (let r = 0; r < td.list.length; r++) {
          if (!sim.click(td.list[r], r)) continue;
          if (td.team[r]) cB++;
          else cA++;
        }
        if (cB > cA) wB++;
        else if (cA > cB) wA++;
      }
      const ab = safeWelchP(clicksA, clicksB);
      if (ab < s.alpha) abPower[li]++;
      const z = wA + wB > 0 ? (wB - wA) / Math.sqrt(wA + wB) : 0;
      if (2 * normalSf(Math.abs(z)) < s.alpha) interleavingPower[li]++;
      if (li === ladder.length - 1) {
        out.clicksA += mean(clicksA) / s.replicates;
        out.clicksB += mean(clicksB) / s.replicates;
        out.winShareB += (wA + wB > 0 ? wB / (wA + wB) : 0.5) / s.replicates;
        out.tieShare += (Q - wA - wB) / Q / s.replicates;
      }
      done += Q;
      await ctx.tick(done / total);
    }
    abPower[li] /= s.replicates;
    interleavingPower[li] /= s.replicates;
  }
  return { queries: Float64Array.from(ladder), abPower, interleavingPower, ...out };
}

function mean(xs: Float64Array): number {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m += xs[i];
  return xs.length ? m / xs.length : 0;
}

/** Welch p-value, or 1 when neither arm's clicks vary (tiny samples with no clicks at all). */
function safeWelchP(a: Float64Array, b: Float64Array): number {
  try {
    return welchTTest(a, b).pValue;
  } catch {
    return 1;
  }
}
