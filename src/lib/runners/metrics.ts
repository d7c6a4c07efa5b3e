/** Lab "Beyond accuracy": ranking curves, a threshold's confusion matrix, cost and net benefit. */
import type { Field } from '../core/fields';
import type { TaskContext } from '../core/task';
import { averagePrecision, prCurve, rocAuc, rocCurve } from '../eval/curves';
import { confusionMatrixAt, netBenefit, type ConfusionMatrix } from '../eval/threshold';
import { take } from '../eval/credit-data';
import { DATA_DEFAULTS, fit, prepare, round, CREDIT_FIELDS as C } from '../eval/credit-model';

export interface MetricsSettings {
  seed: number;
  n: number;
  /** Share of applicants who default: lower it to see PR-AUC fall while ROC-AUC holds. */
  defaultRate: number;
  labelNoise: number;
  /** Flag as "will default" when P(default) ≥ threshold. */
  threshold: number;
  /** Cost of approving someone who defaults (a missed default). */
  costFn: number;
  /** Cost of refusing someone who would repay (a lost customer). */
  costFp: number;
}

export const defaults: MetricsSettings = { seed: 1, n: 4000, defaultRate: 0.2, labelNoise: 0.05, threshold: 0.5, costFn: 5, costFp: 1 };

export const fields: Field[] = [
  C.seed, C.n,
  { key: 'defaultRate', label: 'Default rate', kind: 'number', min: 0.01, max: 0.5, step: 0.01, explain: 'Share of applicants who default. Lower it to see PR-AUC fall while ROC-AUC barely moves.' },
  C.labelNoise, C.threshold,
  { key: 'costFn', label: 'Cost of a missed default', kind: 'number', min: 0, max: 100, step: 0.5, explain: 'Loss when an approved applicant defaults.' },
  { key: 'costFp', label: 'Cost of a wrong refusal', kind: 'number', min: 0, max: 100, step: 0.5, explain: 'Loss when a refused applicant would have repaid.' },
];

export interface MetricsResult {
  /** Hash of the generated data (features and recorded labels). */
  dataHash: string;
  prevalence: number;
  testSize: number;
  auc: number;
  ap: number;
  roc: { fpr: Float64Array; tpr: Float64Array };
  pr: { precision: Float64Array; recall: Float64Array };
  confusion: ConfusionMatrix;
  precision: number;
  recall: number;
  accuracy: number;
  cost: { thresholds: Float64Array; perCase: Float64Array };
  costAtThreshold: number;
  bestThreshold: number;
  bestCost: number;
  /** costFp / (costFp + costFn): the cost-optimal threshold if the probabilities are calibrated. */
  bayesThreshold: number;
  netBenefit: { thresholds: Float64Array; model: Float64Array; treatAll: Float64Array };
}

const grid = (lo: number, hi: number, step: number) => Float64Array.from({ length: Math.round((hi - lo) / step) + 1 }, (_, k) => round(lo + k * step, 6));

export function run(ctx: TaskContext, s: MetricsSettings): MetricsResult {
  ctx.progress(0.1, 'generating data');
  const p = prepare({ ...DATA_DEFAULTS, seed: s.seed, n: s.n, defaultRate: s.defaultRate, labelNoise: s.labelNoise, labelBias: 0 });
  ctx.progress(0.3, 'training the logistic model');
  const f = fit(p, { features: 'no-group' });
  ctx.progress(0.7, 'computing curves');
  const y = take(p.data.y, p.split.test);
  const scores = f.probs(p.split.test);
  const roc = rocCurve(y, scores);
  const pr = prCurve(y, scores);
  const cm = confusionMatrixAt(y, scores, s.threshold);
  const n = y.length;
  const costOf = (c: ConfusionMatrix) => (s.costFn * c.fn + s.costFp * c.fp) / n;
  const thresholds = grid(0.01, 0.99, 0.01);
  const perCase = thresholds.map((t) => costOf(confusionMatrixAt(y, scores, t)));
  let best = 0;
  for (let k = 1; k < perCase.length; k++) if (perCase[k] < perCase[best]) best = k;
  const nb = netBenefit(y, scores, grid(0.02, 0.8, 0.02));
  ctx.progress(1, 'done');
  return {
    dataHash: p.hash,
    prevalence: y.reduce((a, b) => a + b, 0) / n,
    testSize: n,
    auc: rocAuc(y, scores),
    ap: averagePrecision(y, scores),
    roc: { fpr: roc.fpr, tpr: roc.tpr },
    pr: { precision: pr.precision, recall: pr.recall },
    confusion: cm,
    precision: cm.tp + cm.fp > 0 ? cm.tp / (cm.tp + cm.fp) : NaN,
    recall: cm.tp / (cm.tp + cm.fn),
    accuracy: (cm.tp + cm.tn) / n,
    cost: { thresholds, perCase },
    costAtThreshold: costOf(cm),
    bestThreshold: thresholds[best],
    bestCost: perCase[best],
    bayesThreshold: s.costFp / (s.costFp + s.costFn),
    netBenefit: { thresholds: nb.thresholds, model: nb.model, treatAll: nb.treatAll },
  };
}

/** The numbers kept with the run (plain JSON). */
export function digest(r: MetricsResult) {
  return {
    prevalence: round(r.prevalence), auc: round(r.auc), ap: round(r.ap), accuracy: round(r.accuracy), precision: round(r.precision), recall: round(r.recall),
    ...r.confusion, costAtThreshold: round(r.costAtThreshold), bestThreshold: r.bestThreshold, bestCost: round(r.bestCost), bayesThreshold: round(r.bayesThreshold),
  };
}
