import { describe, expect, it } from 'vitest';
import { partialDependence } from '../../../src/lib/eval/partial-dependence';
import type { Matrix } from '../../../src/lib/eval';
import { expectAllClose } from './refs';

const X: Matrix = { data: Float64Array.from([1, 10, 2, 20, 3, 30, 4, 40, 5, 50]), rows: 5, cols: 2 };

describe('partialDependence(predict, X, feature)', () => {
  it('for a linear model is b + w_j·v + Σ_{k≠j} w_k·mean(x_k), in closed form', () => {
    const f = (M: Matrix) => Float64Array.from({ length: M.rows }, (_, i) => 0.5 + 2 * M.data[i * 2] - 0.1 * M.data[i * 2 + 1]);
    const pd = partialDependence(f, X, 0, { grid: [0, 1, 2.5] });
    expectAllClose(pd.average, [0, 1, 2.5].map((v) => 0.5 + 2 * v - 0.1 * 30), 1e-12);
  });

  it('averages a non-linear model over the other feature’s observed values, and returns ICE rows', () => {
    const f = (M: Matrix) => Float64Array.from({ length: M.rows }, (_, i) => M.data[i * 2] * M.data[i * 2 + 1]);
    const pd = partialDependence(f, X, 0, { grid: [2], iceRows: 2 });
    expect(pd.average[0]).toBeCloseTo(60, 12); // 2 · mean(10..50)
    expect(pd.ice.map((r) => r[0])).toEqual([20, 40]);
  });

  it('the default grid spans the 5th to 95th percentile (numpy linear quantiles), without duplicates', () => {
    const pd = partialDependence((M) => new Float64Array(M.rows), X, 1, { gridSize: 3 });
    expectAllClose(pd.grid, [12, 30, 48], 1e-12);
    const flat = partialDependence((M) => new Float64Array(M.rows), { data: new Float64Array(10).fill(1), rows: 5, cols: 2 }, 0);
    expect(flat.grid.length).toBe(1);
  });

  it('rejects a feature index out of range', () => {
    expect(() => partialDependence((M) => new Float64Array(M.rows), X, 2)).toThrow(/columns 0 to 1/);
  });
});
