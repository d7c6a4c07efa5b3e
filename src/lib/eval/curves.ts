/**
 * Ranking curves and their areas, as scikit-learn computes them (sklearn.metrics roc_curve,
 * precision_recall_curve, roc_auc_score, average_precision_score). Tied scores form one
 * threshold, so a tie between a positive and a negative counts half in the ROC area.
 */
import { auc } from '../math/auc';
import { checkLabelsAndScores, type Labels } from './errors';

export interface RocCurveOptions {
  /**
   * 'all': one point per distinct score (every threshold a learner can pick).
   * 'corners': drop points on straight segments, as sklearn's roc_curve(drop_intermediate=True), its default.
   */
  points?: 'all' | 'corners';
}

export interface RocCurve {
  /** False positive rate FP/N at each threshold, from 0 up to 1. */
  fpr: Float64Array;
  /** True positive rate TP/P at each threshold, from 0 up to 1. */
  tpr: Float64Array;
  /** Decreasing; a case is predicted positive when score ≥ threshold. thresholds[0] = Infinity (nothing positive). */
  thresholds: Float64Array;
}

export interface PrCurve {
  /** TP/(TP+FP) at each threshold, then a final 1 (the recall-0 end), as sklearn. */
  precision: Float64Array;
  /** TP/P at each threshold, then a final 0. Non-increasing. */
  recall: Float64Array;
  /** Increasing distinct scores; precision[i], recall[i] hold for score ≥ thresholds[i]. */
  thresholds: Float64Array;
}

const ROC_DEFAULTS: Required<RocCurveOptions> = { points: 'all' };

/**
 * Cumulative counts at each distinct score, scanning from the highest score down:
 * tps[k], fps[k] = positives, negatives with score ≥ thresholds[k].
 */
function binaryClfCurve(yTrue: Labels, scores: ArrayLike<number>) {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    tp += yTrue[i];
    if (k === n - 1 || scores[order[k + 1]] !== scores[i]) {
      tps.push(tp);
      fps.push(k + 1 - tp);
      thresholds.push(scores[i]);
    }
  }
  return { tps, fps, thresholds };
}

/** ROC curve: (FPR, TPR) at every distinct score threshold, starting at (0, 0). */
export function rocCurve(yTrue: Labels, scores: ArrayLike<number>, options: RocCurveOptions = {}): RocCurve {
  const { points } = { ...ROC_DEFAULTS, ...options };
  checkLabelsAndScores(yTrue, scores);
  let { tps, fps, thresholds } = binaryClfCurve(yTrue, scores);
  if (points === 'corners' && tps.length > 2) {
    // Keep a point where the second difference of fps or tps is non-zero (a change of direction).
    const keep = (k: number) =>
      k === 0 || k === tps.length - 1 || fps[k + 1] - 2 * fps[k] + fps[k - 1] !== 0 || tps[k + 1] - 2 * tps[k] + tps[k - 1] !== 0;
    const idx = tps.map((_, k) => k).filter(keep);
    tps = idx.map((k) => tps[k]);
    fps = idx.map((k) => fps[k]);
    thresholds = idx.map((k) => thresholds[k]);
  }
  const P = tps[tps.length - 1];
  const N = fps[fps.length - 1];
  const m = tps.length + 1;
  const fpr = new Float64Array(m);
  const tpr = new Float64Array(m);
  const th = new Float64Array(m);
  th[0] = Infinity;
  for (let k = 0; k < tps.length; k++) {
    fpr[k + 1] = fps[k] / N;
    tpr[k + 1] = tps[k] / P;
    th[k + 1] = thresholds[k];
  }
  return { fpr, tpr, thresholds: th };
}

/** Precision–recall curve with sklearn's layout: thresholds increasing, a final (recall 0, precision 1) point. */
export function prCurve(yTrue: Labels, scores: ArrayLike<number>): PrCurve {
  checkLabelsAndScores(yTrue, scores);
  const { tps, fps, thresholds } = binaryClfCurve(yTrue, scores);
  const m = tps.length;
  const P = tps[m - 1];
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const th = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const r = m - 1 - k;
    precision[k] = tps[r] / (tps[r] + fps[r]);
    recall[k] = tps[r] / P;
    th[k] = thresholds[r];
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds: th };
}

/** Area under the ROC curve by the trapezoid rule; equals P(score⁺ > score⁻) + ½·P(score⁺ = score⁻). */
export function rocAuc(yTrue: Labels, scores: ArrayLike<number>): number {
  checkLabelsAndScores(yTrue, scores);
  return auc(yTrue, scores);
}

/**
 * Average precision AP = Σₖ (Rₖ − Rₖ₋₁)·Pₖ over distinct thresholds, highest first: a step
 * (not trapezoid) summary of the PR curve, so it is not optimistic the way interpolated areas are.
 */
export function averagePrecision(yTrue: Labels, scores: ArrayLike<number>): number {
  const { precision, recall } = prCurve(yTrue, scores);
  let ap = 0;
  for (let k = 0; k < recall.length - 1; k++) ap += (recall[k] - recall[k + 1]) * precision[k];
  return ap;
}
