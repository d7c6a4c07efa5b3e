/**
 * The experimentation labs' simulations, checked against closed forms and known error rates.
 * Monte Carlo claims use tolerances of about 4 binomial standard errors.
 */
import { describe, expect, it } from 'vitest';
import { requiredSampleSize } from '../../../src/lib/stats';
import { simulateAbTest, type AbTestSettings } from '../../../src/lib/stats/experiment';
import { simulatePitfalls, simulateSrm, type PitfallSettings } from '../../../src/lib/stats/pitfalls';
import { expectedOverallRates, simulateSimpson } from '../../../src/lib/stats/simpson';
import { expectedCumulativeLift, simulateNovelty, trueLiftOnDay } from '../../../src/lib/stats/novelty';
import { simulateCuped } from '../../../src/lib/runners/cuped';
import { simulateBandits, parseRates } from '../../../src/lib/runners/bandits';
import { sizeForPower, histogram } from '../../../src/lib/stats/sim-stats';

const se = (p: number, n: number) => Math.sqrt((p * (1 - p)) / n);

const AB: AbTestSettings = { baselineRate: 0.1, minDetectableEffect: 0.02, alpha: 0.05, power: 0.8, trueEffect: 0.02, revenueSigma: 1, extraMetrics: 9, guardrailHarm: 0, experiments: 3000, seed: 11 };

describe('simulateAbTest', () => {
  it('sizes the test with requiredSampleSize and reaches the planned power and alpha', async () => {
    const r = await simulateAbTest(AB);
    expect(r.usersPerArm).toBe(requiredSampleSize({ baselineRate: 0.1, minDetectableEffect: 0.02 }));
    expect(Math.abs(r.conversionPower - 0.8)).toBeLessThan(4 * se(0.8, 3000));
    expect(Math.abs(r.aaFalsePositiveRate - 0.05)).toBeLessThan(4 * se(0.05, 3000));
    expect(Math.abs(r.ciCoverage - 0.95)).toBeLessThan(4 * se(0.95, 3000));
    // No guardrail harm: flagged as worse about alpha/2 of the time (one side of a two-sided test).
    expect(Math.abs(r.guardrailFlagRate - 0.025)).toBeLessThan(4 * se(0.025, 3000));
  });

  it('family-wise error of m independent null metrics is 1 − (1 − α)^m uncorrected, ≤ α with Bonferroni, = α with BH (Simes)', async () => {
    const r = await simulateAbTest(AB);
    for (const m of [1, 5, 10]) {
      const closed = 1 - 0.95 ** m;
      expect(Math.abs(r.familyErrors.uncorrected[m - 1] - closed)).toBeLessThan(4 * se(closed, 3000));
      expect(r.familyErrors.bonferroni[m - 1]).toBeLessThan(0.05 + 4 * se(0.05, 3000));
      expect(Math.abs(r.familyErrors.benjaminiHochberg[m - 1] - 0.05)).toBeLessThan(4 * se(0.05, 3000));
    }
  });

  it('A/A p-values are uniform: each of 10 bins holds about a tenth', async () => {
    const r = await simulateAbTest({ ...AB, experiments: 4000 });
    const h = histogram(r.aaPValues, 10, 0, 1);
    // The z-test on counts is discrete, so allow 5 standard errors per bin.
    for (const c of h.counts) expect(Math.abs(c / 4000 - 0.1)).toBeLessThan(5 * se(0.1, 4000));
  });

  it('rejects an impossible plan with a message naming the field', async () => {
    await expect(simulateAbTest({ ...AB, trueEffect: 0.95 })).rejects.toThrow(/baselineRate \+ trueEffect/);
    await expect(simulateAbTest({ ...AB, minDetectableEffect: 0.0001, experiments: 20000 })).rejects.toThrow(/experiments: this plan needs/);
  });
});

describe('pitfalls', () => {
  const P: PitfallSettings = { aaRuns: 2000, usersPerArm: 4000, looks: 10, rate: 0.1, alpha: 0.05, srmLoss: 0.1, mobileShareControl: 0.3, mobileShareTreatment: 0.7, noveltyLift: 0.02, decayDays: 4, seed: 5 };

  it('one look keeps alpha; ten looks inflate the fixed test; the mSPRT stays under alpha', async () => {
    const r = await simulatePitfalls(P);
    expect(Array.from(r.lookCounts)).toEqual([1, 2, 3, 5, 10]);
    expect(Math.abs(r.fixedFpr[0] - 0.05)).toBeLessThan(4 * se(0.05, 2000));
    // Armitage et al. (1969): 10 looks at nominal 5% give about 19% overall.
    expect(Math.abs(r.fixedFpr[4] - 0.19)).toBeLessThan(0.04);
    for (const f of r.sequentialFpr) expect(f).toBeLessThanOrEqual(0.05);
    expect(r.cumulativeFixed[9]).toBeCloseTo(r.fixedFpr[4], 12);
  });

  it('SRM: the fake lift matches the closed form rate/(1 − loss·(1 − rate)) − rate, and the check catches a 10% loss', () => {
    const s = simulateSrm({ usersPerArm: 20000, rate: 0.1, alpha: 0.05, srmLoss: 0.1, seed: 3 }, 400);
    const closed = 0.1 / (1 - 0.1 * 0.9) - 0.1;
    expect(Math.abs(s.meanLiftWithBug - closed)).toBeLessThan(0.0005);
    expect(s.detectionRate).toBe(1);
    const clean = simulateSrm({ usersPerArm: 20000, rate: 0.1, alpha: 0.05, srmLoss: 0, seed: 3 }, 2000);
    expect(clean.detectionRate).toBeLessThan(0.006); // alert level 0.001
  });

  it('Simpson: observed rates match w·r_low + (1 − w)·r_high, and the default mix reverses the sign', () => {
    const s = { lowRate: 0.04, highRate: 0.2, lift: 0.01, lowShareControl: 0.3, lowShareTreatment: 0.7 };
    const e = expectedOverallRates(s);
    expect(e.controlAll).toBeCloseTo(0.3 * 0.04 + 0.7 * 0.2, 12);
    expect(e.treatmentAll).toBeCloseTo(0.7 * 0.05 + 0.3 * 0.21, 12);
    expect(e.paradox).toBe(true);
    const r = simulateSimpson({ ...s, usersPerArm: 400_000, seed: 2 });
    expect(r.paradox).toBe(true);
    expect(Math.abs(r.control.all.rate - e.controlAll)).toBeLessThan(4 * se(e.controlAll, 400_000) + 0.002);
    expect(expectedOverallRates({ ...s, lowShareTreatment: 0.3 }).paradox).toBe(false);
  });

  it('novelty: the cumulative estimate tends to the mean true lift, Σ_d (L + N·e^(−d/τ))/D', () => {
    const s = { days: 28, usersPerDay: 200_000, baselineRate: 0.1, longTermLift: 0.002, noveltyLift: 0.02, decayDays: 4, alpha: 0.05, seed: 9 };
    let direct = 0;
    for (let d = 0; d < 7; d++) direct += trueLiftOnDay(s, d) / 7;
    expect(expectedCumulativeLift(s, 7)).toBeCloseTo(direct, 12);
    const r = simulateNovelty(s);
    expect(Math.abs(r.cumulativeLift[6] - direct)).toBeLessThan(4 * Math.sqrt((2 * 0.11 * 0.89) / (7 * 200_000)));
    expect(r.trueLift[27]).toBeCloseTo(0.002 + 0.02 * Math.exp(-27 / 4), 12);
  });
});

describe('simulateCuped', () => {
  it('removes about ρ² of the variance and keeps the A/A false positive rate', async () => {
    for (const rho of [0.5, 0.9]) {
      const r = await simulateCuped({ usersPerArm: 1000, correlation: rho, effect: 0.1, experiments: 400, alpha: 0.05, seed: 4 });
      expect(Math.abs(r.varianceReduction - rho * rho)).toBeLessThan(0.01);
      expect(Math.abs(r.cupedFpr - 0.05)).toBeLessThan(4 * se(0.05, 400));
      expect(r.cupedCiWidth / r.rawCiWidth).toBeCloseTo(Math.sqrt(1 - rho * rho), 1);
      expect(r.cupedPower).toBeGreaterThanOrEqual(r.rawPower);
    }
  });
});

describe('simulateBandits', () => {
  it("the fixed split's mean regret is exactly horizon × mean gap (round robin), and Thompson's is far lower", async () => {
    const r = await simulateBandits({ rates: '0.05, 0.06, 0.08', horizon: 3000, seeds: 20, epsilon: 0.1, seed: 2 });
    const uniform = r.policies.find((p) => p.policy === 'uniform')!;
    expect(uniform.meanRegret[uniform.meanRegret.length - 1]).toBeCloseTo(1000 * (0.03 + 0.02), 6);
    const th = r.policies.find((p) => p.policy === 'thompson')!;
    expect(th.meanRegret[th.meanRegret.length - 1]).toBeLessThan(0.5 * 150);
  });

  it('parseRates explains what is wrong', () => {
    expect(parseRates('0.1, 0.2')).toEqual([0.1, 0.2]);
    expect(() => parseRates('0.1')).toThrow(/at least two/);
    expect(() => parseRates('0.1, 2')).toThrow(/rate 2 must lie in \[0, 1\]/);
  });
});

describe('sizeForPower', () => {
  it('interpolates on log(size) between the ladder points around the target', () => {
    expect(sizeForPower([100, 1000], [0.6, 1.0], 0.8)).toBe(Math.round(Math.sqrt(100 * 1000)));
    expect(sizeForPower([100, 1000], [0.1, 0.5], 0.8)).toBe(0);
  });
});
