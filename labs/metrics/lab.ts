import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns, num, sameExcept, type LabRun } from '../kit/runs';
import { statesNumber } from '../kit/answer';
import { col, type Column, type Run } from '../kit/columns';
import { fixed as fmt, plural } from '../../src/lib/core/format';

type S = { seed: number; n: number; defaultRate: number; labelNoise: number; threshold: number; costFn: number; costFp: number };
const runsOf = (runs: RunRecord[]) => labRuns<S>(runs);

const imbalance: Exercise = {
  id: 'imbalance',
  title: 'Make defaults rare and watch the two areas part',
  task: 'Run once with a default rate of 0.2 or more and once at 0.05 or less, other settings equal. ROC-AUC should barely move while PR-AUC (average precision) falls.',
  check({ runs }): CheckResult {
    const rs = runsOf(runs);
    const rare = rs.filter((r) => r.settings.defaultRate <= 0.05);
    const common = rs.filter((r) => r.settings.defaultRate >= 0.2);
    for (const a of rare) for (const b of common) {
      if (!sameExcept(a, b, ['defaultRate'])) continue;
      const dAuc = Math.abs(num(a, 'auc') - num(b, 'auc'));
      const dAp = num(b, 'ap') - num(a, 'ap');
      const passed = dAuc < 0.06 && dAp > 0.1;
      return { passed, runId: a.record.id, detail: `Default rate ${a.settings.defaultRate} vs ${b.settings.defaultRate}: ROC-AUC ${fmt(num(a, 'auc'))} vs ${fmt(num(b, 'auc'))}, PR-AUC ${fmt(num(a, 'ap'))} vs ${fmt(num(b, 'ap'))}.${passed ? '' : ' Expected ROC-AUC within 0.06 and PR-AUC at least 0.1 lower when defaults are rare.'}` };
    }
    return { passed: false, detail: `Need a run at default rate ≤ 0.05 and one at ≥ 0.2 with otherwise equal settings (have ${rare.length} and ${common.length}).` };
  },
};

const costThreshold: Exercise = {
  id: 'cost-threshold',
  title: 'Pick the threshold that costs least',
  task: 'Make a missed default cost at least 5 times a wrong refusal. Then set the threshold to the cheapest one on the cost curve (within 0.02) and run again.',
  check({ runs }): CheckResult {
    const ok = runsOf(runs).filter((r) => r.settings.costFp > 0 && r.settings.costFn / r.settings.costFp >= 5);
    if (!ok.length) return { passed: false, detail: 'No run yet with cost of a missed default ≥ 5 × cost of a wrong refusal.' };
    const hit = ok.find((r) => Math.abs(r.settings.threshold - num(r, 'bestThreshold')) <= 0.02 + 1e-9);
    if (hit) return { passed: true, runId: hit.record.id, detail: `Threshold ${hit.settings.threshold} costs ${fmt(num(hit, 'costAtThreshold'))} per applicant; the cheapest on the curve is ${num(hit, 'bestThreshold')} at ${fmt(num(hit, 'bestCost'))}. (If the model were perfectly calibrated it would be ${fmt(num(hit, 'bayesThreshold'), 2)}.)` };
    const last = ok[0];
    return { passed: false, runId: last.record.id, detail: `Your latest such run used threshold ${last.settings.threshold}; its cost curve bottoms out at ${num(last, 'bestThreshold')}. Set that and run again.` };
  },
};

const whyPr: Exercise = {
  id: 'why-pr',
  title: 'Explain why PR-AUC falls when positives are rare',
  task: 'After a run with default rate ≤ 0.05, say in a sentence or two why precision suffers when positives are rare, even though the ranking is as good.',
  answerPrompt: 'State the PR-AUC of your rare-default run (e.g. 0.31), and why PR-AUC falls while ROC-AUC holds:',
  check({ runs, answers }): CheckResult {
    const a = (answers['why-pr'] ?? '').trim();
    const rares = runsOf(runs).filter((r) => r.settings.defaultRate <= 0.05);
    const rare = rares.find((r) => statesNumber(a, num(r, 'ap'), 0.005)) ?? rares[0];
    if (!rare) return { passed: false, detail: 'Run with default rate ≤ 0.05 first.' };
    const good = statesNumber(a, num(rare, 'ap'), 0.005) && /(false positive|negatives|base rate|prevalence|rare|precision|FPR|many more)/i.test(a);
    return { passed: good, runId: rare.record.id, detail: good ? `In run ${rare.label}, PR-AUC ${fmt(num(rare, 'ap'))} against a random-ranking baseline of ${fmt(num(rare, 'prevalence'))}.` : `State run ${rare.label}’s PR-AUC, and mention what a small false positive rate means when negatives outnumber positives many times.` };
  },
};

export const meta: LabMeta = {
  id: 'metrics',
  title: 'Beyond accuracy: ROC, PR, costs and decision curves',
  summary: 'Score a credit-default model by its ranking, its errors at a threshold and what those errors cost, on a seeded data set.',
  learn: [
    'ROC and precision–recall curves and their areas, computed as scikit-learn does',
    'why PR-AUC, not ROC-AUC, shows trouble when positives are rare',
    'confusion matrices at any threshold, and choosing the threshold by cost',
    'decision curves: net benefit against treating everyone or no one',
  ],
  minutes: 20,
  exercises: [imbalance, costThreshold, whyPr],
};

export const columns: Column<Run>[] = [
  col.setting('default rate', 'defaultRate'),
  col.setting('threshold', 'threshold'),
  col.fixed('ROC-AUC', 'auc'),
  col.fixed('PR-AUC', 'ap'),
  col.fixed('cost/case', 'costAtThreshold'),
];

export function summarize(runs: RunRecord[]): string[] {
  const rs: LabRun<S>[] = runsOf(runs);
  if (!rs.length) return [];
  const out: string[] = [];
  const byRate = [...rs].sort((a, b) => a.settings.defaultRate - b.settings.defaultRate);
  const lo = byRate[0], hi = byRate[byRate.length - 1];
  out.push(`${plural(rs.length, 'run')}. ROC-AUC ranged ${fmt(Math.min(...rs.map((r) => num(r, 'auc'))))}–${fmt(Math.max(...rs.map((r) => num(r, 'auc'))))}; PR-AUC ${fmt(Math.min(...rs.map((r) => num(r, 'ap'))))}–${fmt(Math.max(...rs.map((r) => num(r, 'ap'))))}.`);
  if (lo.settings.defaultRate !== hi.settings.defaultRate) out.push(`At default rate ${lo.settings.defaultRate}, PR-AUC was ${fmt(num(lo, 'ap'))} (random ranking: ${fmt(num(lo, 'prevalence'))}); at ${hi.settings.defaultRate} it was ${fmt(num(hi, 'ap'))} (random: ${fmt(num(hi, 'prevalence'))}).`);
  const gaps = rs.filter((r) => Math.abs(r.settings.threshold - num(r, 'bestThreshold')) > 0.05);
  if (gaps.length) out.push(`${plural(gaps.length, 'run')} used a threshold more than 0.05 from their cheapest one; at 0.5 with unequal costs that is the usual mistake.`);
  return out;
}
