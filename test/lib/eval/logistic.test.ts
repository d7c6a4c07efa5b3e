import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { EvalInputError } from '../../../src/lib/eval';
import { fitStandardizer, trainLogistic } from '../../../src/lib/math/logistic';
import { expectAllClose } from './refs';

interface LogisticRef {
  name: string;
  X: number[];
  rows: number;
  cols: number;
  y: number[];
  l2: number;
  sampleWeight?: number[];
  labelSmoothing?: number;
  groups?: number[];
  fairness?: number;
  weights: number[];
  intercept: number;
  objective?: number;
  gap?: number;
  gapUnpenalised?: number;
}

const refs = JSON.parse(readFileSync(new URL('./refs/logistic_refs.json', import.meta.url), 'utf8')) as { logistic: LogisticRef[] };
const byName = (name: string) => refs.logistic.find((c) => c.name === name)!;
const matrix = (c: LogisticRef) => ({ data: Float64Array.from(c.X), rows: c.rows, cols: c.cols });

describe('trainLogistic against scikit-learn and scipy (refs/make_logistic_refs.py)', () => {
  // Two Newton solvers on well-conditioned problems: agreement to 1e-8 or better.
  it.each(['plain', 'weak_l2', 'sample_weight'])('matches LogisticRegression(C = 1/l2) with sample weights, case %s', (name) => {
    const c = byName(name);
    const m = trainLogistic(matrix(c), c.y, { l2: c.l2, sampleWeight: c.sampleWeight });
    expectAllClose(m.weights, c.weights, 1e-8);
    expect(Math.abs(m.intercept - c.intercept)).toBeLessThan(1e-8);
  });

  it('label smoothing equals sklearn fitted on each row twice, weighted by the soft target', () => {
    const c = byName('label_smoothing');
    const m = trainLogistic(matrix(c), c.y, { l2: c.l2, labelSmoothing: c.labelSmoothing });
    expectAllClose(m.weights, c.weights, 1e-8);
    expect(Math.abs(m.intercept - c.intercept)).toBeLessThan(1e-8);
  });

  it('the demographic-parity penalty reaches the BFGS optimum of the same objective and shrinks the group gap', () => {
    const c = byName('fairness_penalty');
    const m = trainLogistic(matrix(c), c.y, { l2: c.l2, fairness: c.fairness, groups: c.groups });
    expectAllClose(m.weights, c.weights, 1e-5);
    expect(Math.abs(m.intercept - c.intercept)).toBeLessThan(1e-5);
    expect(Math.abs(m.objective - c.objective!)).toBeLessThan(1e-7 * c.objective!);
    const p = m.predictProba(matrix(c));
    let a = 0, b = 0, na = 0, nb = 0;
    c.groups!.forEach((g, i) => (g === 0 ? ((a += p[i]), na++) : ((b += p[i]), nb++)));
    expect(a / na - b / nb).toBeCloseTo(c.gap!, 6);
    expect(Math.abs(c.gap!)).toBeLessThan(Math.abs(c.gapUnpenalised!) / 3);
  });

  it('rejects one class, bad labels, NaN, mismatched lengths and a penalty without groups, with clear messages', () => {
    const X = { data: Float64Array.from([1, 2, 3, 4]), rows: 4, cols: 1 };
    expect(() => trainLogistic(X, [1, 1, 1, 1])).toThrow(/only class 1/);
    expect(() => trainLogistic(X, [0, 2, 1, 0])).toThrow(/must be 0 or 1/);
    expect(() => trainLogistic({ ...X, data: Float64Array.from([1, NaN, 3, 4]) }, [0, 1, 0, 1])).toThrow(EvalInputError);
    expect(() => trainLogistic(X, [0, 1, 0])).toThrow(/same length/);
    expect(() => trainLogistic(X, [0, 1, 0, 1], { fairness: 1 })).toThrow(/needs groups/);
    expect(() => trainLogistic(X, [0, 1, 0, 1], { sampleWeight: [1, -1, 1, 1] })).toThrow(/negative/);
  });
});

describe('fitStandardizer', () => {
  it('centres and scales each column by its population standard deviation', () => {
    const s = fitStandardizer({ data: Float64Array.from([1, 10, 3, 10, 5, 10]), rows: 3, cols: 2 });
    expectAllClose(s.mean, [3, 10], 1e-15);
    expectAllClose(s.sd, [Math.sqrt(8 / 3), 1], 1e-15);
    expectAllClose(s.apply({ data: Float64Array.from([3, 12]), rows: 1, cols: 2 }).data, [0, 2], 1e-15);
  });
});
