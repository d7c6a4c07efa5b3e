/**
 * Always-valid sequential testing: the mixture sequential probability ratio test (mSPRT) of
 * Robbins (1970), as used by Johari, Koomen, Pekelis & Walsh, "Always valid inference" (2017/2022)
 * and Optimizely's stats engine.
 *
 * With d the observed difference in means and V its variance at the current sample size, the
 * likelihood ratio of "θ ~ N(0, τ²)" against "θ = 0", for d ~ N(θ, V), is
 *   Λ = √(V/(V + τ²)) · exp(τ²·d² / (2V(V + τ²))).
 * Under H0, Λ is a nonnegative martingale with mean 1, so by Ville's inequality
 * P(Λ ever ≥ 1/α) ≤ α: the test may be checked after every user. The always-valid p-value is
 * the running minimum of min(1, 1/Λ).
 */
import { fail } from './errors';

/** ln Λ for observed difference d with variance V under the N(0, τ²) mixture. */
export function msprtLogLikelihoodRatio(diff: number, variance: number, mixingVariance: number): number {
  if (!(variance > 0)) return 0; // no information yet (e.g. no conversions in either arm)
  const vt = variance + mixingVariance;
  return 0.5 * Math.log(variance / vt) + (mixingVariance * diff * diff) / (2 * variance * vt);
}

/**
 * The ratio r = τ²/V at which the mixture boundary on |d|/√V is narrowest. Rejection needs
 * z² ≥ (1 + 1/r)(A + ln(1 + r)) with A = 2 ln(1/α); setting the derivative in r to zero gives
 * r = A + ln(1 + r), solved by fixed-point iteration (r ≈ 8.21 for α = 0.05). This is
 * Howard et al. (2021), "Time-uniform, nonparametric, nonasymptotic confidence sequences", eq. 3.
 */
export function optimalMixingRatio(alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) fail(`alpha must lie strictly between 0 and 1, got ${alpha}`);
  const a = -2 * Math.log(alpha);
  let r = a;
  for (let i = 0; i < 100; i++) r = a + Math.log1p(r);
  return r;
}

/**
 * Default mixing variance τ² for a two-proportion A/B test: the boundary is tuned to be narrowest
 * at the planned final sample, where the null variance of pB − pA is V = 2·rate·(1 − rate)/n.
 * τ ≈ √(8.2·V) is then about 1.5× the effect a fixed-horizon test at that n could just detect.
 */
export function defaultMixingVariance(rate: number, usersPerArm: number, alpha: number): number {
  return (optimalMixingRatio(alpha) * 2 * rate * (1 - rate)) / usersPerArm;
}

export interface MsprtResult {
  /** ln Λ at this look. */
  logLikelihoodRatio: number;
  /** min(1, 1/Λ) at this look; take the running minimum over looks for the always-valid p-value. */
  pValue: number;
  /** Λ ≥ 1/α. */
  reject: boolean;
}

/**
 * mSPRT for two proportions at one look, with the pooled (null) variance
 * V = p̄(1 − p̄)(1/nA + 1/nB) plugged in, as a z-test would use.
 */
export function msprtTwoProportion(
  successesA: number,
  nA: number,
  successesB: number,
  nB: number,
  mixingVariance: number,
  alpha = 0.05,
): MsprtResult {
  if (!(mixingVariance > 0)) fail(`mixingVariance must be > 0, got ${mixingVariance}`);
  if (!(nA > 0 && nB > 0)) fail('each arm needs at least one user');
  if (successesA < 0 || successesB < 0 || successesA > nA || successesB > nB) fail('successes must lie in [0, n]');
  const pooled = (successesA + successesB) / (nA + nB);
  const v = pooled * (1 - pooled) * (1 / nA + 1 / nB);
  const llr = msprtLogLikelihoodRatio(successesB / nB - successesA / nA, v, mixingVariance);
  return { logLikelihoodRatio: llr, pValue: Math.min(1, Math.exp(-llr)), reject: llr >= -Math.log(alpha) };
}
