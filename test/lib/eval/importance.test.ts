import { describe, expect, it } from 'vitest';
import { matrixFromRows, permutationImportance, type Matrix } from '../../../src/lib/eval';
import { expectAllClose, refs } from './refs';

const ref = refs.importance;
const X = matrixFromRows(ref.X);
const linear = (M: Matrix) => {
  const out = new Float64Array(M.rows);
  for (let i = 0; i < M.rows; i++) {
    let s = ref.b;
    for (let j = 0; j < M.cols; j++) s += ref.w[j] * M.data[i * M.cols + j];
    out[i] = s;
  }
  return out;
};
const negMse = (y: ArrayLike<number>, p: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i] - p[i]) ** 2;
  return -s / y.length;
};
const REPEATS = 1000;
const result = permutationImportance(linear, X, ref.y, negMse, { repeats: REPEATS, seed: 7 });

describe('permutationImportance on a fixed linear model scored by −MSE', () => {
  it('has the baseline score sklearn reports', () => {
    expect(Math.abs(result.baseline - ref.baseline)).toBeLessThanOrEqual(1e-12);
  });

  it('has mean importances within 4 standard errors of the closed form 2w²var(x) + 2w·cov(residual, x)', () => {
    for (let j = 0; j < X.cols; j++) {
      const se = result.importancesStd[j] / Math.sqrt(REPEATS);
      expect(Math.abs(result.importancesMean[j] - ref.expectedMean[j])).toBeLessThanOrEqual(4 * se + 1e-12);
    }
  });

  it('agrees with sklearn.inspection.permutation_importance (2000 repeats) within 4 combined standard errors', () => {
    for (let j = 0; j < X.cols; j++) {
      const se = Math.sqrt(result.importancesStd[j] ** 2 / REPEATS + ref.sklearnStd[j] ** 2 / ref.sklearnRepeats);
      expect(Math.abs(result.importancesMean[j] - ref.sklearnMean[j])).toBeLessThanOrEqual(4 * se + 1e-12);
      // The spread over repeats is a property of the model and data; 1000 draws estimate it to ~2%.
      if (ref.sklearnStd[j] > 0) expect(result.importancesStd[j] / ref.sklearnStd[j]).toBeGreaterThan(0.9);
      if (ref.sklearnStd[j] > 0) expect(result.importancesStd[j] / ref.sklearnStd[j]).toBeLessThan(1.1);
    }
  });

  it('gives exactly 0 to a feature the model ignores (w₃ = 0), in every repeat', () => {
    expect(result.importances[3].every((v) => v === 0)).toBe(true);
    expect(result.importancesStd[3]).toBe(0);
  });

  it('reports mean and population std (ddof 0) of its importances matrix', () => {
    const imp = result.importances[0];
    const mean = imp.reduce((a, b) => a + b, 0) / REPEATS;
    const std = Math.sqrt(imp.reduce((a, b) => a + (b - mean) ** 2, 0) / REPEATS);
    expectAllClose([result.importancesMean[0], result.importancesStd[0]], [mean, std], 1e-12);
    expect(result.importances.length).toBe(X.cols);
    expect(result.importances[0].length).toBe(REPEATS);
  });
});

describe('permutationImportance', () => {
  it('shuffles exactly one column per call, as a permutation of its values, and leaves X untouched', () => {
    const small = matrixFromRows([
      [1, 10, 100],
      [2, 20, 200],
      [3, 30, 300],
      [4, 40, 400],
      [5, 50, 500],
    ]);
    const before = Float64Array.from(small.data);
    const seen: Float64Array[] = [];
    const predict = (M: Matrix) => {
      seen.push(Float64Array.from(M.data));
      return Float64Array.from({ length: M.rows }, (_, i) => M.data[i * 3] + M.data[i * 3 + 1] + M.data[i * 3 + 2]);
    };
    permutationImportance(predict, small, [111, 222, 333, 444, 555], negMse, { repeats: 3, seed: 1 });
    expect(seen.length).toBe(1 + 3 * 3);
    const col = (d: Float64Array, j: number) => [0, 1, 2, 3, 4].map((i) => d[i * 3 + j]);
    for (let call = 1; call < seen.length; call++) {
      const j = Math.floor((call - 1) / 3);
      for (let k = 0; k < 3; k++) {
        if (k === j) expect([...col(seen[call], k)].sort((a, b) => a - b)).toEqual(col(before, k));
        else expect(col(seen[call], k)).toEqual(col(before, k));
      }
    }
    expect(small.data).toEqual(before);
  });

  it('repeats its result for the same seed and changes it for another', () => {
    const again = permutationImportance(linear, X, ref.y, negMse, { repeats: 5, seed: 7 });
    const same = permutationImportance(linear, X, ref.y, negMse, { repeats: 5, seed: 7 });
    const other = permutationImportance(linear, X, ref.y, negMse, { repeats: 5, seed: 8 });
    expect(again.importances).toEqual(same.importances);
    expect(again.importances[0]).not.toEqual(other.importances[0]);
  });
});
