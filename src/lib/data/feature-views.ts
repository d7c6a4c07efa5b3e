/**
 * The feature-store lab's pipeline over the retail year (retail.ts): entity = customer; one
 * feature view, customer_activity, snapshotted every few days into an offline store; label events
 * "churns within the next horizon days" at regular label times; an online store holding each
 * customer's latest values, materialised by its own pipeline. Training rows are built by the
 * point-in-time ASOF join and by the naive latest-value join (feature-store.ts); a model trained on
 * each is scored on a held-out slice of the same period and on a truly later period.
 */
import { Table, makeVector } from 'apache-arrow';
import type { Customers } from './retail.ts';
import { asofJoinSql, latestJoinSql, type JoinColumns } from './feature-store.ts';
import { fitLogistic, predictLogistic } from '../math/logistic.ts';
import { auc as rocAuc } from '../math/auc.ts';
import { mulberry32 } from '../core/rng.ts';

export const FEATURE_STORE_DEFAULTS = {
  seed: 1,
  customers: 500,
  /** Days between snapshots of the feature view in the offline store. */
  snapshotEvery: 7,
  /** Window of the "recent" features, in days. */
  windowDays: 30,
  /** A label is 1 when the customer churns within this many days after the label time. */
  horizonDays: 30,
  /** Days between label times. */
  labelEvery: 14,
  /** Training labels: label time ≤ this day; a random quarter of them is the validation set. */
  trainUntil: 240,
  /** The future test: label times after this day (features as served then: point in time). */
  futureFrom: 270,
  /** The day the online store is checked against the offline store. */
  servingDay: 300,
  /** The online store was last materialised this many days before servingDay. */
  onlineLagDays: 0,
  /** The online pipeline's window for the recent features (a different one is training/serving skew). */
  onlineWindowDays: 30,
};
export type FeatureStoreOptions = typeof FEATURE_STORE_DEFAULTS;

export const ACTIVITY_FEATURES = ['purchases_recent', 'spend_recent', 'days_since_purchase', 'purchases_total'] as const;

export const JOIN: JoinColumns = { key: 'customer_id', labelTs: 'label_ts', featureTs: 'ts', seq: 'seq', features: [...ACTIVITY_FEATURES] };

/** Sales as (customer, day of year 0..364, amount). */
export const SALES_DAYS_SQL = 'CREATE OR REPLACE VIEW sales_d AS SELECT customer_id, (dayofyear(ts::TIMESTAMP) - 1)::INT AS day, amount FROM sales WHERE customer_id IS NOT NULL';

export function snapshotDays(o: FeatureStoreOptions): number[] {
  return Array.from({ length: Math.floor(365 / o.snapshotEvery) }, (_, i) => (i + 1) * o.snapshotEvery - 1);
}

/**
 * The feature view at the given snapshot days: per customer (signed up by then) and day t, the
 * purchases and spend in (t − window, t], days since the last purchase (365 if none), purchases
 * so far. Every value uses sales on or before t only.
 */
export function featureViewSql(days: number[], window: number): string {
  return `SELECT c.customer_id, w.day AS ts, row_number() OVER (ORDER BY w.day, c.customer_id)::INT AS seq,
  count(s.day) FILTER (WHERE s.day > w.day - ${window})::DOUBLE AS purchases_recent,
  coalesce(sum(s.amount) FILTER (WHERE s.day > w.day - ${window}), 0)::DOUBLE AS spend_recent,
  coalesce(w.day - max(s.day), 365)::DOUBLE AS days_since_purchase,
  count(s.day)::DOUBLE AS purchases_total
FROM customers c CROSS JOIN (SELECT unnest([${days.join(', ')}]) AS day) w
LEFT JOIN sales_d s ON s.customer_id = c.customer_id AND s.day <= w.day
WHERE c.signup_day <= w.day
GROUP BY c.customer_id, w.day`;
}

/** Day of the year (0-based, 2025) of a 'YYYY-MM-DD' date; negative before the year. */
function dayOfYear(s: string, year: number): number {
  return Math.round((Date.UTC(+s.slice(0, 4), +s.slice(5, 7) - 1, +s.slice(8, 10)) - Date.UTC(year, 0, 1)) / 86_400_000);
}

/** Customers with their signup day, as Arrow (joined in SQL to skip customers not yet signed up). */
export function customerDaysArrow(c: Customers, year: number): Table {
  return new Table({ customer_id: makeVector(Int32Array.from(c.customerId)), signup_day: makeVector(Int32Array.from(c.signupDate, (d) => dayOfYear(d, year))) });
}

/**
 * Label events: every labelEvery days, each customer signed up and still active gets a row,
 * label 1 if they churn within horizonDays. Churn is known from the generator's ground truth.
 */
export function labelEventsArrow(c: Customers, year: number, o: FeatureStoreOptions): Table {
  const rid: number[] = [];
  const key: number[] = [];
  const ts: number[] = [];
  const y: number[] = [];
  for (let t = o.labelEvery - 1; t + o.horizonDays < 365; t += o.labelEvery) {
    for (let i = 0; i < c.customerId.length; i++) {
      const churn = c.churnDay[i];
      if (dayOfYear(c.signupDate[i], year) > t || (churn >= 0 && churn <= t)) continue;
      rid.push(rid.length);
      key.push(c.customerId[i]);
      ts.push(t);
      y.push(churn > t && churn <= t + o.horizonDays ? 1 : 0);
    }
  }
  return new Table({ rid: makeVector(Int32Array.from(rid)), customer_id: makeVector(Int32Array.from(key)), label_ts: makeVector(Int32Array.from(ts)), churned: makeVector(Int32Array.from(y)) });
}

export const trainingSetSql = {
  pointInTime: () => `SELECT * FROM (${asofJoinSql('labels', 'offline_store', JOIN)}) ORDER BY rid`,
  naive: () => `SELECT * FROM (${latestJoinSql('labels', 'offline_store', JOIN)}) ORDER BY rid`,
};

/** The online store: each customer's latest row of the online pipeline's own run, as of servingDay − lag. */
export function onlineStoreSql(o: FeatureStoreOptions): string {
  const asOf = o.servingDay - o.onlineLagDays;
  const day = snapshotDays(o).filter((d) => d <= asOf).pop() ?? 0;
  return `CREATE OR REPLACE TABLE online_store AS SELECT * EXCLUDE (seq) FROM (${featureViewSql([day], o.onlineWindowDays)})`;
}

/** Training/serving skew: for every customer at servingDay, offline point-in-time values against the online store's, per feature. */
export function skewSql(o: FeatureStoreOptions): string {
  const req = `SELECT customer_id, ${o.servingDay} AS label_ts, row_number() OVER (ORDER BY customer_id)::INT AS rid FROM customers WHERE signup_day <= ${o.servingDay}`;
  const asof = asofJoinSql('requests', 'offline_store', JOIN).replace(`FROM "requests" l`, `FROM (${req}) l`);
  const cols = ACTIVITY_FEATURES.map((f) => `count(*) FILTER (WHERE off.${f} IS DISTINCT FROM onl.${f})::DOUBLE AS ${f}`).join(', ');
  return `SELECT count(*)::DOUBLE AS customers, count(onl.customer_id)::DOUBLE AS online_rows, ${cols}
FROM (${asof}) off LEFT JOIN online_store onl ON onl.customer_id = off.customer_id`;
}

export interface Rows {
  churned: ArrayLike<number>;
  label_ts: ArrayLike<number>;
  /** Feature time of the joined row (null/NaN when none). */
  feature_ts: ArrayLike<number | null>;
  [feature: string]: ArrayLike<number | null>;
}

export interface LeakageResult {
  /** AUC on the random validation quarter of the training period (same join as training). */
  validationAuc: number;
  /** AUC on the later period, features point in time (as served). */
  futureAuc: number;
  /** Training rows whose features were written after their label time. */
  futureRowsShare: number;
  trainRows: number;
}

function design(r: Rows, rows: number[]): Float64Array {
  const d = ACTIVITY_FEATURES.length + 1;
  const X = new Float64Array(rows.length * d);
  rows.forEach((i, k) => {
    X[k * d] = 1;
    ACTIVITY_FEATURES.forEach((f, j) => {
      const v = Number(r[f][i] ?? NaN);
      const x = Number.isFinite(v) ? v : f === 'days_since_purchase' ? 365 : 0;
      X[k * d + j + 1] = f === 'spend_recent' ? Math.log1p(x) / 5 : f === 'days_since_purchase' ? x / 100 : x / 10;
    });
  });
  return X;
}

/**
 * Train a logistic regression on the training period of `train` (one join's rows), validate on a
 * random quarter of it (seeded), test on the later period of `future` (point-in-time rows).
 */
export function measureLeakage(train: Rows, future: Rows, o: FeatureStoreOptions): LeakageResult {
  const rng = mulberry32(o.seed);
  const fit: number[] = [];
  const val: number[] = [];
  let leaked = 0;
  let inPeriod = 0;
  for (let i = 0; i < train.churned.length; i++) {
    if (train.label_ts[i] > o.trainUntil) continue;
    inPeriod++;
    const ft = train.feature_ts[i];
    if (ft !== null && Number(ft) > train.label_ts[i]) leaked++;
    (rng() < 0.25 ? val : fit).push(i);
  }
  const test: number[] = [];
  for (let i = 0; i < future.churned.length; i++) if (future.label_ts[i] > o.futureFrom) test.push(i);
  const d = ACTIVITY_FEATURES.length + 1;
  const beta = fitLogistic(design(train, fit), fit.map((i) => train.churned[i]), d, { l2: 1e-3 });
  const score = (r: Rows, rows: number[]) => {
    const X = design(r, rows);
    return rows.map((_, k) => predictLogistic(beta, X.subarray(k * d, (k + 1) * d)));
  };
  return {
    validationAuc: rocAuc(val.map((i) => train.churned[i]), score(train, val)),
    futureAuc: rocAuc(test.map((i) => future.churned[i]), score(future, test)),
    futureRowsShare: leaked / inPeriod,
    trainRows: fit.length,
  };
}
