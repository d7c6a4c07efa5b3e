/**
 * Simpson's paradox in an A/B test: two segments with different base rates, a treatment that
 * helps in each, and arms that received the segments in different proportions (a targeting or
 * ramp-up bug). Overall rate of an arm = w·r_low + (1 − w)·r_high, with w its low-segment share,
 * so a large enough mix difference makes the better arm look worse in total.
 */
import { mulberry32 } from '../core/rng';
import { checkFinite, checkInteger, checkOpenUnit, fail } from './errors';
import { normalSampler, sampleBinomial } from '../math/random';

export interface SimpsonSettings {
  /** Users per arm. */
  usersPerArm: number;
  /** Control conversion in the low segment (say, mobile) and the high segment (desktop). */
  lowRate: number;
  highRate: number;
  /** Absolute lift the treatment gives in each segment. */
  lift: number;
  /** Share of each arm's users who are in the low segment. */
  lowShareControl: number;
  lowShareTreatment: number;
  seed: number;
}

export interface SegmentCounts {
  users: number;
  conversions: number;
  rate: number;
}

export interface SimpsonResult {
  control: { low: SegmentCounts; high: SegmentCounts; all: SegmentCounts };
  treatment: { low: SegmentCounts; high: SegmentCounts; all: SegmentCounts };
  /** Treatment ahead in both segments and behind overall (observed). */
  paradox: boolean;
  /** The same comparison in expectation (no sampling noise). */
  expected: { controlAll: number; treatmentAll: number; paradox: boolean };
}

export function validateSimpson(s: SimpsonSettings): void {
  checkInteger('usersPerArm', s.usersPerArm, 10);
  checkOpenUnit('lowRate', s.lowRate);
  checkOpenUnit('highRate', s.highRate);
  checkFinite('lift', s.lift);
  if (!(s.lowRate + s.lift > 0 && s.lowRate + s.lift < 1 && s.highRate + s.lift > 0 && s.highRate + s.lift < 1)) fail('rates plus lift must stay in (0, 1)');
  checkOpenUnit('lowShareControl', s.lowShareControl);
  checkOpenUnit('lowShareTreatment', s.lowShareTreatment);
}

/** Expected overall rates for a mix: w·r_low + (1 − w)·r_high per arm. */
export function expectedOverallRates(s: Omit<SimpsonSettings, 'usersPerArm' | 'seed'>): { controlAll: number; treatmentAll: number; paradox: boolean } {
  const controlAll = s.lowShareControl * s.lowRate + (1 - s.lowShareControl) * s.highRate;
  const treatmentAll = s.lowShareTreatment * (s.lowRate + s.lift) + (1 - s.lowShareTreatment) * (s.highRate + s.lift);
  return { controlAll, treatmentAll, paradox: s.lift > 0 && treatmentAll < controlAll };
}

export function simulateSimpson(s: SimpsonSettings): SimpsonResult {
  validateSimpson(s);
  const rng = mulberry32(s.seed);
  const normal = normalSampler(rng);
  const arm = (share: number, lift: number) => {
    const lowUsers = sampleBinomial(s.usersPerArm, share, rng, normal);
    const highUsers = s.usersPerArm - lowUsers;
    const lowConv = sampleBinomial(lowUsers, s.lowRate + lift, rng, normal);
    const highConv = sampleBinomial(highUsers, s.highRate + lift, rng, normal);
    const seg = (users: number, conversions: number): SegmentCounts => ({ users, conversions, rate: users ? conversions / users : 0 });
    return { low: seg(lowUsers, lowConv), high: seg(highUsers, highConv), all: seg(s.usersPerArm, lowConv + highConv) };
  };
  const control = arm(s.lowShareControl, 0);
  const treatment = arm(s.lowShareTreatment, s.lift);
  const paradox = treatment.low.rate > control.low.rate && treatment.high.rate > control.high.rate && treatment.all.rate < control.all.rate;
  return { control, treatment, paradox, expected: expectedOverallRates(s) };
}
