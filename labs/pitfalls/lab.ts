import type { PitfallDigest } from '../../src/lib/runners/pitfalls';
import type { Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns } from '../kit/runs';
import { statesNumber, statesShare } from '../kit/answer';
import { pct } from '../../src/lib/core/format';

/** Settings as saved with a run (read by key). */
type Settings = Record<string, number | string>;





const all = (runs: Parameters<Exercise['check']>[0]['runs']) => labRuns<Settings, PitfallDigest>(runs);

const peeking: Exercise = {
  id: 'peeking',
  title: 'Peek until you “win”',
  task: 'The default peeks 20 times. How few looks are enough to do damage? Find 10 or fewer looks at which the fixed-horizon test declares a winner in at least 15% of A/A experiments (3× alpha), while the always-valid mSPRT stays at or under alpha. Use at least 1,000 A/A experiments.',
  check({ runs }) {
    const ok = all(runs).find((r) => Number(r.settings.aaRuns) >= 1000 && r.result.looks <= 10 && r.result.fixedFpr >= 0.15 && r.result.sequentialFpr <= Number(r.settings.alpha));
    if (ok) return { passed: true, runId: ok.id, detail: `Run ${ok.label}: with ${ok.result.looks} looks the fixed test had ${pct(ok.result.fixedFpr)} false positives, mSPRT ${pct(ok.result.sequentialFpr)}.` };
    return { passed: false, detail: 'No run yet with 10 or fewer looks where peeking pushes the fixed test to 15% while mSPRT stays under alpha.' };
  },
};

const srm: Exercise = {
  id: 'srm',
  title: 'How small a leak does the SRM check catch?',
  task: 'Lower the share of treatment users the bug loses until the chi-square SRM check (alert at p < 0.001) catches it in at most half of the experiments, and note the fake lift it still leaves.',
  answerPrompt: 'State the loss you set in a run the check missed in half the experiments or more (e.g. 0.5%), and the fake lift in points that run shows:',
  check({ runs, answers }) {
    const rs = all(runs);
    const misses = rs.filter((r) => Number(r.settings.srmLoss) > 0 && r.result.srmDetection <= 0.5);
    const a = answers['srm'] ?? '';
    const states = (r: (typeof rs)[number]) => statesShare(a, Number(r.settings.srmLoss), 0.0005) && statesNumber(a, 100 * r.result.srmLift, Math.max(0.01, 0.05 * Math.abs(100 * r.result.srmLift)));
    const missed = misses.find(states) ?? misses[0];
    if (!missed) return { passed: false, detail: 'No run yet where the SRM check misses the bug in half the experiments or more.' };
    const found = `Run ${missed.label}: losing ${pct(Number(missed.settings.srmLoss))} of non-converters was caught in ${pct(missed.result.srmDetection)} of experiments, yet faked a lift of ${(100 * missed.result.srmLift).toFixed(2)} points and a false “win” rate of ${pct(missed.result.srmFprWithBug)}.`;
    return states(missed) ? { passed: true, runId: missed.id, detail: found } : { passed: false, runId: missed.id, detail: `${found} Write down the loss and the fake lift of that run.` };
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
    if (paradox && fixed) return { passed: true, runId: fixed.id, detail: `Run ${paradox.label} showed the paradox (overall ${pct(paradox.result.simpsonTreatment)} vs ${pct(paradox.result.simpsonControl)}); with a balanced mix, run ${fixed.label} has treatment ahead overall too (${pct(fixed.result.simpsonTreatment)} vs ${pct(fixed.result.simpsonControl)}).` };
    return { passed: false, detail: `${paradox ? 'You have seen the paradox.' : 'Run the default first to see the paradox.'} ${fixed ? '' : 'Then balance the mobile shares.'}`.trim() };
  },
};

const novelty: Exercise = {
  id: 'novelty',
  title: 'A one-week test and a novelty effect',
  task: 'With a novelty lift of at least 1 point, compare the lift a test read after 7 days would report with the lift the feature keeps.',
  answerPrompt: 'How many times larger was the 7-day estimate than the lasting lift in your run (e.g. 2.5×), and what would you do about it?',
  check({ runs, answers }) {
    const r = all(runs).find((x) => Number(x.settings.noveltyLift) >= 0.01);
    if (!r) return { passed: false, detail: 'No run with a novelty lift of 1 point or more yet.' };
    const ratio = r.result.novelty7 / r.result.longTermLift;
    const found = `Run ${r.label}: after 7 days the estimate was ${(100 * r.result.novelty7).toFixed(2)} points, ${ratio.toFixed(1)}× the lasting ${(100 * r.result.longTermLift).toFixed(2)}; after 28 days ${(100 * r.result.novelty28).toFixed(2)}.`;
    const a = answers['novelty'] ?? '';
    return statesNumber(a, ratio, Math.max(0.1, 0.05 * Math.abs(ratio))) && /(longer|wait|week|holdout|new users|cohort|day|decay|fade)/i.test(a) ? { passed: true, runId: r.id, detail: found } : { passed: false, runId: r.id, detail: `${found} Now answer with your run’s ratio and what you would do.` };
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

export function summarize(records: RunRecord[]): string[] {
  const runs = labRuns<Settings, PitfallDigest>(records);
  if (!runs.length) return [];
  const r = runs[0];
  const out = [
    `Peeking (run ${r.label}): checking ${r.result.looks} times turned a ${pct(r.result.fixedFprOneLook)} false positive rate into ${pct(r.result.fixedFpr)}; the mSPRT stayed at ${pct(r.result.sequentialFpr)}.`,
    `SRM: losing ${pct(Number(r.settings.srmLoss))} of treatment non-converters tripped the check in ${pct(r.result.srmDetection)} of experiments (false alarms without the bug: ${pct(r.result.srmFalseAlarm)}) and faked a lift of ${(100 * r.result.srmLift).toFixed(2)} points.`,
    `Simpson: overall treatment ${pct(r.result.simpsonTreatment, 2)} vs control ${pct(r.result.simpsonControl, 2)}${r.result.simpsonParadox ? ', although treatment won in both segments' : ''}.`,
    `Novelty: a 7-day read said +${(100 * r.result.novelty7).toFixed(2)} points, 28 days +${(100 * r.result.novelty28).toFixed(2)}, the lasting lift is +${(100 * r.result.longTermLift).toFixed(2)}.`,
  ];
  const worst = runs.reduce((a, b) => (b.result.fixedFpr > a.result.fixedFpr ? b : a));
  if (runs.length > 1) out.push(`The most peeking you tried (${worst.result.looks} looks) gave ${pct(worst.result.fixedFpr)} false positives.`);
  return out;
}
