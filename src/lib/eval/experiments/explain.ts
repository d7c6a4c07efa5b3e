/**
 * Lab "Explanations": permutation importance, partial dependence and Kernel SHAP for the credit
 * model (all features, so an explanation can reveal use of the group or its proxy), and what label
 * noise and label smoothing do to the model.
 */
import { selectRows, take, type CreditFeature } from '../credit-data';
import { rocAuc } from '../curves';
import { expectedCalibrationError } from '../calibration';
import { permutationImportance } from '../importance';
import { partialDependence } from '../partial-dependence';
import { kernelShap } from '../shap';
import { DATA_DEFAULTS, fit, prepare, round, type Progress } from './pipeline';

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

export const EXPLAIN_DEFAULTS: ExplainSettings = { seed: 1, n: 4000, labelBias: 0.15, labelNoise: 0.05, labelSmoothing: 0, row: 0, pdFeature: 'debtRatio', repeats: 5, background: 50, shapRows: 40 };

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

export function runExplain(s: ExplainSettings, progress: Progress = () => {}): ExplainResult {
  progress({ fraction: 0.05, stage: 'generating data' });
  const p = prepare({ ...DATA_DEFAULTS, seed: s.seed, n: s.n, labelBias: s.labelBias, labelNoise: s.labelNoise });
  progress({ fraction: 0.15, stage: 'training the logistic model' });
  const f = fit(p, { features: 'all', labelSmoothing: s.labelSmoothing });
  const test = p.split.test;
  if (!(Number.isInteger(s.row) && s.row >= 0 && s.row < test.length)) throw new RangeError(`row is ${s.row}; pick a test applicant from 0 to ${test.length - 1}.`);
  const X = f.rows(test);
  const y = take(p.data.y, test);
  const probs = f.probs(test);
  const pTrue = take(p.data.pTrue, test);
  let trueError = 0;
  for (let i = 0; i < probs.length; i++) trueError += Math.abs(probs[i] - pTrue[i]) / probs.length;

  progress({ fraction: 0.25, stage: 'permutation importance' });
  const imp = permutationImportance(f.predict, X, y, rocAuc, { repeats: s.repeats, seed: s.seed });
  progress({ fraction: 0.45, stage: 'partial dependence' });
  const pdCol = f.names.indexOf(s.pdFeature);
  const pd = partialDependence(f.predict, X, pdCol, { gridSize: 20, iceRows: 10 });

  progress({ fraction: 0.55, stage: 'Kernel SHAP' });
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
    if (k % 5 === 4) progress({ fraction: 0.55 + (0.4 * (k + 1)) / nRows, stage: `Kernel SHAP: ${k + 1} of ${nRows} applicants` });
  }
  const seconds = (performance.now() - t0) / 1000;
  progress({ fraction: 1, stage: 'done' });
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

export function summarizeExplain(r: ExplainResult) {
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

