import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns, num } from '../kit/runs';
import { bestRun, runPair } from '../kit/exercises';
import { statesNumber } from '../kit/answer';
import { col, type Column, type Run } from '../kit/columns';
import { fixed as fmt, noun } from '../../src/lib/core/format';

type S = { seed: number; n: number; defaultRate: number; model: 'plain' | 'balanced' | 'smoothed'; bins: number };
const runsOf = (runs: RunRecord[]) => labRuns<S>(runs);

const fixBalanced = bestRun<S>({
  id: 'fix-balanced',
  title: 'Recalibrate a class-weighted model',
  task: 'Train with balanced class weights. Platt scaling or isotonic regression, fitted on the calibration split, should cut the test ECE to a third or less.',
}, {
  among: (r) => r.settings.model === 'balanced',
  none: 'No run with balanced class weights yet.',
  pass: (r) => Math.min(num(r, 'ece_platt'), num(r, 'ece_isotonic')) <= num(r, 'ece_uncalibrated') / 3,
  detail: (r) => `Run ${r.label}: ECE ${fmt(num(r, 'ece_uncalibrated'))} before, ${fmt(num(r, 'ece_platt'))} after Platt, ${fmt(num(r, 'ece_isotonic'))} after isotonic.`,
});

const smoothing = runPair<S>({
  id: 'smoothing',
  title: 'Label smoothing costs calibration, not ranking',
  task: 'Run the plain model and the label-smoothed one with the same seed and data. Compare ECE and ROC-AUC before calibration.',
}, {
  differIn: ['model'],
  pair: (a, b) => a.settings.model === 'smoothed' && b.settings.model === 'plain',
  none: 'Need a smoothed run and a plain run with otherwise equal settings.',
  judge: (a, b) => ({
    passed: num(a, 'ece_uncalibrated') > num(b, 'ece_uncalibrated') && Math.abs(num(a, 'auc_uncalibrated') - num(b, 'auc_uncalibrated')) < 0.01,
    runId: a.id,
    detail: `Smoothed: ECE ${fmt(num(a, 'ece_uncalibrated'))}, AUC ${fmt(num(a, 'auc_uncalibrated'))}. Plain: ECE ${fmt(num(b, 'ece_uncalibrated'))}, AUC ${fmt(num(b, 'auc_uncalibrated'))}.`,
  }),
});

const temperature: Exercise = {
  id: 'temperature',
  title: 'Why temperature scaling fails here',
  task: 'In a balanced-weights run, temperature scaling barely helps while Platt scaling does. Say why.',
  answerPrompt: 'State the ECE left after temperature scaling in that run (e.g. 0.081), and what Platt scaling can fix that temperature scaling cannot:',
  check({ runs, answers }): CheckResult {
    const r = runsOf(runs).find((x) => x.settings.model === 'balanced' && num(x, 'ece_temperature') > num(x, 'ece_uncalibrated') / 2 && num(x, 'ece_platt') < num(x, 'ece_uncalibrated') / 2);
    if (!r) return { passed: false, detail: 'Need a balanced-weights run where temperature scaling leaves more than half the ECE and Platt removes more than half.' };
    const a = (answers['temperature'] ?? '').trim();
    const good = statesNumber(a, num(r, 'ece_temperature'), 0.0015) && /(intercept|shift|offset|bias|base rate|prior|scale only|only (scales|stretches)|b\b)/i.test(a);
    return { passed: good, runId: r.record.id, detail: `Run ${r.label}: fitted temperature ${fmt(num(r, 'temperature'), 2)}, ECE ${fmt(num(r, 'ece_temperature'))} after it vs ${fmt(num(r, 'ece_platt'))} after Platt (a = ${fmt(num(r, 'plattA'), 2)}, b = ${fmt(num(r, 'plattB'), 2)}).${good ? '' : ' Now state the ECE after temperature scaling and explain: what does class weighting do to the logit, and which calibrator has a term for it?'}` };
  },
};

export const meta: LabMeta = {
  id: 'calibration',
  title: 'Calibration: when 0.3 should mean 30%',
  summary: 'Reliability diagrams, ECE and Brier score; fix miscalibrated probabilities with Platt scaling, isotonic regression and temperature scaling fitted on a calibration split.',
  learn: [
    'reading a reliability diagram, and what ECE and the Brier score measure',
    'how class weights and label smoothing miscalibrate a good ranker',
    'Platt scaling, isotonic regression and temperature scaling, fitted on one split and judged on another',
    'the calibration error against the true probability, which only a simulation can show',
  ],
  minutes: 20,
  exercises: [fixBalanced, smoothing, temperature],
};

export const columns: Column<Run>[] = [
  col.setting('model', 'model'),
  col.fixed('ECE raw', 'ece_uncalibrated'),
  col.fixed('ECE Platt', 'ece_platt'),
  col.fixed('ECE isotonic', 'ece_isotonic'),
  col.fixed('ECE temp.', 'ece_temperature'),
];

export function summarize(runs: RunRecord[]): string[] {
  const rs = runsOf(runs);
  if (!rs.length) return [];
  const out: string[] = [];
  for (const model of ['plain', 'balanced', 'smoothed'] as const) {
    const m = rs.filter((r) => r.settings.model === model);
    if (!m.length) continue;
    const avg = (k: string) => m.reduce((s, r) => s + num(r, k), 0) / m.length;
    out.push(`${model} (${m.length} run${m.length > 1 ? 's' : ''}): mean ECE ${fmt(avg('ece_uncalibrated'))} raw → ${fmt(avg('ece_platt'))} Platt, ${fmt(avg('ece_isotonic'))} isotonic, ${fmt(avg('ece_temperature'))} temperature; ROC-AUC ${fmt(avg('auc_uncalibrated'))} raw vs ${fmt(avg('auc_isotonic'))} isotonic (isotonic's ties can lower it slightly).`);
  }
  const iso = rs.filter((r) => num(r, 'ece_isotonic') > num(r, 'ece_platt'));
  if (iso.length) out.push(`In ${iso.length} of ${rs.length} ${noun(rs.length, 'run')} Platt beat isotonic on the test split: with an 800-case calibration split the step function overfits a little.`);
  return out;
}
