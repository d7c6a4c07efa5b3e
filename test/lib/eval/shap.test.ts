import { describe, expect, it } from 'vitest';
import { kernelShap, matrixFromRows, type Matrix } from '../../../src/lib/eval';
import { mulberry32 } from '../../../src/lib/core/rng';
import { expectAllClose, refs } from './refs';

/** The same function as model_nonlinear in refs/make_refs.py. */
function nonlinear(X: Matrix): Float64Array {
  const out = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    const x = X.data.subarray(i * X.cols, (i + 1) * X.cols);
    let v = x[0] * x[1] + Math.sin(x[2]) - 0.5 * x[3] ** 2;
    for (let j = 4; j < X.cols; j++) v += (0.3 + 0.1 * j) * Math.tanh(x[j] * x[j - 4]);
    out[i] = v;
  }
  return out;
}

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);

describe.each(refs.shap)('kernelShap against brute-force Shapley sums over all coalitions, case $name', (c) => {
  const bg = matrixFromRows(c.background);
  const M = bg.cols;

  it.each(c.explanations.map((e, k) => ({ ...e, k })))('is exact with every coalition enumerated (point $k)', (e) => {
    const r = kernelShap(nonlinear, e.x, bg, { nSamples: 2 ** M - 2 });
    expect(r.exact).toBe(true);
    // A weighted least squares solve of size M−1 on values of order 1: 1e-10 absolute.
    expectAllClose(r.values, e.phi, 1e-10);
    expect(Math.abs(r.baseValue - e.base)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(r.fx - e.fx)).toBeLessThanOrEqual(1e-12);
  });
});

describe('kernelShap with sampled coalitions', () => {
  const c = refs.shap.find((k) => k.name === 'nonlinear_m12')!;
  const bg = matrixFromRows(c.background);

  it('keeps efficiency exactly: Σφ = f(x) − E[f(background)]', () => {
    for (const e of c.explanations) {
      const r = kernelShap(nonlinear, e.x, bg, { nSamples: 300, seed: 3 });
      expect(r.exact).toBe(false);
      expect(Math.abs(sum(r.values) - (e.fx - e.base))).toBeLessThanOrEqual(1e-12);
    }
  });

  it('lands near the exact values with 1,000 of 4,094 coalitions (within 0.05 of a spread of ~1)', () => {
    for (const e of c.explanations) {
      const r = kernelShap(nonlinear, e.x, bg, { nSamples: 1000, seed: 3 });
      const scale = Math.max(...e.phi.map(Math.abs));
      expectAllClose(r.values, e.phi, 0.05 * scale);
    }
  });

  it('repeats for the same seed', () => {
    const e = c.explanations[0];
    const a = kernelShap(nonlinear, e.x, bg, { nSamples: 400, seed: 11 });
    const b = kernelShap(nonlinear, e.x, bg, { nSamples: 400, seed: 11 });
    expect(a.values).toEqual(b.values);
  });
});

describe('kernelShap on a linear model f(x) = w·x + b', () => {
  const rng = mulberry32(2024);
  const M = 14;
  const w = Array.from({ length: M }, () => rng() * 4 - 2);
  const bias = 0.7;
  const bg = matrixFromRows(Array.from({ length: 30 }, () => Array.from({ length: M }, () => rng() * 6 - 3)));
  const x = Array.from({ length: M }, () => rng() * 6 - 3);
  const linear = (X: Matrix) =>
    Float64Array.from({ length: X.rows }, (_, i) => bias + sum(w.map((wj, j) => wj * X.data[i * X.cols + j])));
  const expected = w.map((wj, j) => wj * (x[j] - sum(Array.from({ length: bg.rows }, (_, i) => bg.data[i * M + j])) / bg.rows));

  it('gives φ_i = w_i·(x_i − mean of background_i) even from 400 sampled coalitions, since the linear fit is then exact', () => {
    const r = kernelShap(linear, x, bg, { nSamples: 400, seed: 5 });
    expect(r.exact).toBe(false);
    expectAllClose(r.values, expected, 1e-10);
  });

  it('gives the same with every coalition enumerated, on the first 6 features', () => {
    const m6: Matrix = { data: Float64Array.from({ length: bg.rows * 6 }, (_, k) => bg.data[Math.floor(k / 6) * M + (k % 6)]), rows: bg.rows, cols: 6 };
    const lin6 = (X: Matrix) => Float64Array.from({ length: X.rows }, (_, i) => bias + sum(w.slice(0, 6).map((wj, j) => wj * X.data[i * 6 + j])));
    const r = kernelShap(lin6, x.slice(0, 6), m6);
    expect(r.exact).toBe(true);
    expectAllClose(r.values, expected.slice(0, 6), 1e-12);
  });

  it('gives exactly 0 to a feature whose background always equals x', () => {
    const bg2 = matrixFromRows(c0(bg, x[0]));
    const r = kernelShap(linear, x, bg2, { nSamples: 500 });
    expect(r.values[0]).toBe(0);
  });
});

/** Background rows with column 0 set to v. */
function c0(bg: Matrix, v: number): number[][] {
  return Array.from({ length: bg.rows }, (_, i) => {
    const row = Array.from(bg.data.subarray(i * bg.cols, (i + 1) * bg.cols));
    row[0] = v;
    return row;
  });
}
