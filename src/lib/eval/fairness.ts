/**
 * Group fairness metrics for binary decisions, as fairlearn defines them (method 'between_groups'):
 * each is the largest gap (or smallest ratio) of a per-group rate across all groups, so they work
 * for any number of groups, not only a privileged/unprivileged pair.
 */
import { EvalInputError, checkBinary, checkNonEmpty, checkSameLength, type Labels } from './errors';

export type Group = string | number;

export interface GroupRates {
  group: Group;
  /** Cases in the group. */
  n: number;
  /** P(ŷ = 1 | group). */
  selectionRate: number;
  /** P(ŷ = 1 | y = 1, group); NaN when the group has no positives. */
  tpr: number;
  /** P(ŷ = 1 | y = 0, group); NaN when the group has no negatives. */
  fpr: number;
}

function checkGroups(groups: ArrayLike<Group>): void {
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (typeof g === 'number' && Number.isNaN(g)) throw new EvalInputError(`groups[${i}] is NaN; every case needs a group.`);
  }
}

/** Selection rate, TPR and FPR of each group, in order of first appearance. */
export function groupRates(yTrue: Labels, yPred: Labels, groups: ArrayLike<Group>): GroupRates[] {
  checkNonEmpty('yTrue', yTrue);
  checkSameLength(['yTrue', 'yPred', 'groups'], [yTrue, yPred, groups]);
  checkBinary('yTrue', yTrue);
  return tally(yTrue, yPred, groups);
}

/** Selection rates only need predictions; yTrue = yPred stands in, and its TPR/FPR are not used. */
function selectionRates(yPred: Labels, groups: ArrayLike<Group>): GroupRates[] {
  checkNonEmpty('yPred', yPred);
  checkSameLength(['yPred', 'groups'], [yPred, groups]);
  return tally(yPred, yPred, groups);
}

function tally(yTrue: Labels, yPred: Labels, groups: ArrayLike<Group>): GroupRates[] {
  checkBinary('yPred', yPred);
  checkGroups(groups);
  const acc = new Map<Group, { n: number; sel: number; pos: number; tp: number; fp: number }>();
  for (let i = 0; i < yPred.length; i++) {
    let a = acc.get(groups[i]);
    if (!a) acc.set(groups[i], (a = { n: 0, sel: 0, pos: 0, tp: 0, fp: 0 }));
    a.n++;
    a.sel += yPred[i];
    a.pos += yTrue[i];
    if (yTrue[i] === 1) a.tp += yPred[i];
    else a.fp += yPred[i];
  }
  if (acc.size < 2) throw new EvalInputError('groups holds a single group; a between-group gap needs at least two.');
  return [...acc].map(([group, a]) => ({
    group,
    n: a.n,
    selectionRate: a.sel / a.n,
    tpr: a.pos > 0 ? a.tp / a.pos : NaN,
    fpr: a.n - a.pos > 0 ? a.fp / (a.n - a.pos) : NaN,
  }));
}

function spread(rates: GroupRates[], key: 'selectionRate' | 'tpr' | 'fpr'): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rates) {
    const v = r[key];
    if (Number.isNaN(v)) {
      const need = key === 'tpr' ? 'positive' : 'negative';
      throw new EvalInputError(`group ${String(r.group)} has no ${need} labels, so its ${key.toUpperCase()} is undefined.`);
    }
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return hi - lo;
}

/** max_g P(ŷ=1 | g) − min_g P(ŷ=1 | g). 0 means every group is selected at the same rate. */
export function demographicParityDifference(yPred: Labels, groups: ArrayLike<Group>): number {
  return spread(selectionRates(yPred, groups), 'selectionRate');
}

/** Largest between-group gap in true positive rate (fairlearn's equal_opportunity_difference). */
export function equalOpportunityDifference(yTrue: Labels, yPred: Labels, groups: ArrayLike<Group>): number {
  return spread(groupRates(yTrue, yPred, groups), 'tpr');
}

/** max(largest TPR gap, largest FPR gap) between groups (fairlearn's equalized_odds_difference). */
export function equalizedOddsDifference(yTrue: Labels, yPred: Labels, groups: ArrayLike<Group>): number {
  const rates = groupRates(yTrue, yPred, groups);
  return Math.max(spread(rates, 'tpr'), spread(rates, 'fpr'));
}

/**
 * min_g P(ŷ=1 | g) / max_g P(ŷ=1 | g) (fairlearn's demographic_parity_ratio). The "four-fifths rule"
 * flags values below 0.8. Undefined, and an error, when no group is ever selected.
 */
export function disparateImpactRatio(yPred: Labels, groups: ArrayLike<Group>): number {
  const rates = selectionRates(yPred, groups).map((r) => r.selectionRate);
  const hi = Math.max(...rates);
  if (hi === 0) throw new EvalInputError('yPred selects no one in any group; the disparate impact ratio is 0/0.');
  return Math.min(...rates) / hi;
}
