/**
 * The retraining simulator: over the production stream, a logistic regression is retrained on
 * recent labelled rows under a policy, and each day is scored with the model in service that day.
 * A retrain after day d sees only rows predicted in (d − windowDays, d] whose label has arrived by
 * day d (labelDay ≤ d), so late labels limit every policy the way they do in production.
 */
import { CATEGORIES, type ProductionStream, type StreamTable } from '../data/stream.ts';
import { fitLogistic, sigmoid } from '../math/logistic.ts';

export type RetrainPolicy = 'never' | 'periodic' | 'triggered' | 'continuous';
export const RETRAIN_POLICIES: readonly RetrainPolicy[] = ['never', 'periodic', 'triggered', 'continuous'];

export const RETRAIN_DEFAULTS = {
  /** Periodic: retrain after every this many days. */
  periodDays: 14,
  /** Training window: rows predicted in the last this many days (labels permitting). */
  windowDays: 28,
  /** Triggered: after an alarm, wait at least this many days before the next retrain. */
  cooldownDays: 7,
  /** Skip a retrain with fewer labelled rows than this. */
  minRows: 300,
  /** Most rows one retrain uses (the most recent ones), to bound the cost at 50,000 rows a day. */
  maxRows: 30_000,
};

export interface RetrainOptions extends Partial<typeof RETRAIN_DEFAULTS> {
  policy: RetrainPolicy;
  /** Triggered: days on which the monitor raised an alarm (the retrain happens after that day). */
  triggerDays?: readonly number[];
}

export interface RetrainResult {
  policy: RetrainPolicy;
  /** Accuracy (threshold 0.5) of the model in service on each day's rows, against their true labels. */
  accuracy: Float64Array;
  /** Log loss of the model in service on each day's rows. */
  logLoss: Float64Array;
  /** Days after which a retrain happened (the new model serves from the next day). */
  retrainDays: number[];
  meanAccuracy: number;
  meanLogLoss: number;
}

/** Model inputs: intercept, standardised age (missing → 0), log income, sessions, log basket, tenure, one-hot app/store/marketplace. */
export const RETRAIN_FEATURES = ['intercept', 'age', 'log_income', 'sessions', 'log_basket', 'tenure', 'app', 'store', 'marketplace'] as const;
const D = RETRAIN_FEATURES.length;

export interface Scaler { m: Float64Array; s: Float64Array }

function rawRow(t: StreamTable, i: number, out: Float64Array): void {
  const age = t.numeric.age[i];
  out[0] = 1;
  out[1] = age;
  out[2] = Math.log(t.numeric.income[i]);
  out[3] = t.numeric.sessions[i];
  out[4] = Math.log(t.numeric.basket_value[i]);
  out[5] = t.numeric.tenure_months[i];
  const ch = CATEGORIES.channel[t.categorical.channel[i]];
  out[6] = ch === 'app' ? 1 : 0;
  out[7] = ch === 'store' ? 1 : 0;
  out[8] = ch === 'marketplace' ? 1 : 0;
}

/** Means and sds of the numeric inputs on the reference sample (the training-time scaling, kept fixed). */
export function fitScaler(t: StreamTable): Scaler {
  const m = new Float64Array(D);
  const s = new Float64Array(D).fill(1);
  const row = new Float64Array(D);
  const sum = new Float64Array(D);
  const sq = new Float64Array(D);
  const cnt = new Float64Array(D);
  for (let i = 0; i < t.n; i++) {
    rawRow(t, i, row);
    for (let j = 1; j <= 5; j++) {
      if (Number.isNaN(row[j])) continue;
      sum[j] += row[j];
      sq[j] += row[j] * row[j];
      cnt[j]++;
    }
  }
  for (let j = 1; j <= 5; j++) {
    m[j] = sum[j] / cnt[j];
    s[j] = Math.sqrt(Math.max(1e-12, sq[j] / cnt[j] - m[j] * m[j]));
  }
  return { m, s };
}

export function row(t: StreamTable, i: number, sc: Scaler, out: Float64Array): void {
  rawRow(t, i, out);
  for (let j = 1; j <= 5; j++) out[j] = Number.isNaN(out[j]) ? 0 : (out[j] - sc.m[j]) / sc.s[j];
}

export function fit(t: StreamTable, rows: number[], sc: Scaler): Float64Array {
  const X = new Float64Array(rows.length * D);
  const y = new Float64Array(rows.length);
  const r = new Float64Array(D);
  rows.forEach((i, k) => {
    row(t, i, sc, r);
    X.set(r, k * D);
    y[k] = t.label[i];
  });
  return fitLogistic(X, y, D, { l2: 1e-3, maxIter: 30 });
}

/** Run one policy over the whole stream. */
export function simulateRetraining(s: ProductionStream, opts: RetrainOptions): RetrainResult {
  const o = { ...RETRAIN_DEFAULTS, ...opts };
  if (!(Number.isInteger(o.periodDays) && o.periodDays >= 1)) throw new RangeError(`periodDays must be a whole number ≥ 1, got ${o.periodDays}`);
  if (!(Number.isInteger(o.windowDays) && o.windowDays >= 1)) throw new RangeError(`windowDays must be a whole number ≥ 1, got ${o.windowDays}`);
  const sc = fitScaler(s.reference);
  let beta = fit(s.reference, Array.from({ length: s.reference.n }, (_, i) => i), sc);
  const days = s.options.days;
  const accuracy = new Float64Array(days);
  const logLoss = new Float64Array(days);
  const retrainDays: number[] = [];
  const triggers = new Set(o.triggerDays ?? []);
  const r = new Float64Array(D);
  let last = -Infinity;
  for (let d = 0; d < days; d++) {
    let right = 0;
    let ll = 0;
    const a = s.dayStart[d];
    const b = s.dayStart[d + 1];
    for (let i = a; i < b; i++) {
      row(s.stream, i, sc, r);
      let z = 0;
      for (let j = 0; j < D; j++) z += beta[j] * r[j];
      const p = Math.min(1 - 1e-12, Math.max(1e-12, sigmoid(z)));
      const y = s.stream.label[i];
      right += (p >= 0.5 ? 1 : 0) === y ? 1 : 0;
      ll -= y ? Math.log(p) : Math.log(1 - p);
    }
    accuracy[d] = right / (b - a);
    logLoss[d] = ll / (b - a);
    const due =
      o.policy === 'continuous' ? true
      : o.policy === 'periodic' ? (d + 1) % o.periodDays === 0
      : o.policy === 'triggered' ? triggers.has(d) && d - last >= o.cooldownDays
      : false;
    if (!due || d === days - 1) continue;
    const rows: number[] = [];
    for (let i = s.dayStart[d + 1] - 1; i >= s.dayStart[Math.max(0, d - o.windowDays + 1)] && rows.length < o.maxRows; i--) {
      if (s.stream.labelDay[i] <= d) rows.push(i);
    }
    if (rows.length < o.minRows) continue;
    beta = fit(s.stream, rows, sc);
    retrainDays.push(d);
    last = d;
  }
  const mean = (xs: Float64Array) => xs.reduce((x, y) => x + y, 0) / xs.length;
  return { policy: o.policy, accuracy, logLoss, retrainDays, meanAccuracy: mean(accuracy), meanLogLoss: mean(logLoss) };
}
