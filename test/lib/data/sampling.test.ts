import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/lib/core/rng';
import { chiSquareSf } from '../../../src/lib/stats/dist';
import {
  estimateStats, horvitzThompsonTotal, importanceEstimate, inclusionProbabilities, poissonSample, proportionalAllocation,
  reservoirSample, sampleWithReplacement, simpleRandomSample, stratifiedSample, weightedReservoirSample, SamplingError,
} from '../../../src/lib/data/sampling';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('reservoirSample (Algorithm R)', () => {
  it('keeps every item of a 20-item stream with probability n/N: chi-square over 4,000 seeds does not reject uniformity', () => {
    const N = 20, n = 5, seeds = 4000;
    const counts = new Float64Array(N);
    for (let s = 0; s < seeds; s++) for (const x of reservoirSample(range(N), n, mulberry32(s + 1))) counts[x]++;
    const expected = (seeds * n) / N;
    const chi2 = counts.reduce((a, c) => a + (c - expected) ** 2 / expected, 0);
    expect(chiSquareSf(chi2, N - 1)).toBeGreaterThan(0.001);
    // And it can fail: a reservoir that keeps the first n items is far from uniform.
    const firstN = new Float64Array(N).fill(0);
    for (let i = 0; i < n; i++) firstN[i] = seeds;
    const bad = firstN.reduce((a, c) => a + (c - expected) ** 2 / expected, 0);
    expect(chiSquareSf(bad, N - 1)).toBeLessThan(1e-10);
  });

  it('returns distinct items and the whole stream when it is shorter than the reservoir', () => {
    const r = reservoirSample(range(100), 10, mulberry32(3));
    expect(new Set(r).size).toBe(10);
    expect(reservoirSample([1, 2, 3], 10, mulberry32(3)).sort()).toEqual([1, 2, 3]);
    expect(() => reservoirSample([1], 0, mulberry32(1))).toThrow(SamplingError);
  });
});

describe('weightedReservoirSample (A-Res)', () => {
  it('with n = 1 keeps item i with probability w_i/Σw (chi-square over 6,000 seeds)', () => {
    const w = [1, 2, 3, 4, 10];
    const W = w.reduce((a, b) => a + b, 0);
    const counts = new Float64Array(w.length);
    const seeds = 6000;
    for (let s = 0; s < seeds; s++) counts[weightedReservoirSample(w.map((weight, item) => ({ item, weight })), 1, mulberry32(s + 11))[0]]++;
    const chi2 = w.reduce((a, wi, i) => a + (counts[i] - (seeds * wi) / W) ** 2 / ((seeds * wi) / W), 0);
    expect(chiSquareSf(chi2, w.length - 1)).toBeGreaterThan(0.001);
  });
});

describe('simpleRandomSample and stratifiedSample', () => {
  it('simpleRandomSample draws n distinct indices, each included n/N of the time', () => {
    const N = 10, n = 3, R = 5000;
    const c = new Float64Array(N);
    for (let s = 0; s < R; s++) {
      const idx = simpleRandomSample(N, n, mulberry32(s));
      expect(new Set(idx).size).toBe(n);
      for (const i of idx) c[i]++;
    }
    const e = (R * n) / N;
    expect(chiSquareSf(c.reduce((a, x) => a + (x - e) ** 2 / e, 0), N - 1)).toBeGreaterThan(0.001);
    expect(() => simpleRandomSample(3, 4, mulberry32(1))).toThrow(/larger than/);
  });

  it('proportionalAllocation sums to n by largest remainders: 10 over (50, 30, 20) is (5, 3, 2); 7 is (4, 2, 1)', () => {
    expect(Array.from(proportionalAllocation([50, 30, 20], 10))).toEqual([5, 3, 2]);
    expect(Array.from(proportionalAllocation([50, 30, 20], 7))).toEqual([4, 2, 1]);
  });

  it('the stratified mean Σ (N_h/N)·ȳ_h is unbiased, and its weights sum to N', () => {
    const strata = [...Array(60).fill(0), ...Array(30).fill(1), ...Array(10).fill(2)];
    const y = strata.map((h, i) => 10 * h + (i % 7));
    const truth = y.reduce((a, b) => a + b, 0) / y.length;
    const est = new Float64Array(4000);
    for (let r = 0; r < est.length; r++) {
      const s = stratifiedSample(strata, 12, mulberry32(r + 5));
      expect(s.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 9);
      let t = 0;
      for (let k = 0; k < s.indices.length; k++) t += s.weights[k] * y[s.indices[k]];
      est[r] = t / 100;
    }
    const st = estimateStats(est, truth);
    expect(Math.abs(st.bias)).toBeLessThan(4 * Math.sqrt(st.variance / est.length));
  });
});

describe('Horvitz–Thompson with Poisson sampling', () => {
  const size = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89];
  const y = size.map((s, i) => 3 * s + (i % 3) * 4);
  const total = y.reduce((a, b) => a + b, 0);

  it('inclusionProbabilities sum to n, cap at 1 and are otherwise proportional to size', () => {
    const pi = inclusionProbabilities(size, 4);
    expect(pi.reduce((a, b) => a + b, 0)).toBeCloseTo(4, 12);
    // 89 would get 4·89/231 > 1; then 55 gets 3·55/142 > 1; the rest share 2 over 87.
    expect(pi[9]).toBe(1);
    expect(pi[8]).toBe(1);
    expect(pi[7]).toBeCloseTo((2 * 34) / 87, 12);
    expect(pi[7]).toBeCloseTo(pi[0] * 34, 12);
    expect(Math.max(...pi)).toBeLessThanOrEqual(1);
  });

  it('the exact expectation Σ_i π_i·y_i/π_i is the total, and 20,000 draws agree within 4 standard errors', () => {
    const pi = inclusionProbabilities(size, 4);
    const R = 20000;
    const est = new Float64Array(R);
    const rng = mulberry32(99);
    for (let r = 0; r < R; r++) est[r] = horvitzThompsonTotal(y, pi, poissonSample(pi, rng));
    // Closed form variance of HT under Poisson sampling: Σ (1 − π_i)/π_i · y_i².
    const v = y.reduce((a, yi, i) => a + ((1 - pi[i]) / pi[i]) * yi * yi, 0);
    const st = estimateStats(est, total);
    expect(Math.abs(st.bias)).toBeLessThan(4 * Math.sqrt(v / R));
    expect(st.variance / v).toBeGreaterThan(0.95);
    expect(st.variance / v).toBeLessThan(1.05);
  });
});

describe('importanceEstimate', () => {
  // Target p uniform over 0..9, f(x) = x², proposal q ∝ x + 1.
  const N = 10;
  const f = range(N).map((x) => x * x);
  const q = range(N).map((x) => x + 1);
  const Q = q.reduce((a, b) => a + b, 0);
  const w = range(N).map((x) => 1 / N / (q[x] / Q));
  const truth = f.reduce((a, b) => a + b, 0) / N;

  it('the plain estimate (1/n)Σ w·f is unbiased; the self-normalised one is biased at n = 3 and its bias shrinks by n = 50', () => {
    const R = 40000;
    const rng = mulberry32(4);
    const run = (n: number) => {
      const plain = new Float64Array(R);
      const sn = new Float64Array(R);
      for (let r = 0; r < R; r++) {
        const idx = sampleWithReplacement(q, n, rng);
        const e = importanceEstimate(Array.from(idx, (i) => f[i]), Array.from(idx, (i) => w[i]));
        plain[r] = e.plain;
        sn[r] = e.selfNormalised;
      }
      return { plain: estimateStats(plain, truth), sn: estimateStats(sn, truth) };
    };
    const small = run(3);
    expect(Math.abs(small.plain.bias)).toBeLessThan(4 * Math.sqrt(small.plain.variance / R));
    expect(Math.abs(small.sn.bias)).toBeGreaterThan(6 * Math.sqrt(small.sn.variance / R));
    const big = run(50);
    expect(Math.abs(big.sn.bias)).toBeLessThan(Math.abs(small.sn.bias) / 5);
  });

  it('effective sample size is n for equal weights and 1 when one weight dominates', () => {
    expect(importanceEstimate([1, 2, 3, 4], [2, 2, 2, 2]).effectiveSampleSize).toBeCloseTo(4, 12);
    expect(importanceEstimate([1, 2], [1e9, 1e-9]).effectiveSampleSize).toBeCloseTo(1, 6);
  });

  it('sampleWithReplacement draws each i with probability q_i/Σq', () => {
    const c = new Float64Array(N);
    const R = 20000;
    for (const i of sampleWithReplacement(q, R, mulberry32(8))) c[i]++;
    const chi2 = q.reduce((a, qi, i) => a + (c[i] - (R * qi) / Q) ** 2 / ((R * qi) / Q), 0);
    expect(chiSquareSf(chi2, N - 1)).toBeGreaterThan(0.001);
  });
});

describe('estimateStats', () => {
  it('RMSE² = bias² + variance, with the variance over draws (ddof 0)', () => {
    const s = estimateStats([1, 2, 3, 6], 2);
    expect(s.mean).toBe(3);
    expect(s.bias).toBe(1);
    expect(s.variance).toBeCloseTo(3.5, 12);
    expect(s.rmse).toBeCloseTo(Math.sqrt(4.5), 12);
  });
});
