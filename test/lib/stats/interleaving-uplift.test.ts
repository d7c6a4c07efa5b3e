import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/lib/core/rng';
import { simulateInterleaving, teamDraftInterleave } from '../../../src/lib/stats/interleaving';
import { fitLogistic, sigmoid } from '../../../src/lib/math/logistic';
import { qiniCurve, simulateUplift, upliftTruth } from '../../../src/lib/stats/uplift';

describe('teamDraftInterleave', () => {
  it('shows each document once, alternates fairly (team sizes differ by at most 1 in every prefix pair), and keeps each team’s order', () => {
    const rng = mulberry32(1);
    const a = [0, 1, 2, 3, 4, 5, 6, 7];
    const b = [7, 6, 5, 4, 3, 2, 1, 0];
    for (let t = 0; t < 50; t++) {
      const { list, team } = teamDraftInterleave(a, b, 6, rng);
      expect(new Set(list).size).toBe(6);
      for (let k = 2; k <= 6; k += 2) expect(team.slice(0, k).filter((x) => x === 0).length).toBe(k / 2);
      const fromA = list.filter((_, i) => team[i] === 0);
      expect(fromA).toEqual([...fromA].sort((x, y) => a.indexOf(x) - a.indexOf(y)));
    }
  });

  it('of identical rankings returns that ranking', () => {
    const { list } = teamDraftInterleave([3, 1, 2, 0], [3, 1, 2, 0], 4, mulberry32(2));
    expect(list).toEqual([3, 1, 2, 0]);
  });
});

describe('simulateInterleaving', () => {
  it('with equal rankers both tests reject about alpha of the time (an A/A check)', async () => {
    const r = await simulateInterleaving({ noiseA: 1, noiseB: 1, positionBias: 1, maxQueries: 500, replicates: 400, alpha: 0.05, seed: 3 });
    const last = r.queries.length - 1;
    const tol = 4 * Math.sqrt((0.05 * 0.95) / 400);
    expect(Math.abs(r.interleavingPower[last] - 0.05)).toBeLessThan(tol);
    expect(Math.abs(r.abPower[last] - 0.05)).toBeLessThan(tol);
    expect(Math.abs(r.winShareB - 0.5)).toBeLessThan(0.02);
  });

  it('with a better ranker B, interleaving detects it with fewer queries than the A/B split', async () => {
    const r = await simulateInterleaving({ noiseA: 2, noiseB: 0.5, positionBias: 1, maxQueries: 500, replicates: 100, alpha: 0.05, seed: 4 });
    for (let i = 0; i < r.queries.length; i++) expect(r.interleavingPower[i]).toBeGreaterThanOrEqual(r.abPower[i] - 0.1);
    expect(r.interleavingPower.at(-1)).toBeGreaterThan(0.9);
    expect(r.clicksB).toBeGreaterThan(r.clicksA);
  });
});

describe('fitLogistic', () => {
  it('with one binary feature matches the closed-form MLE: β0 = logit(p0), β1 = logit(p1) − logit(p0)', () => {
    // Group 0: 30 of 100 positive; group 1: 70 of 200 positive.
    const rows: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 300; i++) {
      const g = i < 100 ? 0 : 1;
      rows.push(1, g);
      y.push(g === 0 ? (i < 30 ? 1 : 0) : i - 100 < 70 ? 1 : 0);
    }
    const beta = fitLogistic(Float64Array.from(rows), y, 2, { l2: 0 });
    const logit = (p: number) => Math.log(p / (1 - p));
    expect(beta[0]).toBeCloseTo(logit(0.3), 9);
    expect(beta[1]).toBeCloseTo(logit(0.35) - logit(0.3), 9);
    expect(sigmoid(beta[0] + beta[1])).toBeCloseTo(0.35, 9);
  });
});

describe('uplift', () => {
  it('qiniCurve follows Y_T − Y_C·N_T/N_C on a hand-made example', () => {
    // order 0..5; treated flags and outcomes chosen by hand.
    const treated = [1, 0, 1, 0, 1, 0];
    const y = [1, 0, 1, 1, 0, 0];
    const q = qiniCurve([0, 1, 2, 3, 4, 5], treated, y, 3);
    expect(Array.from(q)).toEqual([0, 1 - 0 * 1, 2 - 1 * (2 / 2), 2 - 1 * (3 / 3)]);
  });

  it('the T-learner finds the persuadables: its Qini area is positive, near the oracle, above the S-learner', async () => {
    const s = { users: 40000, persuadableShare: 0.2, persuadableLift: 0.1, sleepingDogShare: 0.2, sleepingDogHarm: 0.02, costPerContact: 1, valuePerConversion: 30, seed: 6 };
    const r = await simulateUplift(s);
    expect(r.qiniAreaT).toBeGreaterThan(0.7 * r.qiniAreaOracle);
    expect(r.qiniAreaT).toBeGreaterThan(r.qiniAreaS);
    expect(r.bestProfitT).toBeGreaterThan(r.profitTreatAll);
    // Expected incremental conversions from treating everyone: n·(0.2·0.1 − P(sleeping dog)·0.02), P = 0.8·0.2.
    const expected = r.testUsers * (0.2 * 0.1 - 0.8 * 0.2 * 0.02);
    expect(Math.abs(r.incrementalTreatAll - expected)).toBeLessThan(0.1 * Math.abs(expected));
    expect(upliftTruth(s, 0.9, 0.1)).toEqual([0.03 + 0.012, 0.03 + 0.012 + 0.1]);
  });
});
