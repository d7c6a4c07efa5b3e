/**
 * Seeded samplers built on a uniform Rng (mulberry32): normal (polar Box–Muller), gamma
 * (Marsaglia–Tsang), beta (ratio of gammas) and an exact binomial (inversion for small means,
 * Knuth's beta-splitting recursion for large n, so a draw costs O(log n) whatever n is).
 */
import type { Rng } from '../core/rng';

export type NormalSampler = () => number;

/**
 * One standard normal draw from two uniforms (Box–Muller, cosine branch): √(−2 ln u₁)·cos(2π u₂),
 * u₁ floored at 1e-12 so the log stays finite. For code that draws a normal now and then from a
 * stream it shares with other draws; normalSampler (which keeps the spare value) for long runs of them.
 */
export function gaussian(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Standard normal draws by the polar Box–Muller method; the spare value is kept for the next call. */
export function normalSampler(rng: Rng): NormalSampler {
  let spare = NaN;
  return () => {
    if (!Number.isNaN(spare)) {
      const s = spare;
      spare = NaN;
      return s;
    }
    let u: number;
    let v: number;
    let r: number;
    do {
      u = 2 * rng() - 1;
      v = 2 * rng() - 1;
      r = u * u + v * v;
    } while (r >= 1 || r === 0);
    const f = Math.sqrt((-2 * Math.log(r)) / r);
    spare = v * f;
    return u * f;
  };
}

/**
 * Gamma(shape, 1) by Marsaglia & Tsang (2000): d = shape − ⅓, c = 1/√(9d); accept v = (1 + c·x)³
 * when ln u < x²/2 + d − d·v + d·ln v. Shape < 1 uses Gamma(shape + 1)·u^(1/shape).
 */
export function sampleGamma(shape: number, rng: Rng, normal: NormalSampler): number {
  if (shape < 1) return sampleGamma(shape + 1, rng, normal) * Math.pow(rng(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Beta(a, b) as X/(X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function sampleBeta(a: number, b: number, rng: Rng, normal: NormalSampler): number {
  const x = sampleGamma(a, rng, normal);
  const y = sampleGamma(b, rng, normal);
  return x / (x + y);
}

const INVERSION_MEAN = 20;

/** Binomial(n, p) by sequential inversion of the cdf; used when n·min(p, 1 − p) is small. */
function binomialInversion(n: number, p: number, rng: Rng): number {
  const flip = p > 0.5;
  const pp = flip ? 1 - p : p;
  const ratio = pp / (1 - pp);
  let f = Math.pow(1 - pp, n);
  let u = rng();
  let x = 0;
  while (u > f && x < n) {
    u -= f;
    x++;
    f *= (ratio * (n - x + 1)) / x;
  }
  return flip ? n - x : x;
}

/**
 * Exact Binomial(n, p). For large means, Knuth (TAOCP 3.4.1): the a-th smallest of n uniforms,
 * a = 1 + ⌊n/2⌋, is Beta(a, n + 1 − a); if it lands above p, the count below p is
 * Binomial(a − 1, p/X); otherwise it is a + Binomial(n − a, (p − X)/(1 − X)).
 */
export function sampleBinomial(n: number, p: number, rng: Rng, normal: NormalSampler): number {
  let offset = 0;
  for (;;) {
    if (n === 0 || p <= 0) return offset;
    if (p >= 1) return offset + n;
    if (n * Math.min(p, 1 - p) < INVERSION_MEAN) return offset + binomialInversion(n, p, rng);
    const a = 1 + Math.floor(n / 2);
    const b = n + 1 - a;
    const x = sampleBeta(a, b, rng, normal);
    if (x >= p) {
      n = a - 1;
      p = p / x;
    } else {
      offset += a;
      n = b - 1;
      p = (p - x) / (1 - x);
    }
  }
}
