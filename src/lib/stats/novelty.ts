/**
 * A novelty effect: users try a new feature because it is new, and the lift fades. The true lift
 * on day d (0-based) is longTermLift + noveltyLift·exp(−d/decayDays); a test read after D days
 * estimates about the mean of that over days 0..D−1, not the lift the feature keeps.
 */
import { mulberry32 } from '../core/rng';
import { normalQuantile } from './dist';
import { checkFinite, checkInteger, checkOpenUnit, fail } from './errors';
import { normalSampler, sampleBinomial } from '../math/random';

export interface NoveltySettings {
  days: number;
  /** New users per arm per day. */
  usersPerDay: number;
  baselineRate: number;
  /** Absolute lift the feature keeps. */
  longTermLift: number;
  /** Extra absolute lift on day 0, fading with time constant decayDays. */
  noveltyLift: number;
  decayDays: number;
  alpha: number;
  seed: number;
}

export interface NoveltyResult {
  day: Float64Array;
  /** True lift on each day. */
  trueLift: Float64Array;
  /** Observed pB − pA on each day alone. */
  dailyLift: Float64Array;
  /** Observed lift using every user up to and including that day, with its (1 − alpha) Wald interval. */
  cumulativeLift: Float64Array;
  cumulativeLow: Float64Array;
  cumulativeHigh: Float64Array;
}

/** The lift expected on day d. */
export function trueLiftOnDay(s: Pick<NoveltySettings, 'longTermLift' | 'noveltyLift' | 'decayDays'>, d: number): number {
  return s.longTermLift + s.noveltyLift * Math.exp(-d / s.decayDays);
}

/** Expected cumulative estimate after D days (equal traffic per day): the mean of the daily lifts. */
export function expectedCumulativeLift(s: Pick<NoveltySettings, 'longTermLift' | 'noveltyLift' | 'decayDays'>, days: number): number {
  const r = Math.exp(-1 / s.decayDays);
  return s.longTermLift + (s.noveltyLift * (1 - Math.pow(r, days))) / (days * (1 - r));
}

export function validateNovelty(s: NoveltySettings): void {
  checkInteger('days', s.days, 2);
  if (s.days > 365) fail(`days must be at most 365, got ${s.days}`);
  checkInteger('usersPerDay', s.usersPerDay, 10);
  checkOpenUnit('baselineRate', s.baselineRate);
  checkFinite('longTermLift', s.longTermLift);
  checkFinite('noveltyLift', s.noveltyLift);
  if (!(s.decayDays > 0)) fail(`decayDays must be > 0, got ${s.decayDays}`);
  const hi = s.baselineRate + s.longTermLift + Math.max(0, s.noveltyLift);
  const lo = s.baselineRate + s.longTermLift + Math.min(0, s.noveltyLift);
  if (!(lo > 0 && hi < 1)) fail('baselineRate plus the lifts must stay in (0, 1)');
  checkOpenUnit('alpha', s.alpha);
}

export function simulateNovelty(s: NoveltySettings): NoveltyResult {
  validateNovelty(s);
  const rng = mulberry32(s.seed);
  const normal = normalSampler(rng);
  const z = normalQuantile(1 - s.alpha / 2);
  const D = s.days;
  const out: NoveltyResult = {
    day: Float64Array.from({ length: D }, (_, d) => d + 1),
    trueLift: new Float64Array(D),
    dailyLift: new Float64Array(D),
    cumulativeLift: new Float64Array(D),
    cumulativeLow: new Float64Array(D),
    cumulativeHigh: new Float64Array(D),
  };
  let sA = 0;
  let sB = 0;
  let n = 0;
  for (let d = 0; d < D; d++) {
    const lift = trueLiftOnDay(s, d);
    const a = sampleBinomial(s.usersPerDay, s.baselineRate, rng, normal);
    const b = sampleBinomial(s.usersPerDay, s.baselineRate + lift, rng, normal);
    sA += a;
    sB += b;
    n += s.usersPerDay;
    out.trueLift[d] = lift;
    out.dailyLift[d] = (b - a) / s.usersPerDay;
    const pA = sA / n;
    const pB = sB / n;
    const half = z * Math.sqrt((pA * (1 - pA) + pB * (1 - pB)) / n);
    out.cumulativeLift[d] = pB - pA;
    out.cumulativeLow[d] = pB - pA - half;
    out.cumulativeHigh[d] = pB - pA + half;
  }
  return out;
}
