/**
 * What every evaluation lab does first: generate the credit data, split it, standardise on the
 * training rows, fit a logistic model. Shared so each lab's numbers come from the same recipe; the
 * settings the labs share (seed, size, bias, noise, proxy, threshold, features) are described once
 * here as fields.
 */
import type { Field } from '../core/fields';
import { CREDIT_FEATURES, creditDataHash, makeCreditData, selectRows, splitIndices, take, type CreditData, type Split } from './credit-data';
import { fitStandardizer, trainLogistic, type LogisticModel, type Standardizer } from '../math/logistic';
import type { Matrix, PredictFn } from './matrix';

export type FeatureSet = 'all' | 'no-group' | 'no-group-no-proxy';

/** The data switches every lab exposes (CreditOptions under lab-friendly names). */
export interface DataSettings {
  seed: number;
  /** Applicants generated (60% train, 20% calibration, 20% test). */
  n: number;
  defaultRate: number;
  labelBias: number;
  labelNoise: number;
  proxyStrength: number;
}

export const DATA_DEFAULTS: DataSettings = { seed: 1, n: 4000, defaultRate: 0.2, labelBias: 0.15, labelNoise: 0.05, proxyStrength: 0.7 };

export function featureColumns(set: FeatureSet): number[] {
  const drop = set === 'all' ? [] : set === 'no-group' ? ['group'] : ['group', 'neighbourhood'];
  return CREDIT_FEATURES.map((_, j) => j).filter((j) => !drop.includes(CREDIT_FEATURES[j]));
}

export interface FitOptions {
  features: FeatureSet;
  l2?: number;
  /** 'balanced': weight classes by n/(2·n_class), as sklearn's class_weight='balanced'. */
  classWeight?: 'none' | 'balanced';
  sampleWeight?: Float64Array;
  labelSmoothing?: number;
  /** Demographic-parity penalty weight (groups from the data). */
  fairness?: number;
}

export interface Prepared {
  data: CreditData;
  split: Split;
  hash: string;
}

export interface Fitted extends Prepared {
  columns: number[];
  names: string[];
  scaler: Standardizer;
  model: LogisticModel;
  /** P(default) from raw feature values of the selected columns. */
  predict: PredictFn;
  /** Raw selected-column rows of a split. */
  rows(idx: Int32Array): Matrix;
  probs(idx: Int32Array): Float64Array;
  logits(idx: Int32Array): Float64Array;
}

export function prepare(s: DataSettings): Prepared {
  const data = makeCreditData({ n: s.n, seed: s.seed, defaultRate: s.defaultRate, labelBias: s.labelBias, labelNoise: s.labelNoise, proxyStrength: s.proxyStrength });
  return { data, split: splitIndices(s.n, s.seed), hash: creditDataHash(data) };
}

export function fit(p: Prepared, o: FitOptions): Fitted {
  const columns = featureColumns(o.features);
  const rows = (idx: Int32Array) => selectRows(p.data.X, idx, columns);
  const Xtr = rows(p.split.train);
  const ytr = take(p.data.y, p.split.train);
  const scaler = fitStandardizer(Xtr);
  let weights = o.sampleWeight;
  if (o.classWeight === 'balanced') {
    const pos = ytr.reduce((a, b) => a + b, 0);
    const w1 = ytr.length / (2 * pos);
    const w0 = ytr.length / (2 * (ytr.length - pos));
    weights = Float64Array.from(ytr, (y, i) => (y ? w1 : w0) * (weights ? weights[i] : 1));
  }
  const model = trainLogistic(scaler.apply(Xtr), ytr, {
    l2: o.l2 ?? 1,
    sampleWeight: weights,
    labelSmoothing: o.labelSmoothing ?? 0,
    fairness: o.fairness ?? 0,
    groups: o.fairness ? take(p.data.group, p.split.train) : undefined,
  });
  const predict: PredictFn = (X) => model.predictProba(scaler.apply(X));
  return {
    ...p,
    columns,
    names: columns.map((j) => CREDIT_FEATURES[j]),
    scaler,
    model,
    predict,
    rows,
    probs: (idx) => predict(rows(idx)) as Float64Array,
    logits: (idx) => model.decision(scaler.apply(rows(idx))),
  };
}

/** Accuracy of decisions (score ≥ threshold) against labels. */
export function accuracyAt(y: ArrayLike<number>, scores: ArrayLike<number>, threshold: number): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) ok += (scores[i] >= threshold ? 1 : 0) === y[i] ? 1 : 0;
  return ok / y.length;
}

export const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The settings the evaluation labs share, as fields (each lab's runner lists the ones it uses). */
export const CREDIT_FIELDS = {
  seed: { key: 'seed', label: 'Seed', kind: 'number', integer: true, min: 0, max: 2 ** 31 - 1, step: 1, explain: 'Same seed, same applicants, same model: a link reproduces the run.' },
  n: { key: 'n', label: 'Applicants', kind: 'number', integer: true, min: 500, max: 50000, step: 500, explain: 'Generated rows, split 60% train, 20% calibration, 20% test.' },
  labelBias: { key: 'labelBias', label: 'Injected label bias', kind: 'number', min: 0, max: 0.9, step: 0.05, explain: 'Share of group-1 applicants who repaid but are recorded as defaults (historical bias).' },
  labelNoise: { key: 'labelNoise', label: 'Label noise', kind: 'number', min: 0, max: 0.45, step: 0.01, explain: 'Share of recorded labels flipped at random, in both groups.' },
  proxyStrength: { key: 'proxyStrength', label: 'Proxy strength', kind: 'number', min: 0, max: 1, step: 0.1, explain: 'How strongly the neighbourhood score reveals the group (0: not at all).' },
  threshold: { key: 'threshold', label: 'Threshold', kind: 'number', min: 0.01, max: 0.99, step: 0.01, explain: 'Refuse (flag as default) when P(default) ≥ this.' },
  features: {
    key: 'features', label: 'Model features', kind: 'choice', explain: 'Which columns the model may use.',
    options: [
      { value: 'all', label: 'all, including group' },
      { value: 'no-group', label: 'without the group' },
      { value: 'no-group-no-proxy', label: 'without group and neighbourhood' },
    ],
  },
} satisfies Record<string, Field>;

/** A choice of one credit feature (the group excluded). */
export function featureField(key: string, label: string, explain: string): Field {
  return { key, label, kind: 'choice', explain, options: CREDIT_FEATURES.filter((f) => f !== 'group').map((f) => ({ value: f, label: f })) };
}

/** Size of the test split for n applicants (60% train, 20% calibration, the rest test). */
export const testSplitSize = (n: number) => n - Math.round(n * 0.6) - Math.round(n * 0.2);
