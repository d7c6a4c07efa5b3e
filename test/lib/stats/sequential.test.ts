import { describe, expect, it } from 'vitest';
import {
  defaultMixingVariance,
  msprtLogLikelihoodRatio,
  msprtTwoProportion,
  optimalMixingRatio,
  simulateAATests,
  StatsInputError,
} from '../../../src/lib/stats';
import { ksCritical01, ksStatistic } from './ks';
import { expectClose, refs } from './refs';

/** Three binomial standard errors around rate p with n runs: the Monte Carlo margin. */
const margin = (p: number, n: number) => 3 * Math.sqrt((p * (1 - p)) / n);

describe('mSPRT', () => {
  it('msprtLogLikelihoodRatio equals the normal-mixture likelihood ratio integrated by scipy quad, to 1e-10', () => {
    for (const [d, v, tau2, llr] of refs.msprt.logLikelihoodRatio) {
      expectClose(msprtLogLikelihoodRatio(d, v, tau2), llr, 1e-10, 1e-12, `d=${d}`);
    }
  });

  it('optimalMixingRatio minimises the rejection boundary on z², as scipy minimize_scalar finds', () => {
    for (const [alpha, r, boundary] of refs.msprt.optimalRatio) {
      const mine = optimalMixingRatio(alpha);
      expectClose(mine, r, 1e-4, 0, `ratio at alpha=${alpha}`);
      const a = -2 * Math.log(alpha);
      expectClose((1 + 1 / mine) * (a + Math.log1p(mine)), boundary, 1e-9, 0, `boundary at alpha=${alpha}`);
    }
  });

  it('msprtTwoProportion rejects exactly when 1/Λ ≤ alpha', () => {
    const tau2 = defaultMixingVariance(0.1, 10_000, 0.05);
    const strong = msprtTwoProportion(1000, 10_000, 1160, 10_000, tau2) // z ≈ 3.7: past the z ≈ 3.03 boundary;
    const weak = msprtTwoProportion(1000, 10_000, 1080, 10_000, tau2); // z ≈ 1.9
    expect(strong.reject).toBe(true);
    expect(strong.pValue).toBeLessThan(0.05);
    expect(weak.reject).toBe(false);
    expect(weak.pValue).toBeGreaterThan(0.05);
    expectClose(strong.pValue, Math.exp(-strong.logLikelihoodRatio), 1e-14, 0, 'p = 1/Λ');
  });
});

describe('simulateAATests', () => {
  it('A/A p-values with one look are uniform (KS against U(0, 1), 4,000 runs)', () => {
    // 100,000 users per arm keeps the atoms of the discrete p-value distribution below 0.4%.
    const { pValues, falsePositiveRate } = simulateAATests({
      runs: 4000, usersPerArm: 100_000, looks: 1, rate: 0.5, alpha: 0.05, method: 'fixed', seed: 11,
    });
    expect(ksStatistic(pValues, (p) => p)).toBeLessThan(ksCritical01(4000));
    expect(Math.abs(falsePositiveRate - 0.05)).toBeLessThan(margin(0.05, 4000));
  });

  it('peeking 10 times at a fixed-horizon test gives the 19% false positive rate of Armitage et al. (1969)', () => {
    // Armitage, McPherson & Rowe: 10 equally spaced looks at a nominal 5% two-sided test → 0.193.
    const res = simulateAATests({ runs: 4000, usersPerArm: 10_000, looks: 10, rate: 0.1, alpha: 0.05, method: 'fixed', seed: 1 });
    expect(Math.abs(res.falsePositiveRate - 0.193)).toBeLessThan(margin(0.193, 4000) + 0.005);
    expect(res.rejectionsByLook.reduce((s, v) => s + v, 0)).toBe(res.falsePositives);
  });

  it('the mSPRT keeps its false positive rate under alpha with 10 looks and with a look after every user', () => {
    const tenLooks = simulateAATests({ runs: 4000, usersPerArm: 10_000, looks: 10, rate: 0.1, alpha: 0.05, method: 'sequential', seed: 1 });
    expect(tenLooks.falsePositiveRate).toBeLessThanOrEqual(0.05 + margin(0.05, 4000));
    const opts = { runs: 1000, usersPerArm: 2000, looks: 2000, rate: 0.1, alpha: 0.05, seed: 2 };
    const seq = simulateAATests({ ...opts, method: 'sequential' });
    const fixed = simulateAATests({ ...opts, method: 'fixed' });
    expect(seq.falsePositiveRate).toBeLessThanOrEqual(0.05 + margin(0.05, 1000));
    expect(fixed.falsePositiveRate).toBeGreaterThan(0.35); // about half of all A/A tests "win" under continuous peeking
  });

  it('always-valid p-values are super-uniform under continuous monitoring: P(p ≤ x) ≤ x', () => {
    const { pValues } = simulateAATests({ runs: 1000, usersPerArm: 1000, looks: 1000, rate: 0.2, alpha: 0.05, method: 'sequential', seed: 5 });
    for (const x of [0.01, 0.05, 0.1, 0.2, 0.5]) {
      const share = pValues.filter((p) => p <= x).length / pValues.length;
      expect(share, `P(p ≤ ${x})`).toBeLessThanOrEqual(x + margin(x, 1000));
    }
  });

  it('is reproducible from its seed and reports the mixing variance it used', () => {
    const opts = { runs: 200, usersPerArm: 1000, looks: 5, rate: 0.3, method: 'sequential' as const, seed: 9 };
    const a = simulateAATests(opts);
    expect(Array.from(simulateAATests(opts).pValues)).toEqual(Array.from(a.pValues));
    expect(a.mixingVariance).toBeCloseTo(defaultMixingVariance(0.3, 1000, 0.05), 15);
  });

  it('rejects fractional runs, more looks than users, rates outside (0, 1) and unknown methods', () => {
    const ok = { runs: 10, usersPerArm: 100, looks: 5, rate: 0.1, method: 'fixed' as const, seed: 1 };
    expect(() => simulateAATests({ ...ok, runs: 2.5 })).toThrow(StatsInputError);
    expect(() => simulateAATests({ ...ok, looks: 200 })).toThrow(/usersPerArm must be at least 200/);
    expect(() => simulateAATests({ ...ok, rate: 1 })).toThrow(/rate/);
    expect(() => simulateAATests({ ...ok, method: 'bayes' as never })).toThrow(/unknown method/);
    expect(() => simulateAATests({ ...ok, mixingVariance: -1 })).toThrow(/mixingVariance/);
  });
});
