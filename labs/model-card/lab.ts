import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns, num } from '../kit/runs';
import { statesNumber } from '../kit/answer';
import { col, type Column, type Run } from '../kit/columns';
import { fixed as fmt, pct, plural } from '../../src/lib/core/format';

type S = { seed: number; n: number; labelBias: number; labelNoise: number; proxyStrength: number; features: string; mitigation: string; calibration: string; threshold: number };
const runsOf = (runs: RunRecord[]) => labRuns<S>(runs);

const first: Exercise = {
  id: 'first-card',
  title: 'Write the card for the default model',
  task: 'Run the default settings and download the model card. Read its limitations: which of them come from the numbers?',
  check({ runs }): CheckResult {
    const r = runsOf(runs)[0];
    if (!r) return { passed: false, detail: 'No card generated yet.' };
    return { passed: true, runId: r.record.id, detail: `Card for run ${r.label}: ROC-AUC ${fmt(num(r, 'auc'))}, ECE ${fmt(num(r, 'ece'))}, disparate impact ${fmt(num(r, 'dir'))}.` };
  },
};

const shippable: Exercise = {
  id: 'shippable',
  title: 'A card you would sign',
  task: 'Find settings (mitigation, features, calibration) whose card shows a parity difference ≤ 0.05, a disparate impact ratio ≥ 0.9, ECE ≤ 0.05 and ROC-AUC ≥ 0.75, with label bias ≥ 0.15.',
  check({ runs }): CheckResult {
    const rs = runsOf(runs).filter((r) => r.settings.labelBias >= 0.15);
    const ok = rs.find((r) => num(r, 'dpd') <= 0.05 && num(r, 'dir') >= 0.9 && num(r, 'ece') <= 0.05 && num(r, 'auc') >= 0.75);
    if (ok) return { passed: true, runId: ok.record.id, detail: `Run ${ok.label} (${ok.settings.mitigation}, ${ok.settings.features}, ${ok.settings.calibration}): parity ${fmt(num(ok, 'dpd'))}, impact ratio ${fmt(num(ok, 'dir'))}, ECE ${fmt(num(ok, 'ece'))}, AUC ${fmt(num(ok, 'auc'))}.` };
    return { passed: false, detail: rs.length ? `Closest so far: parity ${fmt(Math.min(...rs.map((r) => num(r, 'dpd'))))}, best impact ratio ${fmt(Math.max(...rs.map((r) => num(r, 'dir'))))}.` : 'No run with label bias ≥ 0.15 yet.' };
  },
};

const limitation: Exercise = {
  id: 'limitation',
  title: 'Add the limitation the generator cannot see',
  task: 'The card lists what the numbers show. Write one limitation a reviewer should add that no metric here measures, naming the ROC-AUC of your latest card it qualifies.',
  answerPrompt: 'Your added limitation: the ROC-AUC of your latest card (e.g. 0.78), and a risk it does not measure (feedback loops, drift, consent, people never in the data…):',
  check({ runs, answers }): CheckResult {
    const r = runsOf(runs)[0];
    const a = (answers['limitation'] ?? '').trim();
    if (!r) return { passed: false, detail: 'Generate a card first.' };
    const risk = /(feedback|loop|drift|shift|season|time|consent|privacy|never in|not in the data|missing|excluded|unrepresent|population|appeal|context|causal|gaming|strateg|adversar|future|regulat|proxy|intersection)/i.test(a);
    if (statesNumber(a, num(r, 'auc'), 0.0015) && risk) return { passed: true, runId: r.record.id, detail: `Noted for the card of run ${r.label} (ROC-AUC ${fmt(num(r, 'auc'))}). Paste it into the downloaded card under Limitations.` };
    return { passed: false, runId: r.record.id, detail: `Name the ROC-AUC of run ${r.label}’s card and a risk no metric here measures (for instance feedback loops, drift, consent, or who was never in the data).` };
  },
};

export const meta: LabMeta = {
  id: 'model-card',
  title: 'Model card: write up what you measured',
  summary: 'Evaluate the model you would ship — metrics overall, by slice and by group, calibration, fairness — and download a Markdown model card generated from that run.',
  learn: [
    'what a model card holds: intended use, data, metrics overall and by slice and group, calibration, fairness findings, limitations',
    'writing every number from a run, with its seed and data hash, so the card can be reproduced',
    'choosing mitigation and calibration with their costs in view',
  ],
  minutes: 15,
  exercises: [first, shippable, limitation],
};

export const columns: Column<Run>[] = [
  col.setting('mitigation', 'mitigation'),
  col.setting('calibration', 'calibration'),
  col.fixed('AUC', 'auc'),
  col.fixed('ECE', 'ece'),
  col.fixed('parity diff.', 'dpd'),
  col.fixed('impact ratio', 'dir'),
];

export function summarize(runs: RunRecord[]): string[] {
  const rs = runsOf(runs);
  if (!rs.length) return [];
  const out = [`${plural(rs.length, 'card')} generated.`];
  const by = new Map<string, number[]>();
  for (const r of rs) by.set(r.settings.mitigation, [...(by.get(r.settings.mitigation) ?? []), num(r, 'dpd')]);
  out.push(`Parity difference by mitigation (mean over runs): ${[...by].map(([k, v]) => `${k} ${fmt(v.reduce((a, b) => a + b, 0) / v.length)}`).join(', ')}.`);
  const r = rs[0];
  out.push(`Latest card: approval ${pct(num(r, 'approval0'))} (group 0) vs ${pct(num(r, 'approval1'))} (group 1); worst slice "${r.result.worstSlice}" at ${pct(num(r, 'worstErrorRate'))} error.`);
  return out;
}
