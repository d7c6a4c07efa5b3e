/**
 * A churn model's pipeline with four leaks that can each be switched on, measured on a validation
 * set (what the team would report) and on the true future (months the pipeline never saw):
 *
 * - split: validation rows drawn at random from the development months instead of the latest
 *   months, so validation shares its period (drift, monthly shocks) with training.
 * - preprocessing: the postcode target encoding and the standardisation fitted on train + validation,
 *   so every validation row's own label is inside its postcode's encoded churn rate.
 * - target: retention_offer used as a feature; it is recorded after the customer calls to cancel.
 * - duplicates: an ETL re-load copied a share of training rows into the validation period.
 *
 * Models: logistic regression (trainLogistic, L2) or k-nearest neighbours (share of churners among
 * the k nearest training rows, on standardised features). The future months are never used to fit
 * anything: their postcode rates and scales come from whatever the pipeline fitted on.
 */
import type { Rng } from '../core/rng';
import { permutation } from '../core/rng';
import { rocAuc } from './curves';
import { fitStandardizer, trainLogistic } from '../math/logistic';
import type { Matrix } from './matrix';
import { CHURN_FEATURES, type ChurnTable } from '../data/churn';
import { simpleRandomSample } from '../data/sampling';
import { KnnIndex, knnScores } from '../data/knn';

export { knnScores };

export const LEAKS = ['split', 'preprocessing', 'target', 'duplicates'] as const;
export type Leak = (typeof LEAKS)[number];
export type LeakSwitches = Record<Leak, boolean>;
export const NO_LEAKS: LeakSwitches = { split: false, preprocessing: false, target: false, duplicates: false };

export type ModelKind = 'logistic' | 'knn';

export interface PipelineOptions {
  model: ModelKind;
  /** Neighbours for k-NN. */
  k: number;
  /** L2 penalty for logistic regression. */
  l2: number;
  /** Share of training rows the ETL re-load copies into validation (duplicates leak). */
  duplicateShare: number;
  /** The latest development months held out for validation in a time split. */
  valMonths: number;
  /** Prior strength m of the smoothed postcode encoding (n·rate + m·overall)/(n + m). */
  encodingPrior: number;
}

export const PIPELINE_DEFAULTS: PipelineOptions = { model: 'logistic', k: 25, l2: 1, duplicateShare: 0.2, valMonths: 2, encodingPrior: 5 };

/** The model's input columns: the table's numeric features except retention_offer, the postcode rate, and retention_offer when the target leak is on. */
export function featureNames(leaks: LeakSwitches): string[] {
  const base = CHURN_FEATURES.filter((f) => f !== 'retention_offer') as string[];
  return leaks.target ? [...base, 'postcode_rate', 'retention_offer'] : [...base, 'postcode_rate'];
}

export interface Split {
  train: Int32Array;
  val: Int32Array;
  /** Rows of train copied into val by the duplicates leak (indices into the table). */
  copies: Int32Array;
  test: Int32Array;
}

/** Development rows split into train and validation (time or random), plus the future test rows. */
export function splitRows(t: ChurnTable, leaks: LeakSwitches, o: PipelineOptions, rng: Rng): Split {
  const dev: number[] = [];
  const test: number[] = [];
  const valFrom = t.options.futureFrom - o.valMonths;
  let timeVal = 0;
  for (let i = 0; i < t.rows; i++) {
    if (t.month[i] >= t.options.futureFrom) test.push(i);
    else {
      dev.push(i);
      if (t.month[i] >= valFrom) timeVal++;
    }
  }
  let train: number[];
  let val: number[];
  if (leaks.split) {
    // Same validation size as the time split, drawn at random over all development months.
    const pick = new Uint8Array(dev.length);
    for (const j of simpleRandomSample(dev.length, timeVal, rng)) pick[j] = 1;
    train = dev.filter((_, j) => !pick[j]);
    val = dev.filter((_, j) => pick[j]);
  } else {
    train = dev.filter((i) => t.month[i] < valFrom);
    val = dev.filter((i) => t.month[i] >= valFrom);
  }
  let copies = new Int32Array(0);
  if (leaks.duplicates && o.duplicateShare > 0) {
    const k = Math.max(1, Math.round(o.duplicateShare * train.length));
    copies = Int32Array.from(simpleRandomSample(train.length, k, rng), (j) => train[j]);
  }
  return { train: Int32Array.from(train), val: Int32Array.from([...val, ...copies]), copies, test: Int32Array.from(test) };
}

interface Design {
  names: string[];
  Xtrain: Matrix;
  Xval: Matrix;
  Xtest: Matrix;
}

/** Postcode target encoding and standardisation, fitted on `fit` rows, applied to train, val and test. */
function design(t: ChurnTable, y: ArrayLike<number>, s: Split, leaks: LeakSwitches, o: PipelineOptions, drop?: string): Design {
  const all = featureNames(leaks);
  const names = all.filter((n) => n !== drop);
  const F = CHURN_FEATURES.length;
  const fitRows = leaks.preprocessing ? [...s.train, ...s.val] : Array.from(s.train);
  const P = t.options.postcodes;
  const sum = new Float64Array(P);
  const cnt = new Float64Array(P);
  let total = 0;
  for (const i of fitRows) {
    sum[t.postcode[i]] += y[i];
    cnt[t.postcode[i]]++;
    total += y[i];
  }
  const prior = total / fitRows.length;
  const rate = (pc: number) => (sum[pc] + o.encodingPrior * prior) / (cnt[pc] + o.encodingPrior);
  const col = (name: string, i: number): number => {
    if (name === 'postcode_rate') return rate(t.postcode[i]);
    return t.features[i * F + CHURN_FEATURES.indexOf(name as (typeof CHURN_FEATURES)[number])];
  };
  const build = (rows: ArrayLike<number>): Matrix => {
    const data = new Float64Array(rows.length * names.length);
    for (let r = 0; r < rows.length; r++) for (let j = 0; j < names.length; j++) data[r * names.length + j] = col(names[j], rows[r]);
    return { data, rows: rows.length, cols: names.length };
  };
  const std = fitStandardizer(build(fitRows));
  return { names, Xtrain: std.apply(build(s.train)), Xval: std.apply(build(s.val)), Xtest: std.apply(build(s.test)) };
}

/** A fitted model seen from outside: a churn score per row. */
export interface Fitted {
  score(X: Matrix): Float64Array;
  /** Standardised coefficients (logistic only). */
  coefficients?: Float64Array;
}

export function fitModel(X: Matrix, y: ArrayLike<number>, o: PipelineOptions): Fitted {
  if (o.model === 'knn') {
    const index = new KnnIndex(X);
    return { score: (Z) => knnScores(X, y, Z, o.k, index) };
  }
  const m = trainLogistic(X, y, { l2: o.l2 });
  return { score: (Z) => m.decision(Z), coefficients: m.weights };
}

export interface PipelineRun {
  split: Split;
  design: Design;
  model: Fitted;
  yVal: Float64Array;
  yTest: Float64Array;
  valAuc: number;
  testAuc: number;
}

export interface PipelineRunOptions {
  /** Permute the development labels before anything else (the null model). */
  shuffleLabels?: boolean;
  /** Leave one feature out (ablation). */
  drop?: string;
}

/** Split, preprocess, fit and score once. The same rng state gives the same split. */
export function runPipeline(t: ChurnTable, leaks: LeakSwitches, o: PipelineOptions, seedRng: () => Rng, extra: PipelineRunOptions = {}): PipelineRun {
  let y: ArrayLike<number> = t.churnNext;
  if (extra.shuffleLabels) {
    const dev: number[] = [];
    for (let i = 0; i < t.rows; i++) if (t.month[i] < t.options.futureFrom) dev.push(i);
    const perm = permutation(dev.length, seedRng());
    const yy = Float64Array.from(t.churnNext);
    for (let j = 0; j < dev.length; j++) yy[dev[j]] = t.churnNext[dev[perm[j]]];
    y = yy;
  }
  const split = splitRows(t, leaks, o, seedRng());
  const d = design(t, y, split, leaks, o, extra.drop);
  const yTrain = Float64Array.from(split.train, (i) => y[i]);
  const yVal = Float64Array.from(split.val, (i) => y[i]);
  const yTest = Float64Array.from(split.test, (i) => y[i]);
  const model = fitModel(d.Xtrain, yTrain, o);
  return { split, design: d, model, yVal, yTest, valAuc: rocAuc(yVal, model.score(d.Xval)), testAuc: rocAuc(yTest, model.score(d.Xtest)) };
}

/** The ROC-AUC a model with no signal exceeds only 2.5% of the time: 0.5 + 1.96·√((n₁ + n₀ + 1)/(12·n₁·n₀)) (Mann–Whitney null). */
export function chanceAucBound(y: ArrayLike<number>): number {
  let n1 = 0;
  for (let i = 0; i < y.length; i++) n1 += y[i];
  const n0 = y.length - n1;
  return 0.5 + 1.96 * Math.sqrt((n1 + n0 + 1) / (12 * n1 * n0));
}

/**
 * A spike: one feature carrying most of the model's skill. Returns its index when the largest
 * importance is at least half the sum of the positive importances and at least 0.05 of AUC, else −1.
 */
export function importanceSpike(importance: ArrayLike<number>): number {
  let best = -1;
  let sum = 0;
  for (let j = 0; j < importance.length; j++) {
    if (importance[j] > 0) sum += importance[j];
    if (best < 0 || importance[j] > importance[best]) best = j;
  }
  return best >= 0 && importance[best] >= 0.05 && importance[best] >= 0.5 * sum ? best : -1;
}
