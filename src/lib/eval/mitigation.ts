/**
 * Bias mitigation before and after training: reweighing (Kamiran & Calders 2012) changes what the
 * model learns from; per-group thresholds (Hardt et al. 2016, without randomisation) change how its
 * scores become decisions. (The in-training fairness penalty lives in trainLogistic.)
 */
import { EvalInputError, checkBinary, checkFinite, checkNonEmpty, checkSameLength, type Labels } from './errors';
import type { Group } from './fairness';

/**
 * Reweighing: w(g, y) = P(g)·P(y) / P(g, y) = n_g·n_y / (n·n_gy). With these weights group and label
 * are independent in the weighted training set, so a model has no label-rate gap to learn.
 */
export function reweighing(yTrue: Labels, groups: ArrayLike<Group>): Float64Array {
  checkNonEmpty('yTrue', yTrue);
  checkSameLength(['yTrue', 'groups'], [yTrue, groups]);
  checkBinary('yTrue', yTrue);
  const n = yTrue.length;
  const ng = new Map<Group, number>();
  const ngy = new Map<string, number>();
  const ny = [0, 0];
  for (let i = 0; i < n; i++) {
    ng.set(groups[i], (ng.get(groups[i]) ?? 0) + 1);
    const k = `${String(groups[i])}\u0000${yTrue[i]}`;
    ngy.set(k, (ngy.get(k) ?? 0) + 1);
    ny[yTrue[i]]++;
  }
  return Float64Array.from({ length: n }, (_, i) => (ng.get(groups[i])! * ny[yTrue[i]]) / (n * ngy.get(`${String(groups[i])}\u0000${yTrue[i]}`)!));
}

/** What per-group thresholds equalise: the selection rate, or the selection rate among positives (TPR). */
export type ThresholdCriterion = 'demographic-parity' | 'equal-opportunity';

export interface GroupThresholds {
  /** Selected when score ≥ thresholds.get(group). */
  thresholds: Map<Group, number>;
  /** The rate every group is brought to: the overall rate at the base threshold. */
  targetRate: number;
}

/**
 * Per-group thresholds fitted on one split (apply them to another). Each group's threshold is the
 * k-th highest score of the cases that count (the whole group for demographic parity, its positives
 * for equal opportunity), k = round(targetRate · count), so that group reaches the overall rate at
 * the base threshold. Ties at a threshold can overshoot by the tied cases.
 */
export function fitGroupThresholds(
  scores: ArrayLike<number>,
  yTrue: Labels,
  groups: ArrayLike<Group>,
  criterion: ThresholdCriterion,
  baseThreshold: number,
): GroupThresholds {
  checkNonEmpty('scores', scores);
  checkSameLength(['scores', 'yTrue', 'groups'], [scores, yTrue, groups]);
  checkFinite('scores', scores);
  checkBinary('yTrue', yTrue);
  const counts = (i: number) => criterion === 'demographic-parity' || yTrue[i] === 1;
  const byGroup = new Map<Group, number[]>();
  let hit = 0;
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!counts(i)) continue;
    total++;
    if (scores[i] >= baseThreshold) hit++;
    const list = byGroup.get(groups[i]) ?? [];
    list.push(scores[i]);
    byGroup.set(groups[i], list);
  }
  if (total === 0) throw new EvalInputError('yTrue has no positives, so equal opportunity (a rate among positives) is undefined.');
  if (byGroup.size < 2) throw new EvalInputError('groups holds a single group; per-group thresholds need at least two.');
  const targetRate = hit / total;
  const thresholds = new Map<Group, number>();
  for (const [g, list] of byGroup) {
    list.sort((a, b) => b - a);
    const k = Math.round(targetRate * list.length);
    // k = 0: select no one (a threshold above every score); otherwise the k-th highest score.
    thresholds.set(g, k === 0 ? list[0] + 1 : list[k - 1]);
  }
  return { thresholds, targetRate };
}

/** Decisions 1/0 from scores with each group's own threshold; a group never seen in fitting is an error. */
export function applyGroupThresholds(scores: ArrayLike<number>, groups: ArrayLike<Group>, fit: GroupThresholds): Uint8Array {
  checkSameLength(['scores', 'groups'], [scores, groups]);
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    const t = fit.thresholds.get(groups[i]);
    if (t === undefined) throw new EvalInputError(`group ${String(groups[i])} had no threshold fitted; fit on data that contains every group.`);
    out[i] = scores[i] >= t ? 1 : 0;
  }
  return out;
}
