import type { UpliftResult } from '../../src/lib/stats/uplift';
import type { Exercise, LabMeta } from '../types';
import { pct, runName, simRuns, type Field, type Settings, type SimRun } from '../experiments/fields';

export const defaults: Settings = {
  users: 20000,
  persuadableShare: 0.2,
  persuadableLift: 0.1,
  sleepingDogShare: 0.2,
  sleepingDogHarm: 0.02,
  costPerContact: 1,
  valuePerConversion: 30,
  seed: 1,
};

export const fields: Field[] = [
  { key: 'users', label: 'Users in the campaign test', explain: 'Half are randomly treated; half of all users train the models, half judge them.', min: 200, max: 200000, integer: true },
  { key: 'persuadableShare', label: 'Persuadable share', explain: 'Users who buy more when contacted (high x1).', min: 0, max: 1 },
  { key: 'persuadableLift', label: 'Persuadable lift', explain: 'How much more likely a persuadable user converts when treated (absolute).', min: 0, max: 0.8 },
  { key: 'sleepingDogShare', label: 'Sleeping-dog share', explain: 'Users whom contact annoys (high x2): they convert less when treated.', min: 0, max: 1 },
  { key: 'sleepingDogHarm', label: 'Sleeping-dog harm', explain: 'How much less likely they convert when treated (absolute, at most 0.03).', min: 0, max: 0.03 },
  { key: 'costPerContact', label: 'Cost per contact', explain: 'What treating one user costs (a discount, a message).', min: 0, max: 1000 },
  { key: 'valuePerConversion', label: 'Value per conversion', explain: 'What one extra conversion is worth.', min: 0, max: 100000 },
  { key: 'seed', label: 'Seed', explain: 'Same seed, same simulated users.', min: 0, max: 4294967295, integer: true },
];

export interface UpliftDigest {
  qiniT: number;
  qiniS: number;
  qiniOracle: number;
  bestShareT: number;
  bestProfitT: number;
  profitTreatAll: number;
  incrementalTreatAll: number;
}

export function digest(r: UpliftResult): UpliftDigest {
  return { qiniT: r.qiniAreaT, qiniS: r.qiniAreaS, qiniOracle: r.qiniAreaOracle, bestShareT: r.bestShareT, bestProfitT: r.bestProfitT, profitTreatAll: r.profitTreatAll, incrementalTreatAll: r.incrementalTreatAll };
}

type Run = SimRun<Settings, UpliftDigest>;
const all = (runs: Parameters<Exercise['check']>[0]['runs']) => simRuns<Settings, UpliftDigest>(runs);
const money = (x: number) => `${x < 0 ? '−' : ''}${Math.abs(Math.round(x)).toLocaleString('en')}`;

const target: Exercise = {
  id: 'target',
  title: 'Target the persuadables, beat “treat everyone”',
  task: 'Contacts get dearer: with a cost per contact of 2 or more, find settings where treating only the top share by T-learner uplift still makes a profit, and beats treating everyone by at least 1,000.',
  check({ runs }) {
    const r = all(runs).find((x) => Number(x.settings.costPerContact) >= 2 && x.result.bestProfitT > 0 && x.result.bestProfitT - x.result.profitTreatAll >= 1000 && x.result.bestShareT < 1);
    if (r) return { passed: true, runId: r.id, detail: `Run ${runName(r)}: targeting the top ${pct(r.result.bestShareT, 0)} earns ${money(r.result.bestProfitT)}; treating everyone ${money(r.result.profitTreatAll)}.` };
    return { passed: false, detail: 'No run yet with a cost per contact of 2 or more where targeting is profitable and beats treating everyone by 1,000 or more.' };
  },
};

const dogs: Exercise = {
  id: 'sleeping-dogs',
  title: 'Sleeping dogs: a campaign that loses customers',
  task: 'Make sleeping dogs common enough (and persuadables rare enough) that treating everyone causes fewer conversions than treating no one.',
  check({ runs }) {
    const r = all(runs).find((x) => x.result.incrementalTreatAll < 0);
    if (r) return { passed: true, runId: r.id, detail: `Run ${runName(r)}: treating everyone changes conversions by ${r.result.incrementalTreatAll.toFixed(0)} in the test half, while the T-learner’s best targeting still earns ${money(r.result.bestProfitT)}.` };
    return { passed: false, detail: 'Not yet: raise the sleeping-dog share and harm, lower the persuadable share.' };
  },
};

const learners: Exercise = {
  id: 'learners',
  title: 'T-learner vs S-learner',
  task: 'Compare the Qini areas of the two learners in one of your runs.',
  answerPrompt: 'Why does the S-learner (one model with a treatment flag, no interactions) rank users worse here?',
  check({ runs, answers }) {
    const r = all(runs)[0];
    if (!r) return { passed: false, detail: 'Run a simulation first.' };
    const found = `Run ${runName(r)}: Qini area T-learner ${r.result.qiniT.toFixed(1)}, S-learner ${r.result.qiniS.toFixed(1)}, perfect knowledge ${r.result.qiniOracle.toFixed(1)}.`;
    const a = answers['learners'] ?? '';
    return a.trim().length >= 25 && /(interact|same shift|constant|single|flag|one model|cannot vary|heterogen|separate)/i.test(a) ? { passed: true, runId: r.id, detail: found } : { passed: false, runId: r.id, detail: `${found} Now explain.` };
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

export function summarize(runs: Run[]): string[] {
  if (!runs.length) return [];
  const r = runs[0];
  return [
    `Latest run (${runName(r)}): Qini area T-learner ${r.result.qiniT.toFixed(1)}, S-learner ${r.result.qiniS.toFixed(1)}, perfect knowledge ${r.result.qiniOracle.toFixed(1)} (0 = random targeting).`,
    `Treating the top ${pct(r.result.bestShareT, 0)} by T-learner uplift earns ${money(r.result.bestProfitT)}; treating everyone ${money(r.result.profitTreatAll)} (${r.result.incrementalTreatAll.toFixed(0)} extra conversions).`,
  ];
}
