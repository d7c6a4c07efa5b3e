/**
 * The pitfalls lab in one simulation: peeking (fixed-horizon vs always-valid tests under repeated
 * looks), sample ratio mismatch, Simpson's paradox and a novelty effect.
 */
import { deriveSeed, mulberry32 } from '../core/rng';
import { checkFinite, checkInteger, checkOpenUnit, fail } from './errors';
import { srmTest, twoProportionZTest } from './hypothesis';
import { normalSampler, sampleBinomial } from '../math/random';
import { quietContext, type TaskContext } from '../core/task';
import { simulateAATests } from './simulate';
import { simulateNovelty, type NoveltyResult } from './novelty';
import { simulateSimpson, type SimpsonResult } from './simpson';

/** Stats engines (Statsig, Eppo, GrowthBook) alert on sample ratio mismatch at p < 0.001. */
export const SRM_ALERT_P = 0.001;
const LOOK_LADDER = [1, 2, 3, 5, 10, 20, 50, 100, 200];

export interface PitfallSettings {
  /** Peeking: simulated A/A experiments per point. */
  aaRuns: number;
  usersPerArm: number;
  /** Interim analyses of each experiment. */
  looks: number;
  rate: number;
  alpha: number;
  /** SRM: share of treatment users the bug silently drops (all of them non-converters). */
  srmLoss: number;
  /** Simpson: share of low-rate (mobile) users in control and in treatment. */
  mobileShareControl: number;
  mobileShareTreatment: number;
  /** Novelty: extra lift on day 1 and how many days it takes to fade to 1/e. */
  noveltyLift: number;
  decayDays: number;
  seed: number;
}

export interface PitfallResult {
  /** Look counts simulated and the false positive rate of each method there. */
  lookCounts: Float64Array;
  fixedFpr: Float64Array;
  sequentialFpr: Float64Array;
  /** At the chosen number of looks: share of runs already declared significant by look k. */
  cumulativeFixed: Float64Array;
  cumulativeSequential: Float64Array;
  srm: {
    experiments: number;
    /** Share of experiments with the bug where the SRM check fired (p < 0.001). */
    detectionRate: number;
    /** Share without the bug where it fired anyway. */
    falseAlarmRate: number;
    /** Conversion z-test false positive rate in these A/A tests, with and without the bug. */
    fprWithBug: number;
    fprWithoutBug: number;
    /** Mean observed pB − pA with the bug (the truth is 0). */
    meanLiftWithBug: number;
  };
  simpson: SimpsonResult;
  novelty: NoveltyResult;
}

export const SIMPSON_RATES = { lowRate: 0.04, highRate: 0.2, lift: 0.01 };
export const NOVELTY_BASE = { days: 28, usersPerDay: 4000, baselineRate: 0.1, longTermLift: 0.002 };
export const SRM_EXPERIMENTS = 1000;

export function validatePitfalls(s: PitfallSettings): void {
  checkInteger('aaRuns', s.aaRuns, 10);
  checkInteger('looks', s.looks, 1);
  if (s.looks > 200) fail(`looks must be at most 200, got ${s.looks}`);
  checkInteger('usersPerArm', s.usersPerArm, s.looks);
  if (s.aaRuns * s.looks > 2_000_000) fail(`aaRuns × looks must be at most 2,000,000 to finish in seconds, got ${s.aaRuns * s.looks}`);
  checkOpenUnit('rate', s.rate);
  checkOpenUnit('alpha', s.alpha);
  if (!(s.srmLoss >= 0 && s.srmLoss < 0.5)) fail(`srmLoss must lie in [0, 0.5), got ${s.srmLoss}`);
  checkOpenUnit('mobileShareControl', s.mobileShareControl);
  checkOpenUnit('mobileShareTreatment', s.mobileShareTreatment);
  checkFinite('noveltyLift', s.noveltyLift);
  if (!(s.decayDays > 0 && s.decayDays <= 365)) fail(`decayDays must lie in (0, 365], got ${s.decayDays}`);
  checkFinite('seed', s.seed);
}

export async function simulatePitfalls(s: PitfallSettings, ctx: TaskContext = quietContext): Promise<PitfallResult> {
  validatePitfalls(s);
  const ladder = [...new Set([...LOOK_LADDER.filter((l) => l < s.looks), s.looks])];
  const steps = 2 * ladder.length + 1;
  const fixedFpr = new Float64Array(ladder.length);
  const sequentialFpr = new Float64Array(ladder.length);
  let cumulativeFixed = new Float64Array(0);
  let cumulativeSequential = new Float64Array(0);
  const base = { runs: s.aaRuns, usersPerArm: s.usersPerArm, rate: s.rate, alpha: s.alpha, seed: s.seed };
  const cumulative = (byLook: Int32Array) => {
    const out = new Float64Array(byLook.length);
    let c = 0;
    for (let k = 0; k < byLook.length; k++) out[k] = (c += byLook[k]) / s.aaRuns;
    return out;
  };
  for (let i = 0; i < ladder.length; i++) {
    const f = simulateAATests({ ...base, looks: ladder[i], method: 'fixed' });
    fixedFpr[i] = f.falsePositiveRate;
    await ctx.tick((2 * i + 1) / steps);
    const q = simulateAATests({ ...base, looks: ladder[i], method: 'sequential' });
    sequentialFpr[i] = q.falsePositiveRate;
    await ctx.tick((2 * i + 2) / steps);
    if (ladder[i] === s.looks) {
      cumulativeFixed = cumulative(f.rejectionsByLook);
      cumulativeSequential = cumulative(q.rejectionsByLook);
    }
  }
  const srm = simulateSrm(s);
  const simpson = simulateSimpson({ usersPerArm: 20_000, ...SIMPSON_RATES, lowShareControl: s.mobileShareControl, lowShareTreatment: s.mobileShareTreatment, seed: deriveSeed(s.seed, 7001) });
  const novelty = simulateNovelty({ ...NOVELTY_BASE, noveltyLift: s.noveltyLift, decayDays: s.decayDays, alpha: s.alpha, seed: deriveSeed(s.seed, 7002) });
  await ctx.tick(1);
  return { lookCounts: Float64Array.from(ladder), fixedFpr, sequentialFpr, cumulativeFixed, cumulativeSequential, srm, simpson, novelty };
}

/**
 * A/A experiments with usersPerArm expected per arm under a 50/50 split; in the buggy copy the
 * treatment arm silently loses a share srmLoss of its non-converting users (a crash on slow
 * devices, a redirect that drops bounces), which both trips the SRM check and fakes a lift.
 */
export function simulateSrm(s: Pick<PitfallSettings, 'usersPerArm' | 'rate' | 'alpha' | 'srmLoss' | 'seed'>, experiments = SRM_EXPERIMENTS): PitfallResult['srm'] {
  let detected = 0;
  let falseAlarms = 0;
  let fpBug = 0;
  let fpClean = 0;
  let lift = 0;
  for (let e = 0; e < experiments; e++) {
    const rng = mulberry32(deriveSeed(s.seed, 50_000 + e));
    const normal = normalSampler(rng);
    const total = 2 * s.usersPerArm;
    const nA = sampleBinomial(total, 0.5, rng, normal);
    const nB = total - nA;
    const cA = sampleBinomial(nA, s.rate, rng, normal);
    const cB = sampleBinomial(nB, s.rate, rng, normal);
    const lost = sampleBinomial(nB - cB, s.srmLoss, rng, normal);
    if (srmTest([nA, nB - lost], [0.5, 0.5]).pValue < SRM_ALERT_P) detected++;
    if (srmTest([nA, nB], [0.5, 0.5]).pValue < SRM_ALERT_P) falseAlarms++;
    const bug = twoProportionZTest(cA, nA, cB, nB - lost);
    if (bug.pValue < s.alpha) fpBug++;
    if (twoProportionZTest(cA, nA, cB, nB).pValue < s.alpha) fpClean++;
    lift += bug.diff;
  }
  return {
    experiments,
    detectionRate: detected / experiments,
    falseAlarmRate: falseAlarms / experiments,
    fprWithBug: fpBug / experiments,
    fprWithoutBug: fpClean / experiments,
    meanLiftWithBug: lift / experiments,
  };
}
