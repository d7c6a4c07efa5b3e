import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns, num, type LabRun } from '../kit/runs';
import { fixed as fmt } from '../../src/lib/core/format';
import { REMOVE_RULES } from '../../src/lib/data/pipeline';

type S = { seed: number; customers: number; capPercentile: number; observationStart: string; observationEnd: string; labelStart: string; labelEnd: string };
const runsOf = (runs: RunRecord[]) => labRuns<S>(runs);

/** The rules that removed the most rows in a run (several on a tie). */
export function topRules(r: LabRun): string[] {
  const max = Math.max(...REMOVE_RULES.map((k) => num(r, `removed_${k}`)));
  return max > 0 ? REMOVE_RULES.filter((k) => num(r, `removed_${k}`) === max) : [];
}

const topRule: Exercise = {
  id: 'top-rule',
  title: 'Which rule removed the most rows?',
  task: 'Raise one dirt rate (for instance bad timestamps to 0.05) and run. Read the cleaning report: which rule removed the most rows, and what in the raw data made it fire?',
  answerPrompt: 'The rule that removed the most rows, and why:',
  check({ runs, answers }): CheckResult {
    const r = runsOf(runs).find((x) => topRules(x).length === 1);
    if (!r) return { passed: false, detail: 'No run yet where one rule removed strictly more rows than every other: raise one dirt rate and run.' };
    const rule = topRules(r)[0];
    const a = (answers['top-rule'] ?? '').toLowerCase();
    const named = a.includes(rule) || a.includes(rule.replaceAll('_', ' '));
    if (!named) return { passed: false, runId: r.record.id, detail: `In run ${r.label} one rule removed ${num(r, `removed_${rule}`)} rows, more than any other. Name it (as in the report) and say why.` };
    return { passed: true, runId: r.record.id, detail: `Yes: ${rule} removed ${num(r, `removed_${rule}`)} of ${num(r, 'removed_total')} rows in run ${r.label}.` };
  },
};

const agree: Exercise = {
  id: 'agree',
  title: 'Break the ELT, then make ETL and ELT agree again',
  task: 'Edit one ELT step (for instance in stg_dedup change "updated_parsed DESC" to "ASC", keeping the oldest version of each sale) and run: the comparison shows which features now differ. Then reset the SQL and run until they agree.',
  check({ runs }): CheckResult {
    const rs = runsOf(runs);
    const broken = rs.filter((r) => num(r, 'elt_edited') === 1 && num(r, 'agree') === 0);
    if (!broken.length) return { passed: false, detail: rs.length ? 'No run yet with edited ELT SQL that disagrees with the ETL.' : 'Run the lab first.' };
    const first = broken.at(-1)!;
    const fixed = rs.find((r) => r.record.createdAt > first.record.createdAt && num(r, 'agree') === 1);
    if (!fixed) return { passed: false, runId: first.record.id, detail: `Run ${first.label} disagrees on ${num(first, 'mismatches')} values. Now make them agree again.` };
    return { passed: true, runId: fixed.record.id, detail: `Run ${first.label} disagreed on ${num(first, 'mismatches')} values; run ${fixed.label} agrees on all ${num(fixed, 'feature_rows')} customers.` };
  },
};

const leakage: Exercise = {
  id: 'leakage',
  title: 'See label leakage',
  task: 'Keep the seed, move the label window start into the observation window (e.g. labelStart 2025-07-01) and run. Compare how well recency alone predicts churn (its ROC-AUC) with a leakage-safe run.',
  check({ runs }): CheckResult {
    const rs = runsOf(runs);
    const leaky = rs.filter((r) => num(r, 'overlap_days') > 0);
    for (const l of leaky) {
      const safe = rs.find((r) => num(r, 'overlap_days') === 0 && r.settings.seed === l.settings.seed && r.settings.customers === l.settings.customers);
      if (safe && num(l, 'recency_auc') > num(safe, 'recency_auc')) {
        return { passed: true, runId: l.record.id, detail: `Overlap of ${num(l, 'overlap_days')} days: recency AUC ${fmt(num(l, 'recency_auc'))} against ${fmt(num(safe, 'recency_auc'))} without overlap; ${num(l, 'leaked_purchases')} purchases were both feature and label.` };
      }
    }
    return { passed: false, detail: leaky.length ? 'You have a leaky run; add a leakage-safe run with the same seed and customers to compare.' : 'No run yet whose label window overlaps the observation window.' };
  },
};

export const meta: LabMeta = {
  id: 'etl',
  title: 'ETL and ELT pipeline',
  summary: 'Extract sales (CSV), events (JSON) and customers (Parquet), clean them with a report of every row removed, build leakage-safe churn features, load them to Parquet with a data dictionary and QA report — then do it all again in SQL (ELT) and check both agree.',
  learn: [
    'validation rules and their order: type casting, invalid rows dropped, amounts capped and imputed, duplicates resolved by the latest update',
    'a cleaning report that accounts for every removed row',
    'leakage-safe features: an observation window for features, a later window for the label',
    'ETL (transform in code, then load) against ELT (load raw, transform in SQL), and checking that two implementations agree',
  ],
  minutes: 25,
  exercises: [topRule, agree, leakage],
};
