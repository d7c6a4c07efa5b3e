import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import type { FsSettings } from '../../src/lib/runners/feature-store';
import { labRuns, num } from '../kit/runs';
import { statesNumber } from '../kit/answer';
import { fixed as fmt } from '../../src/lib/core/format';


const runsOf = (runs: RunRecord[]) => labRuns<FsSettings>(runs);
const skewTotal = (r: ReturnType<typeof runsOf>[number]) => ['purchases_recent', 'spend_recent', 'days_since_purchase', 'purchases_total'].reduce((s, f) => s + num(r, `skew:${f}`), 0);

const leakage: Exercise = {
  id: 'leakage',
  title: 'Measure the leakage of the naive join',
  task: 'Run the default. The naive latest-value join should look far better on validation than on the later period (a gap of 0.1 AUC or more), and the point-in-time join’s gap should be smaller.',
  check({ runs }): CheckResult {
    const r = runsOf(runs).find((x) => num(x, 'naiveValAuc') - num(x, 'naiveFutureAuc') >= 0.1 && Math.abs(num(x, 'pitValAuc') - num(x, 'pitFutureAuc')) < num(x, 'naiveValAuc') - num(x, 'naiveFutureAuc'));
    if (!r) return { passed: false, detail: 'No run yet shows it: press Run.' };
    return { passed: true, runId: r.record.id, detail: `Run ${r.label}: naive join validation AUC ${fmt(num(r, 'naiveValAuc'))} → later period ${fmt(num(r, 'naiveFutureAuc'))}; point in time ${fmt(num(r, 'pitValAuc'))} → ${fmt(num(r, 'pitFutureAuc'))}. ${fmt(100 * num(r, 'naiveFutureRows'), 0)}% of the naive training rows used features written after their label.` };
  },
};

const skew: Exercise = {
  id: 'skew',
  title: 'Catch training/serving skew',
  task: 'Have one run where the online store agrees with the offline store on every customer, and one where the skew check finds differences (a stale online store, or a different window in the online pipeline).',
  check({ runs }): CheckResult {
    const rs = runsOf(runs);
    const clean = rs.find((x) => skewTotal(x) === 0);
    const skewed = rs.find((x) => skewTotal(x) > 0);
    if (clean && skewed) return { passed: true, runId: skewed.record.id, detail: `Run ${clean.label}: no difference. Run ${skewed.label} (lag ${skewed.settings.onlineLagDays} days, window ${skewed.settings.onlineWindowDays}): ${skewTotal(skewed)} differing values over ${num(skewed, 'servedCustomers')} customers.` };
    return { passed: false, detail: `Need one run without skew (have ${clean ? 1 : 0}) and one with (have ${skewed ? 1 : 0}).` };
  },
};

const why: Exercise = {
  id: 'why-asof',
  title: 'Say where the leak comes from',
  task: 'Look at which features the naive join hands a training row, and when they were written.',
  answerPrompt: 'Which feature gives the churn away in the naive join, what validation AUC did the naive join reach in your latest run (e.g. 0.94), and why can a model not have that feature at prediction time?',
  check({ runs, answers }): CheckResult {
    const r = runsOf(runs)[0];
    if (!r) return { passed: false, detail: 'Run the lab first.' };
    const a = (answers['why-asof'] ?? '').trim();
    const good = statesNumber(a, num(r, 'naiveValAuc'), 0.0015) && /(days.since|last purchase|future|after the label|year.end|latest)/i.test(a);
    return { passed: good, runId: r.record.id, detail: good ? 'Yes: the latest snapshot is from after the label time, so it already shows whether the customer stopped buying.' : `Name the feature, state run ${r.label}’s naive validation AUC (${fmt(num(r, 'naiveValAuc'))} is shown), and say when its value was computed.` };
  },
};

export const meta: LabMeta = {
  id: 'feature-store',
  title: 'Feature store',
  summary: 'Build a customer feature view over a retail year into an offline store (Parquet) and an online store, make training data with a point-in-time ASOF JOIN against a naive latest-value join, measure the leakage, and check training/serving skew.',
  learn: [
    'entities, feature views and snapshots in an offline store; an online store of latest values per key',
    'point-in-time correct training data with DuckDB’s ASOF JOIN',
    'how a naive latest-value join leaks the future, and what that does on a later period',
    'a training/serving skew check between the two stores',
  ],
  minutes: 15,
  exercises: [leakage, skew, why],
};
