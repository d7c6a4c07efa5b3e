import { describe, expect, it } from 'vitest';
import { isotonicCalibration, plattCalibration } from '../../../src/lib/eval';
import { expectAllClose, refs } from './refs';

describe.each(refs.calibrators)('calibrators, case $name', (c) => {
  it("isotonicCalibration matches sklearn IsotonicRegression(out_of_bounds='clip') on and between the data and outside it", () => {
    const f = isotonicCalibration(c.scores, c.y);
    // Pooled means are ratios of small integers; interpolation adds rounding only: 1e-12.
    expectAllClose(c.grid.map(f), c.isotonic, 1e-12);
  });

  it('isotonicCalibration is non-decreasing and stays in [0, 1]', () => {
    const f = isotonicCalibration(c.scores, c.y);
    for (let k = 1; k < f.y.length; k++) expect(f.y[k]).toBeGreaterThanOrEqual(f.y[k - 1]);
    expect(f.y[0]).toBeGreaterThanOrEqual(0);
    expect(f.y[f.y.length - 1]).toBeLessThanOrEqual(1);
  });

  it("plattCalibration (targets 'platt') matches a scipy root solve of Platt's smoothed likelihood to 1e-9", () => {
    const f = plattCalibration(c.scores, c.y);
    const tol = 1e-9 * (1 + Math.abs(c.plattScipy[0]) + Math.abs(c.plattScipy[1]));
    expectAllClose([f.a, f.b], c.plattScipy, tol);
  });

  it("plattCalibration (targets 'platt') matches sklearn's _sigmoid_calibration (BFGS, gtol 1e-5) to 1e-5", () => {
    const f = plattCalibration(c.scores, c.y, { targets: 'platt' });
    expectAllClose([f.a, f.b], c.plattSklearn, 1e-5 * (1 + Math.abs(c.plattSklearn[0])));
  });

  it("plattCalibration (targets 'hard') matches scipy to 1e-9 and sklearn LogisticRegression(C=1e12) to 1e-6", () => {
    const f = plattCalibration(c.scores, c.y, { targets: 'hard' });
    const scale = 1 + Math.abs(c.hardScipy[0]) + Math.abs(c.hardScipy[1]);
    expectAllClose([f.a, f.b], c.hardScipy, 1e-9 * scale);
    // lbfgs stops on its own criteria even at tol=1e-12; C=1e12 adds a 1e-12 penalty.
    expectAllClose([f.a, f.b], c.hardSklearnLR, 1e-6 * scale);
    const s = c.scores[0];
    expect(f(s)).toBeCloseTo(1 / (1 + Math.exp(-(c.hardScipy[0] * s + c.hardScipy[1]))), 9);
  });
});

describe('isotonicCalibration', () => {
  it('pools adjacent violators by hand: labels 1,0,1,0,1,1 at scores 0..5 give 1/2,1/2,1/2,1/2,1,1', () => {
    const f = isotonicCalibration([0, 1, 2, 3, 4, 5], [1, 0, 1, 0, 1, 1]);
    expect([...f.y]).toEqual([0.5, 0.5, 0.5, 0.5, 1, 1]);
    expect(f(3.5)).toBe(0.75);
    expect(f(-10)).toBe(0.5);
    expect(f(10)).toBe(1);
  });

  it('averages the labels of tied scores before pooling', () => {
    const f = isotonicCalibration([1, 1, 1, 2], [1, 0, 0, 1]);
    expect([...f.x]).toEqual([1, 2]);
    expect(f(1)).toBeCloseTo(1 / 3, 15);
  });
});

describe('plattCalibration', () => {
  it("stays finite on separable scores with targets 'platt', and refuses them with targets 'hard'", () => {
    const s = [-2, -1, 0, 1, 2, 3];
    const y = [0, 0, 0, 1, 1, 1];
    const f = plattCalibration(s, y);
    expect(Number.isFinite(f.a) && f.a > 0).toBe(true);
    // With 3 per class the targets are 1/5 and 4/5, so no fitted probability can reach 0 or 1 at the data.
    expect(f(3)).toBeLessThan(0.95);
    expect(() => plattCalibration(s, y, { targets: 'hard' })).toThrow(/separates the classes/);
  });

  it('returns the base rate for constant scores', () => {
    const f = plattCalibration([2, 2, 2, 2], [1, 0, 0, 0], { targets: 'hard' });
    expect(f.a).toBe(0);
    expect(f(2)).toBeCloseTo(0.25, 15);
  });
});
