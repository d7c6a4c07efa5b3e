/**
 * The settings of each evaluation lab as one table of fields: kind, range, default and a one-line
 * explanation. The URL encoding, the validation and the lab's controls all read this table.
 */
import { CREDIT_FEATURES } from '../credit-data';
import type { ParamSpec } from '../../core/url-state';
import { METRICS_DEFAULTS, type MetricsSettings } from './metrics';
import { CALIBRATION_DEFAULTS, type CalibrationSettings } from './calibration';
import { ERROR_ANALYSIS_DEFAULTS, type ErrorAnalysisSettings } from './error-analysis';
import { FAIRNESS_DEFAULTS, type FairnessSettings } from './fairness';
import { EXPLAIN_DEFAULTS, type ExplainSettings } from './explain';
import { CARD_DEFAULTS, type CardSettings } from './card';

export type EvalLabId = 'metrics' | 'calibration' | 'error-analysis' | 'fairness' | 'explain' | 'model-card';

export interface EvalSettings {
  metrics: MetricsSettings;
  calibration: CalibrationSettings;
  'error-analysis': ErrorAnalysisSettings;
  fairness: FairnessSettings;
  explain: ExplainSettings;
  'model-card': CardSettings;
}

export interface Field {
  key: string;
  label: string;
  /** One line under the control. */
  explain: string;
  kind: 'number' | 'choice';
  min?: number;
  max?: number;
  step?: number;
  integer?: boolean;
  options?: { value: string; label: string }[];
}

/** A settings error that names the field at fault (decodeParams drops just that field). */
export class SettingsError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

const seed: Field = { key: 'seed', label: 'Seed', kind: 'number', integer: true, min: 0, max: 2 ** 31 - 1, step: 1, explain: 'Same seed, same applicants, same model: a link reproduces the run.' };
const n: Field = { key: 'n', label: 'Applicants', kind: 'number', integer: true, min: 500, max: 50000, step: 500, explain: 'Generated rows, split 60% train, 20% calibration, 20% test.' };
const labelBias: Field = { key: 'labelBias', label: 'Injected label bias', kind: 'number', min: 0, max: 0.9, step: 0.05, explain: 'Share of group-1 applicants who repaid but are recorded as defaults (historical bias).' };
const labelNoise: Field = { key: 'labelNoise', label: 'Label noise', kind: 'number', min: 0, max: 0.45, step: 0.01, explain: 'Share of recorded labels flipped at random, in both groups.' };
const proxyStrength: Field = { key: 'proxyStrength', label: 'Proxy strength', kind: 'number', min: 0, max: 1, step: 0.1, explain: 'How strongly the neighbourhood score reveals the group (0: not at all).' };
const threshold: Field = { key: 'threshold', label: 'Threshold', kind: 'number', min: 0.01, max: 0.99, step: 0.01, explain: 'Refuse (flag as default) when P(default) ≥ this.' };
const features: Field = {
  key: 'features', label: 'Model features', kind: 'choice', explain: 'Which columns the model may use.',
  options: [
    { value: 'all', label: 'all, including group' },
    { value: 'no-group', label: 'without the group' },
    { value: 'no-group-no-proxy', label: 'without group and neighbourhood' },
  ],
};
const featureChoice = (key: string, label: string, explain: string): Field => ({
  key, label, kind: 'choice', explain, options: CREDIT_FEATURES.filter((f) => f !== 'group').map((f) => ({ value: f, label: f })),
});

export const FIELDS: { [K in EvalLabId]: Field[] } = {
  metrics: [
    seed, n,
    { key: 'defaultRate', label: 'Default rate', kind: 'number', min: 0.01, max: 0.5, step: 0.01, explain: 'Share of applicants who default. Lower it to see PR-AUC fall while ROC-AUC barely moves.' },
    labelNoise, threshold,
    { key: 'costFn', label: 'Cost of a missed default', kind: 'number', min: 0, max: 100, step: 0.5, explain: 'Loss when an approved applicant defaults.' },
    { key: 'costFp', label: 'Cost of a wrong refusal', kind: 'number', min: 0, max: 100, step: 0.5, explain: 'Loss when a refused applicant would have repaid.' },
  ],
  calibration: [
    seed, n,
    { key: 'defaultRate', label: 'Default rate', kind: 'number', min: 0.02, max: 0.5, step: 0.01, explain: 'Share of applicants who default.' },
    {
      key: 'model', label: 'Model training', kind: 'choice', explain: 'Balanced class weights and label smoothing are common practice, and both distort probabilities.',
      options: [
        { value: 'plain', label: 'plain logistic regression' },
        { value: 'balanced', label: 'balanced class weights' },
        { value: 'smoothed', label: 'label smoothing ε = 0.3' },
      ],
    },
    { key: 'bins', label: 'Bins', kind: 'number', integer: true, min: 2, max: 50, step: 1, explain: 'Equal-width probability bins of the diagram and of ECE.' },
  ],
  'error-analysis': [
    seed, n, labelBias, labelNoise, threshold,
    { key: 'bins', label: 'Ranges per feature', kind: 'number', integer: true, min: 2, max: 10, step: 1, explain: 'Each numeric feature is cut at quantiles into this many slices.' },
    { key: 'minSlice', label: 'Smallest slice', kind: 'number', integer: true, min: 5, max: 500, step: 5, explain: 'Slices with fewer test cases are not reported: too noisy to act on.' },
    featureChoice('shiftFeature', 'Shifted feature', 'The robustness test moves this feature for everyone, as a changed population would.'),
  ],
  fairness: [
    seed, n, labelBias, proxyStrength, features,
    { ...threshold, explain: 'Approve when P(default) < this.' },
    { key: 'penalty', label: 'Fairness penalty weight', kind: 'number', min: 0, max: 1000, step: 1, explain: 'Weight of (gap in mean score between groups)² in the training loss.' },
  ],
  explain: [
    seed, n, labelBias, labelNoise,
    { key: 'labelSmoothing', label: 'Label smoothing ε', kind: 'number', min: 0, max: 0.9, step: 0.05, explain: 'Train on y·(1 − ε) + ε/2 instead of 0/1: softer, less confident probabilities.' },
    { key: 'row', label: 'Applicant to explain', kind: 'number', integer: true, min: 0, max: 9999, step: 1, explain: 'Index into the test split for the single-prediction SHAP explanation.' },
    featureChoice('pdFeature', 'Partial dependence feature', 'The model’s average answer as this feature sweeps its range.'),
    { key: 'repeats', label: 'Permutation repeats', kind: 'number', integer: true, min: 1, max: 50, step: 1, explain: 'Shuffles per feature; more repeats, smaller error bars.' },
    { key: 'background', label: 'SHAP background rows', kind: 'number', integer: true, min: 5, max: 500, step: 5, explain: 'Training rows that stand in for "feature unknown". Cost grows linearly.' },
    { key: 'shapRows', label: 'Applicants in global SHAP', kind: 'number', integer: true, min: 1, max: 400, step: 1, explain: 'Test applicants explained to rank features by mean |SHAP|.' },
  ],
  'model-card': [
    seed, n, labelBias, labelNoise, proxyStrength, features,
    {
      key: 'mitigation', label: 'Bias mitigation', kind: 'choice', explain: 'Applied before shipping; the card reports what it did.',
      options: [
        { value: 'none', label: 'none' },
        { value: 'reweighing', label: 'reweighing' },
        { value: 'penalty', label: 'fairness penalty' },
        { value: 'group-thresholds', label: 'per-group thresholds' },
      ],
    },
    {
      key: 'calibration', label: 'Calibration', kind: 'choice', explain: 'Fitted on the calibration split.',
      options: [
        { value: 'none', label: 'none' },
        { value: 'platt', label: 'Platt scaling' },
        { value: 'isotonic', label: 'isotonic regression' },
      ],
    },
    { ...threshold, explain: 'Approve when P(default) < this.' },
  ],
};

export const DEFAULT_SETTINGS: EvalSettings = {
  metrics: METRICS_DEFAULTS,
  calibration: CALIBRATION_DEFAULTS,
  'error-analysis': ERROR_ANALYSIS_DEFAULTS,
  fairness: FAIRNESS_DEFAULTS,
  explain: EXPLAIN_DEFAULTS,
  'model-card': CARD_DEFAULTS,
};

/**
 * Throw a SettingsError naming the first field out of its range or choices. Every lab family whose
 * settings are a field table checks them here (evaluation, data, quantization and distillation).
 */
export function checkFields(fields: readonly Field[], value: object, optionSeparator = ', '): void {
  const v = value as Record<string, unknown>;
  for (const f of fields) {
    const x = v[f.key];
    if (f.kind === 'choice') {
      if (!f.options!.some((o) => o.value === x)) throw new SettingsError(f.key, `${f.label} must be one of ${f.options!.map((o) => o.value).join(optionSeparator)}.`);
      continue;
    }
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new SettingsError(f.key, `${f.label} must be a number.`);
    if (f.integer && !Number.isInteger(x)) throw new SettingsError(f.key, `${f.label} must be a whole number.`);
    if (x < f.min! || x > f.max!) throw new SettingsError(f.key, `${f.label} must be between ${f.min} and ${f.max}; it is ${x}.`);
  }
}

/** How a field table travels in a link: choices as strings, everything else as numbers. */
export function fieldSpec<T extends object>(fields: readonly Field[]): ParamSpec<T> {
  return Object.fromEntries(fields.map((f) => [f.key, { kind: f.kind === 'choice' ? 'string' : 'number' }])) as unknown as ParamSpec<T>;
}

/** Throws SettingsError naming the first field out of range. */
export function validateSettings<K extends EvalLabId>(lab: K, value: EvalSettings[K]): void {
  checkFields(FIELDS[lab], value);
  if (lab === 'explain') {
    const e = value as ExplainSettings;
    const testSize = e.n - Math.round(e.n * 0.6) - Math.round(e.n * 0.2);
    if (e.row >= testSize) throw new SettingsError('row', `Applicant to explain must be below ${testSize}, the size of the test split.`);
  }
}

export function paramSpec<K extends EvalLabId>(lab: K): ParamSpec<EvalSettings[K]> {
  return fieldSpec<EvalSettings[K]>(FIELDS[lab]);
}
