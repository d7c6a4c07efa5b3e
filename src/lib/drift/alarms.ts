/**
 * Thresholds over a SQL drift report (sql.ts): which feature-days alarm, under which statistic.
 * Cheap (no data touched), so a learner's threshold change redraws the timeline at once.
 */
import type { Alarm, Check } from './detector.ts';
import type { Cell, SqlDriftReport } from './sql.ts';

export type DriftStatistic = 'psi' | 'ks' | 'chi2' | 'js' | 'wasserstein';
export const DRIFT_STATISTICS: readonly DriftStatistic[] = ['psi', 'ks', 'chi2', 'js', 'wasserstein'];

export const ALARM_DEFAULTS = {
  /** Statistic that raises drift alarms (KS and Wasserstein exist for numeric features only; categorical ones use chi-square then). */
  statistic: 'psi' as DriftStatistic,
  /** PSI ≥ this alarms: 0.2 is the usual "major shift" line. */
  psi: 0.2,
  /** KS p-value below this alarms. */
  ksPValue: 1e-3,
  /** Chi-square p-value below this alarms (decile bins for numeric features, categories otherwise). */
  chi2PValue: 1e-4,
  /** Jensen–Shannon distance (natural log) ≥ this alarms. */
  js: 0.1,
  /** Wasserstein-1 in reference standard deviations ≥ this alarms. */
  wasserstein: 0.25,
  /** Null rate above the reference's by more than this (absolute) alarms. */
  nullRateIncrease: 0.05,
  /** Unseen categories making up at least this share of a day alarm. */
  newCategoryShare: 0.01,
  /** Values outside the reference's [min, max] making up at least this share of a day alarm. */
  outOfRange: 0.01,
  /** Log loss on the day's arriving labels above what the model's own predictions expect, by this much, alarms. */
  excessLogLoss: 0.05,
  /** Fewest labels a day needs before its log loss is judged. */
  minLabels: 200,
};
export type AlarmOptions = typeof ALARM_DEFAULTS;

/** The value of a statistic in a cell, and whether it crosses its threshold (null: not defined for this feature). */
export function statValue(cell: Cell, stat: DriftStatistic, o: AlarmOptions): { value: number; threshold: number; over: boolean } | null {
  switch (stat) {
    case 'psi': return { value: cell.psi, threshold: o.psi, over: cell.psi >= o.psi };
    case 'js': return { value: cell.js, threshold: o.js, over: cell.js >= o.js };
    case 'chi2': return { value: cell.chi2.pValue, threshold: o.chi2PValue, over: cell.chi2.pValue < o.chi2PValue };
    case 'ks': return cell.ks ? { value: cell.ks.pValue, threshold: o.ksPValue, over: cell.ks.pValue < o.ksPValue } : null;
    case 'wasserstein': return cell.wasserstein ? { value: cell.wasserstein.value, threshold: o.wasserstein, over: cell.wasserstein.value >= o.wasserstein } : null;
  }
}

export interface AlarmView {
  alarms: Alarm[];
  /** drift[feature][dayIndex]: the drift alarm fired. */
  drift: boolean[][];
  /** Share of input features (not the proxy) with a drift alarm, per day. */
  driftShare: number[];
}

/**
 * Alarms of every kind. `proxy` names a numeric column of the model's output (its drift is a proxy
 * for trouble before labels arrive): its drift alarms are check 'proxy' and it is left out of the drift share.
 */
export function alarmsFor(r: SqlDriftReport, opts: Partial<AlarmOptions> = {}, proxy?: string): AlarmView {
  const o = { ...ALARM_DEFAULTS, ...opts };
  const alarms: Alarm[] = [];
  const drift = r.features.map(() => r.days.map(() => false));
  const inputs = r.features.filter((f) => f.name !== proxy).length;
  const share = r.days.map(() => 0);
  r.days.forEach((day, di) => {
    const add = (feature: string, check: Check, value: number, threshold: number) => alarms.push({ day, feature: feature as Alarm['feature'], check, value, threshold });
    r.features.forEach((f, fi) => {
      const cell = r.cells[fi][di];
      const refNull = f.kind === 'numeric' ? r.profiles[f.name].refNullRate : 0;
      if (cell.nullRate > refNull + o.nullRateIncrease) add(f.name, 'nulls', cell.nullRate, refNull + o.nullRateIncrease);
      if ((cell.newCategoryShare ?? 0) >= o.newCategoryShare) add(f.name, 'new-category', cell.newCategoryShare!, o.newCategoryShare);
      if ((cell.outOfRange ?? 0) >= o.outOfRange) add(f.name, 'range', cell.outOfRange!, o.outOfRange);
      if (cell.n === 0) return;
      const s = statValue(cell, o.statistic, o) ?? statValue(cell, 'chi2', o)!;
      if (!s.over) return;
      drift[fi][di] = true;
      add(f.name, f.name === proxy ? 'proxy' : 'drift', s.value, s.threshold);
      if (f.name !== proxy) share[di] += 1 / inputs;
    });
    const p = r.performance?.[di];
    if (p && p.labels >= o.minLabels && p.logLoss - p.expectedLogLoss > o.excessLogLoss) add('model', 'performance', p.logLoss - p.expectedLogLoss, o.excessLogLoss);
  });
  return { alarms, drift, driftShare: share };
}
