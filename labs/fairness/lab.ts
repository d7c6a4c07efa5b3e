import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns, num, sameExcept } from '../kit/runs';
import { statesShare } from '../kit/answer';
import { col, type Column, type Run } from '../kit/columns';
import { fixed as fmt, noun } from '../../src/lib/core/format';

type S = { seed: number; n: number; labelBias: number; proxyStrength: number; features: string; threshold: number; penalty: number };
const runsOf = (runs: RunRecord[]) => labRuns<S>(runs);

const cause: Exercise = {
  id: 'cause',
  title: 'Switch the bias off',
  task: 'Set the injected label bias to 0 and run. With clean history, does a model that even uses the group still treat the groups differently?',
  check({ runs }): CheckResult {
    const r = runsOf(runs).find((x) => x.settings.labelBias === 0);
    if (!r) return { passed: false, detail: 'No run with label bias 0 yet.' };
    const passed = num(r, 'withGroup_dpd') < 0.06;
    return { passed, runId: r.record.id, detail: `Label bias 0: recorded default rates ${fmt(num(r, 'recordedRate0'))} vs ${fmt(num(r, 'recordedRate1'))}; the model with the group has a parity gap of ${fmt(num(r, 'withGroup_dpd'))}.` };
  },
};

const proxy: Exercise = {
  id: 'proxy',
  title: 'Dropping the group works only without a proxy',
  task: 'With label bias ≥ 0.2, compare proxy strength 0 with a strong proxy (≥ 0.6), other settings equal: how much of the parity gap remains once the group column is removed?',
  check({ runs }): CheckResult {
    const rs = runsOf(runs).filter((r) => r.settings.labelBias >= 0.2);
    for (const a of rs.filter((r) => r.settings.proxyStrength === 0)) for (const b of rs.filter((r) => r.settings.proxyStrength >= 0.6)) {
      if (!sameExcept(a, b, ['proxyStrength'])) continue;
      const passed = num(a, 'noGroup_dpd') < 0.5 * num(b, 'noGroup_dpd');
      return { passed, runId: b.record.id, detail: `Without the group column: parity gap ${fmt(num(a, 'noGroup_dpd'))} with no proxy, ${fmt(num(b, 'noGroup_dpd'))} with proxy strength ${b.settings.proxyStrength} (with the group: ${fmt(num(b, 'withGroup_dpd'))}).` };
    }
    return { passed: false, detail: 'Need two runs with label bias ≥ 0.2, one at proxy strength 0 and one at ≥ 0.6, other settings equal.' };
  },
};

const penalty: Exercise = {
  id: 'penalty',
  title: 'Price the fairness penalty',
  task: 'Run two penalty weights (say 1 and 50), other settings equal. Report what the smaller gap cost in accuracy — against the recorded labels and against the truth.',
  answerPrompt: 'State the accuracy against the true labels at your larger penalty (e.g. 0.742); which accuracy fell, which did not, and why?',
  check({ runs, answers }): CheckResult {
    const rs = runsOf(runs);
    for (const a of rs) for (const b of rs) {
      if (!(a.settings.penalty < b.settings.penalty) || !sameExcept(a, b, ['penalty'])) continue;
      if (!(num(b, 'penalty_dpd') < num(a, 'penalty_dpd'))) continue;
      const d = `Penalty ${a.settings.penalty} → ${b.settings.penalty}: parity gap ${fmt(num(a, 'penalty_dpd'))} → ${fmt(num(b, 'penalty_dpd'))}, accuracy vs recorded labels ${fmt(num(a, 'penalty_accuracy'))} → ${fmt(num(b, 'penalty_accuracy'))}, vs true labels ${fmt(num(a, 'penalty_accuracyTrue'))} → ${fmt(num(b, 'penalty_accuracyTrue'))}.`;
      const ans = (answers['penalty'] ?? '').trim();
      const good = statesShare(ans, num(b, 'penalty_accuracyTrue'), 0.0015) && /(record|true|truth|label|biased|histor)/i.test(ans);
      return { passed: good, runId: b.record.id, detail: good ? d : `${d} Now state the accuracy against the truth at penalty ${b.settings.penalty} and answer the question.` };
    }
    return { passed: false, detail: 'Need two runs differing only in the penalty weight, the larger one with a smaller gap.' };
  },
};

export const meta: LabMeta = {
  id: 'fairness',
  title: 'Fairness: find the bias, trace its cause, mitigate it',
  summary: 'Audit seeded credit data with a protected attribute, a proxy and injected label bias; measure group gaps in decisions; mitigate by reweighing, per-group thresholds and a fairness penalty, and see what each costs.',
  learn: [
    'demographic parity, equalized odds and equal opportunity differences, and the disparate impact ratio',
    'finding bias in the data before training: label rates by group, proxy features',
    'why removing the protected attribute does not remove bias while a proxy remains',
    'reweighing, per-group thresholds and an in-training penalty, each with its accuracy cost',
    'why accuracy against biased labels can fall when a fix makes decisions more correct',
  ],
  minutes: 30,
  exercises: [cause, proxy, penalty],
};

export const columns: Column<Run>[] = [
  col.setting('bias', 'labelBias'),
  col.setting('proxy', 'proxyStrength'),
  col.setting('penalty', 'penalty'),
  col.fixed('gap w/ group', 'withGroup_dpd'),
  col.fixed('gap w/o group', 'noGroup_dpd'),
  col.fixed('gap reweighed', 'reweighing_dpd'),
];

export function summarize(runs: RunRecord[]): string[] {
  const rs = runsOf(runs);
  if (!rs.length) return [];
  const out: string[] = [];
  const biased = rs.filter((r) => r.settings.labelBias > 0);
  if (biased.length) {
    const r = biased[0];
    out.push(`Latest biased run: recorded default rates ${fmt(num(r, 'recordedRate0'))} (group 0) vs ${fmt(num(r, 'recordedRate1'))} (group 1), true rates ${fmt(num(r, 'trueRate0'))} vs ${fmt(num(r, 'trueRate1'))}: the gap is in the labels, not the people.`);
    const best = (['reweighing', 'penalty', 'thresholdsDP'] as const).map((k) => ({ k, dpd: num(r, `${k}_dpd`), acc: num(r, `${k}_accuracy`), accT: num(r, `${k}_accuracyTrue`) }));
    out.push(`Mitigations on that run (parity gap, accuracy vs recorded / true labels): ${best.map((b) => `${b.k} ${fmt(b.dpd)}, ${fmt(b.acc)} / ${fmt(b.accT)}`).join('; ')}; no mitigation ${fmt(num(r, 'noGroup_dpd'))}, ${fmt(num(r, 'noGroup_accuracy'))} / ${fmt(num(r, 'noGroup_accuracyTrue'))}.`);
  }
  const clean = rs.filter((r) => r.settings.labelBias === 0);
  if (clean.length) out.push(`With no injected bias (${clean.length} ${noun(clean.length, 'run')}) the largest parity gap of the model with the group was ${fmt(Math.max(...clean.map((r) => num(r, 'withGroup_dpd'))))}.`);
  return out;
}
