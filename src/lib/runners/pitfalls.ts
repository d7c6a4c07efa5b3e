/** Lab "Experiment pitfalls": peeking against a sequential test, a sample ratio mismatch, Simpson’s paradox and a novelty effect, each simulated. */
import type { Field } from '../core/fields';
import { runStage } from '../core/task';
import { simulatePitfalls, validatePitfalls, type PitfallSettings, type PitfallResult } from '../stats/pitfalls';

export const defaults: PitfallSettings = {
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
  { key: 'aaRuns', label: 'A/A experiments', kind: 'number', explain: 'Simulated experiments with no effect, per number of looks.', min: 10, max: 50000, integer: true, group: 'Peeking' },
  { key: 'usersPerArm', label: 'Users per arm', kind: 'number', explain: 'Planned sample size at the final look.', min: 10, max: 10_000_000, integer: true },
  { key: 'looks', label: 'Looks', kind: 'number', explain: 'How often you check the dashboard, evenly spaced (1 = only at the end).', min: 1, max: 200, integer: true },
  { key: 'rate', label: 'Conversion rate', kind: 'number', explain: 'Both arms convert at this rate: any “win” is a false positive.', min: 0.001, max: 0.999 },
  { key: 'alpha', label: 'Alpha', kind: 'number', explain: 'Significance level of every test on this page.', min: 0.0001, max: 0.5 },
  { key: 'srmLoss', label: 'Treatment users lost by a bug', kind: 'number', explain: 'Share of non-converting treatment users silently dropped from the logs.', min: 0, max: 0.49, group: 'Sample ratio mismatch' },
  { key: 'mobileShareControl', label: 'Mobile share in control', kind: 'number', explain: 'Mobile converts at 4%, desktop at 20%; treatment adds 1 point to both.', min: 0.001, max: 0.999, group: 'Simpson’s paradox' },
  { key: 'mobileShareTreatment', label: 'Mobile share in treatment', kind: 'number', explain: 'A mix different from control’s (a ramp-up or targeting bug).', min: 0.001, max: 0.999 },
  { key: 'noveltyLift', label: 'Novelty lift on day 1', kind: 'number', explain: 'Extra lift because the feature is new; the lasting lift is 0.2 points.', min: -0.09, max: 0.5, group: 'Novelty effect' },
  { key: 'decayDays', label: 'Novelty fades over (days)', kind: 'number', explain: 'Time for the extra lift to fall to 37% (1/e) of its start.', min: 0.1, max: 365 },
  { key: 'seed', label: 'Seed', kind: 'number', explain: 'Same seed, same simulated users.', min: 0, max: 4294967295, integer: true, group: 'Simulation' },
];

/** Cross-field rules beyond each field's bounds (the library's own check). */
export const validate = (s: PitfallSettings): void => void validatePitfalls(s);

export const run = runStage('simulating peeking, SRM, Simpson and novelty', simulatePitfalls);

/** The few numbers kept with a saved run: what the run table, exercises and summary read. */
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
