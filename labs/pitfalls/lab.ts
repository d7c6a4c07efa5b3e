import type { PitfallResult } from '../../src/lib/stats/pitfalls';
import type { Exercise, LabMeta } from '../types';
import { pct, runName, simRuns, type Field, type Settings, type SimRun } from '../experiments/fields';

export const defaults: Settings = {
  aaRuns: 2000,
  usersPerArm: 10000,
  looks: 20,
  rate: 0.1,
  alpha: 0.05,
  srmLoss: 0.08,
  mobileShareControl: 0.3,
  mobileShareTreatment: 0.7,
  noveltyLift: 0.02,
  decayDays: 4,
  seed: 1,
};

export const fields: Field[] = [
  { key: 'aaRuns', label: 'A/A experiments', explain: 'Simulated experiments with no effect, per number of looks.', min: 10, max: 50000, integer: true, group: 'Peeking' },
  { key: 'usersPerArm', label: 'Users per arm', explain: 'Planned sample size at the final look.', min: 10, max: 10_000_000, integer: true },
  { key: 'looks', label: 'Looks', explain: 'How often you check the dashboard, evenly spaced (1 = only at the end).', min: 1, max: 200, integer: true },
  { key: 'rate', label: 'Conversion rate', explain: 'Both arms convert at this rate: any “win” is a false positive.', min: 0.001, max: 0.999 },
  { key: 'alpha', label: 'Alpha', explain: 'Significance level of every test on this page.', min: 0.0001, max: 0.5 },
  { key: 'srmLoss', label: 'Treatment users lost by a bug', explain: 'Share of non-converting treatment users silently dropped from the logs.', min: 0, max: 0.49, group: 'Sample ratio mismatch' },
  { key: 'mobileShareControl', label: 'Mobile share in control', explain: 'Mobile converts at 4%, desktop at 20%; treatment adds 1 point to both.', min: 0.001, max: 0.999, group: 'Simpson’s paradox' },
  { key: 'mobileShareTreatment', label: 'Mobile share in treatment', explain: 'A mix different from control’s (a ramp-up or targeting bug).', min: 0.001, max: 0.999 },
  { key: 'noveltyLift', label: 'Novelty lift on day 1', explain: 'Extra lift because the feature is new; the lasting lift is 0.2 points.', min: -0.09, max: 0.5, group: 'Novelty effect' },
  { key: 'decayDays', label: 'Novelty fades over (days)', explain: 'Time for the extra lift to fall to 37% (1/e) of its start.', min: 0.1, max: 365 },
  { key: 'seed', label: 'Seed', explain: 'Same seed, same simulated users.', min: 0, max: 4294967295, integer: true, group: 'Simulation' },
];

export interface PitfallDigest {
  looks: number;
  fixedFpr: number;
  sequentialFpr: number;
  fixedFprOneLook: number;
  srmDetection: number;
  srmFalseAlarm: number;
  srmFprWithBug: number;
  srmLift: number;
  simpsonParadox: number;
  simpsonControl: number;
  simpsonTreatment: number;
  novelty7: number;
  novelty28: number;
  longTermLift: number;
}

export function digest(r: PitfallResult): PitfallDigest {
  const L = r.lookCounts.length;
  const nv = r.novelty.cumulativeLift;
  return {
    looks: r.lookCounts[L - 1],
    fixedFpr: r.fixedFpr[L - 1],
    sequentialFpr: r.sequentialFpr[L - 1],
    fixedFprOneLook: r.fixedFpr[0],
    srmDetection: r.srm.detectionRate,
    srmFalseAlarm: r.srm.falseAlarmRate,
    srmFprWithBug: r.srm.fprWithBug,
    srmLift: r.srm.meanLiftWithBug,
    simpsonParadox: r.simpson.paradox ? 1 : 0,
    simpsonControl: r.simpson.control.all.rate,
    simpsonTreatment: r.simpson.treatment.all.rate,
    novelty7: nv[Math.min(6, nv.length - 1)],
    novelty28: nv[nv.length - 1],
    longTermLift: r.novelty.trueLift[r.novelty.trueLift.length - 1],
  };
}

type Run = SimRun<Settings, PitfallDigest>;
const all = (runs: Parameters<Exercise['check']>[0]['runs']) => simRuns<Settings, PitfallDigest>(runs);

const peeking: Exercise = {
  id: 'peeking',
  title: 'Peek until you “win”',
  task: 'The default peeks 20 times. How few looks are enough to do damage? Find 10 or fewer looks at which the fixed-horizon test declares a winner in at least 15% of A/A experiments (3× alpha), while the always-valid mSPRT stays at or under alpha. Use at least 1,000 A/A experiments.',
  check({ runs }) {
    const ok = all(runs).find((r) => Number(r.settings.aaRuns) >= 1000 && r.result.looks <= 10 && r.result.fixedFpr >= 0.15 && r.result.sequentialFpr <= Number(r.settings.alpha));
    if (ok) return { passed: true, runId: ok.id, detail: `Run ${runName(ok)}: with ${ok.result.looks} looks the fixed test had ${pct(ok.result.fixedFpr)} false positives, mSPRT ${pct(ok.result.sequentialFpr)}.` };
    return { passed: false, detail: 'No run yet with 10 or fewer looks where peeking pushes the fixed test to 15% while mSPRT stays under alpha.' };
  },
};

const srm: Exercise = {
  id: 'srm',
  title: 'How small a leak does the SRM check catch?',
  task: 'Lower the share of treatment users the bug loses until the chi-square SRM check (alert at p < 0.001) catches it in at most half of the experiments, and note the fake lift it still leaves.',
  answerPrompt: 'Smallest loss you found that the check still catches most of the time, and the fake lift at the loss it misses:',
  check({ runs, answers }) {
    const rs = all(runs);
    const missed = rs.find((r) => Number(r.settings.srmLoss) > 0 && r.result.srmDetection <= 0.5);
    if (!missed) return { passed: false, detail: 'No run yet where the SRM check misses the bug in half the experiments or more.' };
    const found = `Run ${runName(missed)}: losing ${pct(Number(missed.settings.srmLoss))} of non-converters was caught in ${pct(missed.result.srmDetection)} of experiments, yet faked a lift of ${(100 * missed.result.srmLift).toFixed(2)} points and a false “win” rate of ${pct(missed.result.srmFprWithBug)}.`;
    return (answers['srm'] ?? '').trim().length >= 10 ? { passed: true, runId: missed.id, detail: found } : { passed: false, runId: missed.id, detail: `${found} Write down what you found.` };
  },
};

const simpson: Exercise = {
  id: 'simpson',
  title: 'Make the paradox vanish',
  task: 'The default mix makes a treatment that wins in both segments lose overall. Give both arms the same mobile share (within 0.02) and run again: the overall comparison agrees with the segments.',
  check({ runs }) {
    const rs = all(runs);
    const paradox = rs.find((r) => r.result.simpsonParadox === 1);
    const fixed = rs.find((r) => Math.abs(Number(r.settings.mobileShareControl) - Number(r.settings.mobileShareTreatment)) <= 0.02 && r.result.simpsonTreatment > r.result.simpsonControl);
    if (paradox && fixed) return { passed: true, runId: fixed.id, detail: `Run ${runName(paradox)} showed the paradox (overall ${pct(paradox.result.simpsonTreatment)} vs ${pct(paradox.result.simpsonControl)}); with a balanced mix, run ${runName(fixed)} has treatment ahead overall too (${pct(fixed.result.simpsonTreatment)} vs ${pct(fixed.result.simpsonControl)}).` };
    return { passed: false, detail: `${paradox ? 'You have seen the paradox.' : 'Run the default first to see the paradox.'} ${fixed ? '' : 'Then balance the mobile shares.'}`.trim() };
  },
};

const novelty: Exercise = {
  id: 'novelty',
  title: 'A one-week test and a novelty effect',
  task: 'With a novelty lift of at least 1 point, compare the lift a test read after 7 days would report with the lift the feature keeps.',
  answerPrompt: 'How many times larger was the 7-day estimate than the lasting lift, and what would you do about it?',
  check({ runs, answers }) {
    const r = all(runs).find((x) => Number(x.settings.noveltyLift) >= 0.01);
    if (!r) return { passed: false, detail: 'No run with a novelty lift of 1 point or more yet.' };
    const ratio = r.result.novelty7 / r.result.longTermLift;
    const found = `Run ${runName(r)}: after 7 days the estimate was ${(100 * r.result.novelty7).toFixed(2)} points, ${ratio.toFixed(1)}× the lasting ${(100 * r.result.longTermLift).toFixed(2)}; after 28 days ${(100 * r.result.novelty28).toFixed(2)}.`;
    const a = answers['novelty'] ?? '';
    return a.trim().length >= 20 && /(longer|wait|week|holdout|new users|cohort|day|decay|fade)/i.test(a) ? { passed: true, runId: r.id, detail: found } : { passed: false, runId: r.id, detail: `${found} Now answer the question.` };
  },
};

export const meta: LabMeta = {
  id: 'pitfalls',
  title: 'Experiment pitfalls: peeking, SRM, Simpson, novelty',
  summary: 'See four classic mistakes happen in simulation (peeking, sample ratio mismatch, Simpson’s paradox, novelty effects) and the fix for each.',
  learn: [
    'why checking a fixed-horizon test every day inflates false positives',
    'an always-valid sequential test (mSPRT) that you may check after every user',
    'sample ratio mismatch: a chi-square check that catches broken assignment or logging',
    'Simpson’s paradox: winning every segment and losing overall',
    'novelty effects: why a short test overstates a lasting lift',
  ],
  minutes: 25,
  exercises: [peeking, srm, simpson, novelty],
};

export function summarize(runs: Run[]): string[] {
  if (!runs.length) return [];
  const r = runs[0];
  const out = [
    `Peeking (run ${runName(r)}): checking ${r.result.looks} times turned a ${pct(r.result.fixedFprOneLook)} false positive rate into ${pct(r.result.fixedFpr)}; the mSPRT stayed at ${pct(r.result.sequentialFpr)}.`,
    `SRM: losing ${pct(Number(r.settings.srmLoss))} of treatment non-converters tripped the check in ${pct(r.result.srmDetection)} of experiments (false alarms without the bug: ${pct(r.result.srmFalseAlarm)}) and faked a lift of ${(100 * r.result.srmLift).toFixed(2)} points.`,
    `Simpson: overall treatment ${pct(r.result.simpsonTreatment, 2)} vs control ${pct(r.result.simpsonControl, 2)}${r.result.simpsonParadox ? ', although treatment won in both segments' : ''}.`,
    `Novelty: a 7-day read said +${(100 * r.result.novelty7).toFixed(2)} points, 28 days +${(100 * r.result.novelty28).toFixed(2)}, the lasting lift is +${(100 * r.result.longTermLift).toFixed(2)}.`,
  ];
  const worst = runs.reduce((a, b) => (b.result.fixedFpr > a.result.fixedFpr ? b : a));
  if (runs.length > 1) out.push(`The most peeking you tried (${worst.result.looks} looks) gave ${pct(worst.result.fixedFpr)} false positives.`);
  return out;
}
