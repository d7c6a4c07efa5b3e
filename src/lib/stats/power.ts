/** Sample size for a two-sided, two-proportion test with an absolute minimum detectable effect. */
import { normalQuantile } from './dist';
import { checkFinite, checkOpenUnit, fail } from './errors';

export interface SampleSizeOptions {
  /** Conversion rate of control, in (0, 1). */
  baselineRate: number;
  /** Absolute difference to detect, pB − pA (0.01 = one percentage point); may be negative. */
  minDetectableEffect: number;
  /** Two-sided significance level; default 0.05. */
  alpha?: number;
  /** Probability of detecting the effect when it is real; default 0.8. */
  power?: number;
  /**
   * 'pooled' (default): the formula that matches twoProportionZTest, pooled variance under H0 and
   * unpooled under H1. 'cohens-h': the arcsine effect size h = 2·asin√p2 − 2·asin√p1, whose
   * estimate has variance 1/n per arm, so n = 2·((z_{1−α/2} + z_power)/h)², as statsmodels'
   * NormalIndPower(effect_size=h, ratio=1).
   */
  method?: 'pooled' | 'cohens-h';
}

/**
 * Users per arm (rounded up). With p1 = baselineRate, p2 = p1 + δ, p̄ = (p1 + p2)/2:
 *   n = (z_{1−α/2}·√(2·p̄(1−p̄)) + z_power·√(p1(1−p1) + p2(1−p2)))² / δ²
 * (Fleiss, Statistical Methods for Rates and Proportions, without continuity correction). The
 * test rejects when |p̂2 − p̂1| > z_{1−α/2}·√(2p̄q̄/n); under H1 the difference has variance
 * (p1q1 + p2q2)/n, which gives the formula (the far tail, below 1e-6 here, is ignored).
 */
export function requiredSampleSize(options: SampleSizeOptions): number {
  const { baselineRate: p1, minDetectableEffect: delta, alpha = 0.05, power = 0.8, method = 'pooled' } = options;
  checkOpenUnit('baselineRate', p1);
  checkFinite('minDetectableEffect', delta);
  if (delta === 0) fail('minDetectableEffect must be non-zero');
  const p2 = p1 + delta;
  if (!(p2 > 0 && p2 < 1)) fail(`baselineRate + minDetectableEffect must lie in (0, 1), got ${p2}`);
  checkOpenUnit('alpha', alpha);
  checkOpenUnit('power', power);
  const zAlpha = normalQuantile(1 - alpha / 2);
  const zPower = normalQuantile(power);
  let n: number;
  if (method === 'cohens-h') {
    const h = 2 * Math.asin(Math.sqrt(p2)) - 2 * Math.asin(Math.sqrt(p1));
    n = 2 * ((zAlpha + zPower) / h) ** 2;
  } else if (method === 'pooled') {
    const pBar = (p1 + p2) / 2;
    const num = zAlpha * Math.sqrt(2 * pBar * (1 - pBar)) + zPower * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
    n = (num * num) / (delta * delta);
  } else {
    fail(`unknown method '${String(method)}'`);
  }
  // Guard against 1000.0000000001 becoming 1001 through rounding noise.
  return Math.ceil(n * (1 - 1e-12));
}
