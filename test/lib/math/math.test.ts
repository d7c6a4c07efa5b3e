import { describe, expect, it } from 'vitest';
import { quantile, quantileSorted } from '../../../src/lib/math/quantile';
import { auc } from '../../../src/lib/math/auc';
import { sigmoid } from '../../../src/lib/math/sigmoid';
import { fitLogistic, trainLogistic } from '../../../src/lib/math/logistic';
import { choleskySolve } from '../../../src/lib/math/linalg';
import { gaussian } from '../../../src/lib/math/random';
import { mulberry32 } from '../../../src/lib/core/rng';

// Reference values from numpy 1.24 / scikit-learn 1.2 / scipy 1.10 (Debian's, system python3):
//   np.quantile([3.5, 1, 10, 2, 4, 7.25], p) for p in (0, .1, .3, .5, .95, 1)
//   roc_auc_score([0,1,1,0,1,0,0,1], [.1,.4,.35,.8,.8,.2,.35,.9])
//   scipy.special.expit(z) for z in (-800, -30, -1, 0, 2.5, 40, 800)
describe('math/quantile', () => {
  it('quantile(x, p) matches numpy.quantile (linear, R type 7)', () => {
    const x = [3.5, 1, 10, 2, 4, 7.25];
    const want = [1.0, 1.5, 2.75, 3.75, 9.3125, 10.0];
    [0, 0.1, 0.3, 0.5, 0.95, 1].forEach((p, k) => expect(quantile(x, p)).toBeCloseTo(want[k], 12));
  });

  it('quantileSorted is NaN for no data and rejects p outside [0, 1]', () => {
    expect(quantileSorted([], 0.5)).toBeNaN();
    expect(() => quantileSorted([1, 2], 1.5)).toThrow(RangeError);
    expect(() => quantileSorted([1, 2], Number.NaN)).toThrow(RangeError);
  });
});

describe('math/auc', () => {
  it('auc(labels, scores) matches sklearn roc_auc_score with ties', () => {
    expect(auc([0, 1, 1, 0, 1, 0, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.8, 0.2, 0.35, 0.9])).toBeCloseTo(0.8125, 12);
  });

  it('auc is NaN with one class and rejects mismatched lengths', () => {
    expect(auc([1, 1], [0.2, 0.3])).toBeNaN();
    expect(() => auc([1, 0], [0.2])).toThrow(RangeError);
  });
});

describe('math/sigmoid', () => {
  it('sigmoid(z) matches scipy.special.expit without overflow at |z| = 800', () => {
    const z = [-800, -30, -1, 0, 2.5, 40, 800];
    const want = [0, 9.357622968839299e-14, 0.2689414213699951, 0.5, 0.9241418199787566, 1, 1];
    z.forEach((v, k) => expect(sigmoid(v)).toBeCloseTo(want[k], 15));
    expect(sigmoid(-30) / want[1]).toBeCloseTo(1, 12);
  });
});

describe('math/logistic', () => {
  it('fitLogistic rejects a design of the wrong size, a column 0 that is not 1s and one class with RangeError', () => {
    expect(() => fitLogistic(new Float64Array(5), [0, 1], 2)).toThrow(RangeError);
    expect(() => fitLogistic(new Float64Array([1, 0.5, 2, 0.1]), [0, 1], 2)).toThrow(/intercept/);
    expect(() => fitLogistic(new Float64Array([1, 0.5, 1, 0.1]), [1, 1], 2)).toThrow(/only class 1/);
  });

  it('fitLogistic(X, y, d, { l2: λ }) is trainLogistic on X without its 1s column with l2 = λ·n', () => {
    const rng = mulberry32(3);
    const n = 200;
    const X = new Float64Array(n * 3);
    const y: number[] = [];
    for (let i = 0; i < n; i++) {
      X.set([1, gaussian(rng), gaussian(rng)], i * 3);
      y.push(rng() < 1 / (1 + Math.exp(-(0.5 + X[i * 3 + 1] - 2 * X[i * 3 + 2]))) ? 1 : 0);
    }
    const beta = fitLogistic(X, y, 3, { l2: 0.01 });
    const data = Float64Array.from({ length: n * 2 }, (_, k) => X[Math.floor(k / 2) * 3 + 1 + (k % 2)]);
    const m = trainLogistic({ data, rows: n, cols: 2 }, y, { l2: 0.01 * n });
    expect(beta[0]).toBeCloseTo(m.intercept, 12);
    expect(beta[1]).toBeCloseTo(m.weights[0], 12);
    expect(beta[2]).toBeCloseTo(m.weights[1], 12);
    // The ridge pulls the weights toward 0 from the unpenalised fit.
    const free = fitLogistic(X, y, 3, { l2: 0 });
    expect(Math.hypot(beta[1], beta[2])).toBeLessThan(Math.hypot(free[1], free[2]));
  });
});

describe('math/linalg', () => {
  // A = [[4, 2, 0.6], [2, 5, 1], [0.6, 1, 3]], b = [1, 2, 3]: numpy.linalg.solve(A, b)
  const A = [4, 2, 0.6, 2, 5, 1, 0.6, 1, 3];
  it('choleskySolve(A, b) matches numpy.linalg.solve and leaves A and b as they were', () => {
    const b = [1, 2, 3];
    const want = [0.004484304932735425, 0.21255605381165918, 0.9282511210762333];
    const x = choleskySolve(A, b, 3)!;
    want.forEach((w, k) => expect(x[k]).toBeCloseTo(w, 12));
    expect(A[0]).toBe(4);
    expect(b).toEqual([1, 2, 3]);
  });

  it('choleskySolve returns null for a singular matrix, and solves it with a ridge', () => {
    const S = [1, 1, 1, 1];
    expect(choleskySolve(S, [1, 1], 2)).toBeNull();
    const x = choleskySolve(S, [1, 1], 2, { ridge: 1 })!; // (S + I) x = b: x = [1/3, 1/3]
    expect(x[0]).toBeCloseTo(1 / 3, 12);
    expect(x[1]).toBeCloseTo(1 / 3, 12);
  });

  it('choleskySolve with tol rejects a nearly singular pivot', () => {
    const N = [1, 1, 1, 1 + 1e-12];
    expect(choleskySolve(N, [1, 1], 2)).not.toBeNull();
    expect(choleskySolve(N, [1, 1], 2, { tol: 1e-10 })).toBeNull();
  });
});

describe('math/random gaussian', () => {
  it('gaussian(rng) has mean 0 and variance 1 over 200,000 seeded draws (within 4 standard errors)', () => {
    const rng = mulberry32(11);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = gaussian(rng);
      s += z;
      s2 += z * z;
    }
    const mean = s / n;
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(s2 / n - mean * mean - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
  });

  it('gaussian(rng) is √(−2 ln u₁)·cos(2π u₂) of the next two uniforms', () => {
    const u = [0.25, 0.125];
    let k = 0;
    expect(gaussian(() => u[k++])).toBeCloseTo(Math.sqrt(-2 * Math.log(0.25)) * Math.cos(Math.PI / 4), 14);
  });
});
