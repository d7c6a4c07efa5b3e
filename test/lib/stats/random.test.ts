import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/lib/core/rng';
import {
  betaInc,
  gammaP,
  lnGamma,
  normalCdf,
  normalSampler,
  sampleBeta,
  sampleBinomial,
  sampleGamma,
  srmTest,
} from '../../../src/lib/stats';
import { ksCritical01, ksStatistic } from './ks';

const N = 20_000;

function draws(f: () => number, n = N): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f();
  return out;
}

describe('seeded samplers (fixed seeds, KS at the 1% level against the scipy-checked cdfs)', () => {
  it('normalSampler draws N(0, 1)', () => {
    const rng = mulberry32(1);
    const xs = draws(normalSampler(rng));
    expect(ksStatistic(xs, normalCdf)).toBeLessThan(ksCritical01(N));
  });

  it('sampleGamma (Marsaglia–Tsang) draws Gamma(k, 1) for k = 0.3, 1, 3.7, 60', () => {
    for (const [i, k] of [0.3, 1, 3.7, 60].entries()) {
      const rng = mulberry32(10 + i);
      const normal = normalSampler(rng);
      const xs = draws(() => sampleGamma(k, rng, normal));
      expect(ksStatistic(xs, (x) => gammaP(k, Math.max(x, 0))), `shape ${k}`).toBeLessThan(ksCritical01(N));
    }
  });

  it('sampleBeta draws Beta(a, b), as Thompson sampling needs', () => {
    for (const [i, [a, b]] of [[1, 1], [2, 30], [150, 850]].entries()) {
      const rng = mulberry32(20 + i);
      const normal = normalSampler(rng);
      const xs = draws(() => sampleBeta(a, b, rng, normal));
      expect(ksStatistic(xs, (x) => betaInc(Math.min(Math.max(x, 0), 1), a, b)), `Beta(${a}, ${b})`).toBeLessThan(
        ksCritical01(N),
      );
    }
  });

  it('sampleBinomial follows the exact Binomial pmf (chi-square p > 0.001) on both of its code paths', () => {
    // (10, 0.3) and (40, 0.97) use inversion; (1000, 0.1) and (100000, 0.5) the beta-splitting recursion.
    for (const [i, [n, p]] of [[10, 0.3], [40, 0.97], [1000, 0.1], [100000, 0.5]].entries()) {
      const rng = mulberry32(30 + i);
      const normal = normalSampler(rng);
      const xs = draws(() => sampleBinomial(n, p, rng, normal));
      const logPmf = (k: number) =>
        lnGamma(n + 1) - lnGamma(k + 1) - lnGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
      // Bins over the central range with expected count ≥ 5; each tail merged into its end bin.
      const mean = n * p;
      const sd = Math.sqrt(n * p * (1 - p));
      const lo = Math.max(0, Math.floor(mean - 4 * sd));
      const hi = Math.min(n, Math.ceil(mean + 4 * sd));
      const shares: number[] = [];
      const counts: number[] = [];
      for (let k = lo; k <= hi; k++) {
        shares.push(Math.exp(logPmf(k)));
        counts.push(0);
      }
      for (const x of xs) counts[Math.min(Math.max(x, lo), hi) - lo]++;
      const total = shares.reduce((s, v) => s + v, 0);
      const bins: number[] = [];
      const binShares: number[] = [];
      let accC = 0;
      let accS = 0;
      for (let j = 0; j < shares.length; j++) {
        accC += counts[j];
        accS += shares[j] / total;
        if (accS * N >= 5 || j === shares.length - 1) {
          bins.push(accC);
          binShares.push(accS);
          accC = 0;
          accS = 0;
        }
      }
      binShares[binShares.length - 1] += 1 - binShares.reduce((s, v) => s + v, 0);
      expect(srmTest(bins, binShares).pValue, `Binomial(${n}, ${p})`).toBeGreaterThan(0.001);
      let m = 0;
      for (const x of xs) m += x / N;
      expect(Math.abs(m - mean)).toBeLessThan((4 * sd) / Math.sqrt(N));
    }
  });

  it('the same seed gives the same draws', () => {
    const a = mulberry32(99);
    const b = mulberry32(99);
    const na = normalSampler(a);
    const nb = normalSampler(b);
    expect(sampleBinomial(5000, 0.2, a, na)).toBe(sampleBinomial(5000, 0.2, b, nb));
    expect(sampleBeta(3, 4, a, na)).toBe(sampleBeta(3, 4, b, nb));
  });
});
