import { describe, expect, it } from 'vitest';
import { srmTest, StatsInputError, twoProportionZTest, welchTTest } from '../../../src/lib/stats';
import { expectClose, refs } from './refs';

describe('twoProportionZTest', () => {
  it('matches statsmodels proportions_ztest (pooled z, two-sided p) and the Wald interval to 1e-12', () => {
    for (const r of refs.twoProportion) {
      const [sA, nA, sB, nB] = r.args;
      const res = twoProportionZTest(sA, nA, sB, nB);
      const label = `z-test ${r.args.join(',')}`;
      expectClose(res.z, r.z, 1e-12, 1e-15, label);
      expectClose(res.pValue, r.pValue, 1e-12, 1e-15, label);
      expectClose(res.diff, r.diff, 1e-12, 1e-15, label);
      expectClose(res.ci[0], r.ci[0], 1e-12, 1e-15, label);
      expectClose(res.ci[1], r.ci[1], 1e-12, 1e-15, label);
      const ci90 = twoProportionZTest(sA, nA, sB, nB, { confidence: 0.9 }).ci;
      expectClose(ci90[0], r.ci90[0], 1e-12, 1e-15, label);
      expectClose(ci90[1], r.ci90[1], 1e-12, 1e-15, label);
    }
  });

  it('gives z > 0 when B converts more, and z = 0, p = 1 when neither arm converts', () => {
    expect(twoProportionZTest(10, 100, 20, 100).z).toBeGreaterThan(0);
    expect(twoProportionZTest(0, 100, 0, 80)).toMatchObject({ z: 0, pValue: 1, diff: 0 });
  });

  it('rejects negative counts, successes above n, empty arms, fractions and NaN', () => {
    expect(() => twoProportionZTest(-1, 10, 1, 10)).toThrow(StatsInputError);
    expect(() => twoProportionZTest(11, 10, 1, 10)).toThrow(/exceeds nA/);
    expect(() => twoProportionZTest(0, 0, 1, 10)).toThrow(/nA must be at least 1/);
    expect(() => twoProportionZTest(1.5, 10, 1, 10)).toThrow(/whole number/);
    expect(() => twoProportionZTest(1, 10, NaN, 10)).toThrow(/finite/);
    expect(() => twoProportionZTest(1, 10, 1, 10, { confidence: 1 })).toThrow(StatsInputError);
  });
});

describe('welchTTest', () => {
  it('matches scipy ttest_ind(b, a, equal_var=False) and statsmodels (df to 1e-12, interval to 1e-8)', () => {
    for (const r of refs.welch) {
      const res = welchTTest(r.a, r.b);
      expectClose(res.t, r.t, 1e-12, 1e-14, `${r.name} t`);
      expectClose(res.t, r.tStatsmodels, 1e-12, 1e-14, `${r.name} t (statsmodels)`);
      expectClose(res.df, r.df, 1e-12, 0, `${r.name} df`);
      expectClose(res.pValue, r.pValue, 1e-10, 1e-15, `${r.name} p`);
      expectClose(res.diff, r.diff, 1e-12, 1e-14, `${r.name} diff`);
      // statsmodels' interval uses scipy's t.ppf, itself good to only ~3e-9 (see dist.test.ts).
      expectClose(res.ci[0], r.ci[0], 1e-8, 1e-12, `${r.name} ci lo`);
      expectClose(res.ci[1], r.ci[1], 1e-8, 1e-12, `${r.name} ci hi`);
    }
  });

  it('flips the sign of t and diff, not p, when the arms are swapped', () => {
    const { a, b } = refs.welch[0];
    const ab = welchTTest(a, b);
    const ba = welchTTest(b, a);
    expect(ba.t).toBeCloseTo(-ab.t, 12);
    expect(ba.diff).toBeCloseTo(-ab.diff, 12);
    expect(ba.pValue).toBeCloseTo(ab.pValue, 14);
  });

  it('accepts Float64Array samples', () => {
    const { a, b, t } = refs.welch[1];
    expectClose(welchTTest(Float64Array.from(a), Float64Array.from(b)).t, t, 1e-12, 0, 'typed arrays');
  });

  it('rejects empty or one-value samples, NaN, and two constant samples', () => {
    expect(() => welchTTest([], [1, 2])).toThrow(/at least 2/);
    expect(() => welchTTest([1], [1, 2])).toThrow(StatsInputError);
    expect(() => welchTTest([1, NaN], [1, 2])).toThrow(/a\[1\]/);
    expect(() => welchTTest([3, 3], [4, 4, 4])).toThrow(/constant/);
  });
});

describe('srmTest', () => {
  it('matches scipy.stats.chisquare to 1e-12 (statistic) and 1e-10 (p-value)', () => {
    for (const r of refs.srm) {
      const res = srmTest(r.observed, r.shares);
      expectClose(res.chi2, r.chi2, 1e-12, 0, `srm ${r.observed}`);
      expectClose(res.pValue, r.pValue, 1e-10, 1e-300, `srm ${r.observed}`);
    }
  });

  it('flags a 50.6/49.4 split of 20,000 users at p < 0.001 and passes an even one', () => {
    expect(srmTest([10120, 9880], [0.5, 0.5]).pValue).toBeGreaterThan(0.05);
    expect(srmTest([10321, 9679], [0.5, 0.5]).pValue).toBeLessThan(0.001);
  });

  it('rejects shares not summing to 1, mismatched lengths, negative counts and zero shares', () => {
    expect(() => srmTest([10, 10], [0.5, 0.5 + 1e-8])).toThrow(/sum to 1/);
    expect(() => srmTest([10, 10], [0.5, 0.5 + 1e-10])).not.toThrow();
    expect(() => srmTest([10, 10, 5], [0.5, 0.5])).toThrow(/3 counts but 2 shares/);
    expect(() => srmTest([10, -1], [0.5, 0.5])).toThrow(StatsInputError);
    expect(() => srmTest([10, 1], [1, 0])).toThrow(/positive/);
    expect(() => srmTest([0, 0], [0.5, 0.5])).toThrow(/at least one/);
  });
});
