/**
 * Lab "Explanations": permutation importance, partial dependence and Kernel SHAP for the credit
 * model (all features, so an explanation can reveal use of the group or its proxy), and what label
 * noise and label smoothing do to the model.
 */
import { SettingsError, type Field } from '../core/fields';
import type { TaskContext } from '../core/task';
import { selectRows, take, type CreditFeature } from '../eval/credit-data';
import { rocAuc } from '../eval/curves';
import { expectedCalibrationError } from '../eval/calibration';
import { permutationImportance } from '../eval/importance';
import { partialDependence } from '../eval/partial-dependence';
import { kernelShap } from '../eval/shap';
import { DATA_DEFAULTS, fit, prepare, round, CREDIT_FIELDS as C, featureField, testSplitSize } from '../eval/credit-model';

export interface ExplainSettings {
  seed: number;
  n: number;
  labelBias: number;
  labelNoise: number;
  /** ε: train on targets y·(1 − ε) + ε/2. */
  labelSmoothing: number;
  /** Which test applicant to explain (index into the test split). */
  row: number;
  /** Feature for the partial dependence plot. */
  pdFeature: CreditFeature;
  /** Shuffles per feature in permutation importance. */
  repeats: number;
  /** Background rows that stand in for "feature absent" in Kernel SHAP. */
  background: number;
  /** Test rows explained for the global SHAP summary. */
  shapRows: number;
}

export const defaults: ExplainSettings = { seed: 1, n: 4000, labelBias: 0.15, labelNoise: 0.05, labelSmoothing: 0, row: 0, pdFeature: 'debtRatio', repeats: 5, background: 50, shapRows: 40 };

export const fields: Field[] = [
  C.seed, C.n, C.labelBias, C.labelNoise,
  { key: 'labelSmoothing', label: 'Label smoothing ε', kind: 'number', min: 0, max: 0.9, step: 0.05, explain: 'Train on y·(1 − ε) + ε/2 instead of 0/1: softer, less confident probabilities.' },
  { key: 'row', label: 'Applicant to explain', kind: 'number', integer: true, min: 0, max: 9999, step: 1, explain: 'Index into the test split for the single-prediction SHAP explanation.' },
  featureField('pdFeature', 'Partial dependence feature', 'The model’s average answer as this feature sweeps its range.'),
  { key: 'repeats', label: 'Permutation repeats', kind: 'number', integer: true, min: 1, max: 50, step: 1, explain: 'Shuffles per feature; more repeats, smaller error bars.' },
  { key: 'background', label: 'SHAP background rows', kind: 'number', integer: true, min: 5, max: 500, step: 5, explain: 'Training rows that stand in for "feature unknown". Cost grows linearly.' },
  { key: 'shapRows', label: 'Applicants in global SHAP', kind: 'number', integer: true, min: 1, max: 400, step: 1, explain: 'Test applicants explained to rank features by mean |SHAP|.' },
];

/** The applicant to explain must exist in the test split. */
export function validate(s: ExplainSettings): void {
  const size = testSplitSize(s.n);
  if (s.row >= size) throw new SettingsError('row', `Applicant to explain must be below ${size}, the size of the test split.`);
}

export interface ExplainResult {
  /** Hash of the generated data (features and recorded labels). */
  dataHash: string;
  names: string[];
  /** Weights on standardised features: log-odds per training standard deviation. */
  coefficients: Float64Array;
  auc: number;
  /** AUC against the clean labels. */
  aucTrue: number;
  ece: number;
  /** Mean |p̂ − p_true| over the test split. */
  trueError: number;
  importance: { baseline: number; mean: Float64Array; std: Float64Array };
  pd: { feature: string; grid: Float64Array; average: Float64Array; ice: Float64Array[] };
  local: { row: number; x: Float64Array; values: Float64Array; baseValue: number; fx: number; label: number };
  global: { meanAbs: Float64Array; rows: number };
  shapPerSecond: number;
}

export function run(ctx: TaskContext, s: ExplainSettings): ExplainResult {
  ctx.progress(0.05, 'generating data');
  const p = prepare({ ...DATA_DEFAULTS, seed: s.seed, n: s.n, labelBias: s.labelBias, labelNoise: s.labelNoise });
  ctx.progress(0.15, 'training the logistic model');
  const f = fit(p, { features: 'all', labelSmoothing: s.labelSmoothing });
  const test = p.split.test;
  if (!(Number.isInteger(s.row) && s.row >= 0 && s.row < test.length)) throw new RangeError(`row is ${s.row}; pick a test applicant from 0 to ${test.length - 1}.`);
  const X = f.rows(test);
  const y = take(p.data.y, test);
  const probs = f.probs(test);
  const pTrue = take(p.data.pTrue, test);
  let trueError = 0;
  for (let i = 0; i < probs.length; i++) trueError += Math.abs(probs[i] - pTrue[i]) / probs.length;

  ctx.progress(0.25, 'permutation importance');
  const imp = permutationImportance(f.predict, X, y, rocAuc, { repeats: s.repeats, seed: s.seed });
  ctx.progress(0.45, 'partial dependence');
  const pdCol = f.names.indexOf(s.pdFeature);
  const pd = partialDependence(f.predict, X, pdCol, { gridSize: 20, iceRows: 10 });

  ctx.progress(0.55, 'Kernel SHAP');
  const bgIdx = p.split.train.slice(0, s.background);
  const background = selectRows(p.data.X, bgIdx, f.columns);
  const explain = (i: number) => kernelShap(f.predict, X.data.subarray(i * X.cols, (i + 1) * X.cols), background, { seed: s.seed });
  const local = explain(s.row);
  const meanAbs = new Float64Array(X.cols);
  const nRows = Math.min(s.shapRows, X.rows);
  const t0 = performance.now();
  for (let k = 0; k < nRows; k++) {
    const e = explain(k);
    for (let j = 0; j < X.cols; j++) meanAbs[j] += Math.abs(e.values[j]) / nRows;
    if (k % 5 === 4) ctx.progress(0.55 + (0.4 * (k + 1)) / nRows, `Kernel SHAP: ${k + 1} of ${nRows} applicants`);
  }
  const seconds = (performance.now() - t0) / 1000;
  ctx.progress(1, 'done');
  return {
    dataHash: p.hash,
    names: f.names,
    coefficients: f.model.weights,
    auc: rocAuc(y, probs),
    aucTrue: rocAuc(take(p.data.yTrue, test), probs),
    ece: expectedCalibrationError(y, probs),
    trueError,
    importance: { baseline: imp.baseline, mean: imp.importancesMean, std: imp.importancesStd },
    pd: { feature: s.pdFeature, grid: pd.grid, average: pd.average, ice: pd.ice },
    local: { row: s.row, x: Float64Array.from(X.data.subarray(s.row * X.cols, (s.row + 1) * X.cols)), values: local.values, baseValue: local.baseValue, fx: local.fx, label: y[s.row] },
    global: { meanAbs, rows: nRows },
    shapPerSecond: seconds > 0 ? nRows / seconds : Infinity,
  };
}

export function digest(r: ExplainResult) {
  const top = (a: Float64Array) => r.names[a.reduce((b, v, j) => (v > a[b] ? j : b), 0)];
  const out: Record<string, number | string> = {
    auc: round(r.auc), aucTrue: round(r.aucTrue), ece: round(r.ece), trueError: round(r.trueError),
    topImportance: top(r.importance.mean), topShap: top(r.global.meanAbs),
    coefNorm: round(Math.hypot(...r.coefficients)), shapPerSecond: round(r.shapPerSecond, 1),
    localFx: round(r.local.fx), localBase: round(r.local.baseValue),
    localTop: top(r.local.values.map(Math.abs)),
    groupShapRank: 1 + r.names.filter((_, j) => r.global.meanAbs[j] > r.global.meanAbs[r.names.indexOf('group')]).length,
  };
  r.names.forEach((nm, j) => {
    out[`imp_${nm}`] = round(r.importance.mean[j]);
    out[`shap_${nm}`] = round(r.global.meanAbs[j]);
    out[`coef_${nm}`] = round(r.coefficients[j]);
  });
  return out;
}

