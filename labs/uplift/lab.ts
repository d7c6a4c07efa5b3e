import type { UpliftDigest } from '../../src/lib/runners/uplift';
import type { Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns } from '../kit/runs';
import { statesNumber } from '../kit/answer';
import { pct } from '../../src/lib/core/format';

/** Settings as saved with a run (read by key). */
type Settings = Record<string, number | string>;





const all = (runs: Parameters<Exercise['check']>[0]['runs']) => labRuns<Settings, UpliftDigest>(runs);
const money = (x: number) => `${x < 0 ? '−' : ''}${Math.abs(Math.round(x)).toLocaleString('en')}`;

const target: Exercise = {
  id: 'target',
  title: 'Target the persuadables, beat “treat everyone”',
  task: 'Contacts get dearer: with a cost per contact of 2 or more, find settings where treating only the top share by T-learner uplift still makes a profit, and beats treating everyone by at least 1,000.',
  check({ runs }) {
    const r = all(runs).find((x) => Number(x.settings.costPerContact) >= 2 && x.result.bestProfitT > 0 && x.result.bestProfitT - x.result.profitTreatAll >= 1000 && x.result.bestShareT < 1);
    if (r) return { passed: true, runId: r.id, detail: `Run ${r.label}: targeting the top ${pct(r.result.bestShareT, 0)} earns ${money(r.result.bestProfitT)}; treating everyone ${money(r.result.profitTreatAll)}.` };
    return { passed: false, detail: 'No run yet with a cost per contact of 2 or more where targeting is profitable and beats treating everyone by 1,000 or more.' };
  },
};

const dogs: Exercise = {
  id: 'sleeping-dogs',
  title: 'Sleeping dogs: a campaign that loses customers',
  task: 'Make sleeping dogs common enough (and persuadables rare enough) that treating everyone causes fewer conversions than treating no one.',
  check({ runs }) {
    const r = all(runs).find((x) => x.result.incrementalTreatAll < 0);
    if (r) return { passed: true, runId: r.id, detail: `Run ${r.label}: treating everyone changes conversions by ${r.result.incrementalTreatAll.toFixed(0)} in the test half, while the T-learner’s best targeting still earns ${money(r.result.bestProfitT)}.` };
    return { passed: false, detail: 'Not yet: raise the sleeping-dog share and harm, lower the persuadable share.' };
  },
};

const learners: Exercise = {
  id: 'learners',
  title: 'T-learner vs S-learner',
  task: 'Compare the Qini areas of the two learners in one of your runs.',
  answerPrompt: 'State the S-learner’s Qini area in your latest run, and why the S-learner (one model with a treatment flag, no interactions) ranks users worse here:',
  check({ runs, answers }) {
    const r = all(runs)[0];
    if (!r) return { passed: false, detail: 'Run a simulation first.' };
    const found = `Run ${r.label}: Qini area T-learner ${r.result.qiniT.toFixed(1)}, S-learner ${r.result.qiniS.toFixed(1)}, perfect knowledge ${r.result.qiniOracle.toFixed(1)}.`;
    const a = answers['learners'] ?? '';
    return statesNumber(a, r.result.qiniS, Math.max(0.1, 0.02 * Math.abs(r.result.qiniS))) && /(interact|same shift|constant|single|flag|one model|cannot vary|heterogen|separate)/i.test(a) ? { passed: true, runId: r.id, detail: found } : { passed: false, runId: r.id, detail: `${found} Now state the S-learner’s Qini area and explain.` };
  },
};

export const meta: LabMeta = {
  id: 'uplift',
  title: 'Uplift modelling: whom to treat',
  summary: 'A campaign whose effect differs by user: fit T- and S-learner uplift models, read Qini curves, and target the persuadables instead of treating everyone.',
  learn: [
    'heterogeneous treatment effects: persuadables, sure things, lost causes, sleeping dogs',
    'T-learner and S-learner uplift models, and what an S-learner’s model must be able to express',
    'Qini curves: judging an uplift model on randomised data',
    'targeting by uplift vs treating everyone, in money',
  ],
  minutes: 20,
  exercises: [target, dogs, learners],
};

export function summarize(records: RunRecord[]): string[] {
  const runs = labRuns<Settings, UpliftDigest>(records);
  if (!runs.length) return [];
  const r = runs[0];
  return [
    `Latest run (${r.label}): Qini area T-learner ${r.result.qiniT.toFixed(1)}, S-learner ${r.result.qiniS.toFixed(1)}, perfect knowledge ${r.result.qiniOracle.toFixed(1)} (0 = random targeting).`,
    `Treating the top ${pct(r.result.bestShareT, 0)} by T-learner uplift earns ${money(r.result.bestProfitT)}; treating everyone ${money(r.result.profitTreatAll)} (${r.result.incrementalTreatAll.toFixed(0)} extra conversions).`,
  ];
}
