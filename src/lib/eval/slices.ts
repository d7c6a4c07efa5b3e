/**
 * Slice-based error analysis: the error rate on every slice of the data (a range of a numeric
 * feature, a category, and every intersection of two of them), and the slices that are worst
 * beyond chance. A slice's excess error is tested one-sided against the overall rate,
 * z = (e_s − e) / √(e(1 − e)/n_s), and the p-value is Bonferroni-adjusted for the number of slices
 * looked at, since searching hundreds of slices finds a "bad" one by luck alone.
 */
import { EvalInputError, checkBinary, checkFinite, checkNonEmpty, checkSameLength, type Labels } from './errors';
import { quantileSorted } from './partial-dependence';
import { normalSf } from '../stats/dist';

export interface SliceColumn {
  name: string;
  values: ArrayLike<number>;
  /** numeric: cut at quantiles into `bins` ranges; categorical: one slice per distinct value. */
  kind: 'numeric' | 'categorical';
}

export interface SliceOptions {
  /** Quantile ranges per numeric feature. */
  bins?: number;
  /** Also score every intersection of two single-feature slices. */
  pairs?: boolean;
  /** Slices smaller than this are not reported (too noisy to act on). */
  minSize?: number;
}

export interface Slice {
  /** e.g. "income < 38.2 and group = 1". */
  description: string;
  features: string[];
  n: number;
  errors: number;
  errorRate: number;
  /** Fraction of the slice with label 1. */
  positiveRate: number;
  z: number;
  /** One-sided p-value of "this slice errs more than overall", Bonferroni-adjusted over all slices scored. */
  pAdjusted: number;
}

export interface SliceReport {
  n: number;
  errorRate: number;
  /** Every slice of at least minSize cases, single features first, in column order. */
  slices: Slice[];
  /** Slices scored (the Bonferroni factor). */
  tested: number;
}

const DEFAULTS: Required<SliceOptions> = { bins: 4, pairs: true, minSize: 30 };

interface Base {
  description: string;
  feature: string;
  mask: Uint8Array;
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toPrecision(3).replace(/\.?0+$/, ''));

function baseSlices(col: SliceColumn, n: number, bins: number): Base[] {
  const v = col.values;
  if (col.kind === 'categorical') {
    const cats = [...new Set(Array.from(v))].sort((a, b) => a - b);
    return cats.map((c) => ({ description: `${col.name} = ${fmt(c)}`, feature: col.name, mask: Uint8Array.from({ length: n }, (_, i) => (v[i] === c ? 1 : 0)) }));
  }
  const sorted = Float64Array.from(v).sort();
  const cuts = [...new Set(Array.from({ length: bins - 1 }, (_, k) => quantileSorted(sorted, (k + 1) / bins)))];
  const out: Base[] = [];
  for (let b = 0; b <= cuts.length; b++) {
    const lo = b === 0 ? -Infinity : cuts[b - 1];
    const hi = b === cuts.length ? Infinity : cuts[b];
    const description = b === 0 ? `${col.name} < ${fmt(hi)}` : b === cuts.length ? `${col.name} ≥ ${fmt(lo)}` : `${fmt(lo)} ≤ ${col.name} < ${fmt(hi)}`;
    const mask = Uint8Array.from({ length: n }, (_, i) => (v[i] >= lo && v[i] < hi ? 1 : 0));
    if (mask.some((m) => m)) out.push({ description, feature: col.name, mask });
  }
  return out;
}

/** Error rate of yPred against yTrue on every slice; see the module comment for the test. */
export function sliceMetrics(columns: SliceColumn[], yTrue: Labels, yPred: Labels, options: SliceOptions = {}): SliceReport {
  const { bins, pairs, minSize } = { ...DEFAULTS, ...options };
  checkNonEmpty('yTrue', yTrue);
  checkSameLength(['yTrue', 'yPred', ...columns.map((c) => c.name)], [yTrue, yPred, ...columns.map((c) => c.values)]);
  checkBinary('yTrue', yTrue);
  checkBinary('yPred', yPred);
  if (columns.length === 0) throw new EvalInputError('columns is empty; give at least one feature to slice by.');
  if (!Number.isInteger(bins) || bins < 2) throw new EvalInputError(`bins is ${bins}; it must be an integer ≥ 2.`);
  for (const c of columns) checkFinite(c.name, c.values);
  const n = yTrue.length;
  const wrong = Uint8Array.from({ length: n }, (_, i) => (yTrue[i] !== yPred[i] ? 1 : 0));
  const errorRate = wrong.reduce((a, b) => a + b, 0) / n;

  const singles = columns.flatMap((c) => baseSlices(c, n, bins));
  const raw: { description: string; features: string[]; n: number; errors: number; pos: number }[] = [];
  const score = (description: string, features: string[], inSlice: (i: number) => boolean) => {
    let m = 0, e = 0, p = 0;
    for (let i = 0; i < n; i++) {
      if (!inSlice(i)) continue;
      m++;
      e += wrong[i];
      p += yTrue[i];
    }
    if (m > 0) raw.push({ description, features, n: m, errors: e, pos: p });
  };
  for (const s of singles) score(s.description, [s.feature], (i) => s.mask[i] === 1);
  if (pairs) {
    for (let a = 0; a < singles.length; a++) {
      for (let b = a + 1; b < singles.length; b++) {
        const A = singles[a], B = singles[b];
        if (A.feature === B.feature) continue;
        score(`${A.description} and ${B.description}`, [A.feature, B.feature], (i) => A.mask[i] === 1 && B.mask[i] === 1);
      }
    }
  }
  const kept = raw.filter((s) => s.n >= minSize);
  const tested = Math.max(1, kept.length);
  const sd = Math.sqrt(errorRate * (1 - errorRate));
  const slices = kept.map((s) => {
    const er = s.errors / s.n;
    const z = sd > 0 ? (er - errorRate) / (sd / Math.sqrt(s.n)) : 0;
    return { description: s.description, features: s.features, n: s.n, errors: s.errors, errorRate: er, positiveRate: s.pos / s.n, z, pAdjusted: Math.min(1, tested * normalSf(z)) };
  });
  return { n, errorRate, slices, tested };
}

/** The `top` slices with the highest error rate (ties: the larger slice first). */
export function worstSlices(report: SliceReport, top = 5): Slice[] {
  return [...report.slices].sort((a, b) => b.errorRate - a.errorRate || b.n - a.n).slice(0, top);
}
