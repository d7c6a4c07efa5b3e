/** Decisions at a threshold: the confusion matrix, and decision curves (net benefit). */
import {
  EvalInputError,
  checkFinite,
  checkLabelsAndScores,
  checkNonEmpty,
  checkProbabilities,
  type Labels,
} from './errors';

export interface ConfusionMatrix {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface NetBenefitCurve {
  /** The threshold probabilities pₜ, as given. */
  thresholds: Float64Array;
  /** Net benefit of treating cases with score ≥ pₜ: TP/n − FP/n · pₜ/(1 − pₜ). */
  model: Float64Array;
  /** Net benefit of treating everyone: prevalence − (1 − prevalence) · pₜ/(1 − pₜ). */
  treatAll: Float64Array;
  /** Net benefit of treating no one: always 0. */
  treatNone: Float64Array;
}

/** Counts with a case predicted positive when score ≥ threshold (the convention of rocCurve's thresholds). */
export function confusionMatrixAt(yTrue: Labels, scores: ArrayLike<number>, threshold: number): ConfusionMatrix {
  checkLabelsAndScores(yTrue, scores, 'scores', false);
  if (Number.isNaN(threshold)) throw new EvalInputError('threshold is NaN; pass a number.');
  const cm = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < yTrue.length; i++) {
    const pos = scores[i] >= threshold;
    if (yTrue[i] === 1) {
      if (pos) cm.tp++;
      else cm.fn++;
    } else if (pos) cm.fp++;
    else cm.tn++;
  }
  return cm;
}

/**
 * Decision curve (Vickers & Elkin 2006). Choosing threshold pₜ says a false positive costs
 * pₜ/(1 − pₜ) true positives, so net benefit = TP/n − FP/n · pₜ/(1 − pₜ), in units of true positives per case.
 * Scores must be predicted probabilities, and each pₜ must lie in [0, 1).
 */
export function netBenefit(yTrue: Labels, scores: ArrayLike<number>, thresholds: ArrayLike<number>): NetBenefitCurve {
  checkLabelsAndScores(yTrue, scores, 'scores', false);
  checkProbabilities('scores', scores);
  checkNonEmpty('thresholds', thresholds);
  checkFinite('thresholds', thresholds);
  const n = yTrue.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += yTrue[i];
  const prevalence = positives / n;
  const m = thresholds.length;
  const out: NetBenefitCurve = {
    thresholds: Float64Array.from(thresholds),
    model: new Float64Array(m),
    treatAll: new Float64Array(m),
    treatNone: new Float64Array(m),
  };
  for (let k = 0; k < m; k++) {
    const pt = thresholds[k];
    if (!(pt >= 0 && pt < 1)) throw new EvalInputError(`thresholds[${k}] is ${pt}; threshold probabilities must lie in [0, 1).`);
    const odds = pt / (1 - pt);
    const { tp, fp } = confusionMatrixAt(yTrue, scores, pt);
    out.model[k] = tp / n - (fp / n) * odds;
    out.treatAll[k] = prevalence - (1 - prevalence) * odds;
  }
  return out;
}
