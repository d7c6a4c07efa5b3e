/**
 * The truncated normal pieces TPE's Parzen estimators need, in log space where tails matter:
 * log(Φ(b) − Φ(a)), the log density, and inverse-cdf sampling. After Optuna's _truncnorm.py.
 */
import { normalCdf, normalQuantile, normalSf } from '../stats/dist';

export const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln(1 − Φ(x)); beyond x = 30 the asymptotic series −x²/2 − ln(x√(2π)) + ln(1 − 1/x² + 3/x⁴). */
export function logNormalSf(x: number): number {
  if (x < 30) return Math.log(normalSf(x));
  const x2 = x * x;
  return -0.5 * x2 - Math.log(x) - LOG_SQRT_2PI + Math.log1p(-1 / x2 + 3 / (x2 * x2));
}

/** ln(Φ(b) − Φ(a)) for a ≤ b: both in one tail via the survival function, else 1 minus the two tails. */
export function logGaussMass(a: number, b: number): number {
  if (b <= 0) return logGaussMass(-b, -a);
  if (a >= 0) {
    const la = logNormalSf(a);
    const lb = logNormalSf(b);
    return la + Math.log1p(-Math.exp(lb - la));
  }
  return Math.log1p(-(normalCdf(a) + normalSf(b)));
}

/** Log density at x of N(mu, sigma²) truncated to [low, high]. */
export function truncNormLogPdf(x: number, mu: number, sigma: number, low: number, high: number): number {
  const z = (x - mu) / sigma;
  return -0.5 * z * z - LOG_SQRT_2PI - Math.log(sigma) - logGaussMass((low - mu) / sigma, (high - mu) / sigma);
}

/** A draw of N(mu, sigma²) truncated to [low, high] by the inverse cdf, from a uniform u in [0, 1). */
export function truncNormSample(u: number, mu: number, sigma: number, low: number, high: number): number {
  const pa = normalCdf((low - mu) / sigma);
  const pb = normalCdf((high - mu) / sigma);
  const x = mu + sigma * normalQuantile(pa + u * (pb - pa));
  return Math.min(high, Math.max(low, x));
}
