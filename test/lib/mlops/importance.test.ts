import { describe, expect, it } from 'vitest';
import { fitForest, paramImportance, predictForest, treeVariances, type Tree } from '../../../src/lib/mlops';
import { mulberry32 } from '../../../src/lib/core/rng';
import { refs } from './refs';

const tree = (nodes: [feature: number, threshold: number, left: number, right: number, value: number][]): Tree => ({
  feature: Int32Array.from(nodes.map((n) => n[0])),
  threshold: Float64Array.from(nodes.map((n) => n[1])),
  left: Int32Array.from(nodes.map((n) => n[2])),
  right: Int32Array.from(nodes.map((n) => n[3])),
  value: Float64Array.from(nodes.map((n) => n[4])),
});

describe('fANOVA of one tree', () => {
  it('an additive tree splits its variance between its two axes exactly', () => {
    // f = a(x) + b(y) with a = 0 | 2 split at x = 0.5, b = 0 | 1 split at y = 0.25 (leaves hold a + b).
    // Var a = 1 (two halves), Var b = 0.25·0.75·1² = 0.1875, no interaction: total 1.1875.
    const t = tree([
      [0, 0.5, 1, 2, 0],
      [1, 0.25, 3, 4, 0],
      [1, 0.25, 5, 6, 0],
      [-1, 0, -1, -1, 0], [-1, 0, -1, -1, 1], [-1, 0, -1, -1, 2], [-1, 0, -1, -1, 3],
    ]);
    const v = treeVariances(t, 2);
    expect(v.total).toBeCloseTo(1.1875, 12);
    expect(v.main[0]).toBeCloseTo(1, 12);
    expect(v.main[1]).toBeCloseTo(0.1875, 12);
  });

  it('a pure interaction (XOR) has no main effects', () => {
    const t = tree([
      [0, 0.5, 1, 2, 0],
      [1, 0.5, 3, 4, 0],
      [1, 0.5, 5, 6, 0],
      [-1, 0, -1, -1, 0], [-1, 0, -1, -1, 1], [-1, 0, -1, -1, 1], [-1, 0, -1, -1, 0],
    ]);
    const v = treeVariances(t, 2);
    expect(v.total).toBeCloseTo(0.25, 12);
    expect(v.main[0]).toBeCloseTo(0, 12);
    expect(v.main[1]).toBeCloseTo(0, 12);
  });
});

describe('paramImportance', () => {
  it("agrees with Optuna 3.1's FanovaImportanceEvaluator on 300 Ishigami samples (within 0.06)", () => {
    const f = refs.fanova;
    const space = Object.fromEntries(['x1', 'x2', 'x3'].map((k) => [k, { type: 'float', low: -Math.PI, high: Math.PI } as const]));
    const trials = f.points.map((p, i) => ({ params: { x1: p[0], x2: p[1], x3: p[2] }, value: f.values[i] }));
    const imp = paramImportance(trials, space, { seed: 0 });
    expect(imp.map((x) => x.name)).toEqual(Object.keys(f.importance));
    for (const x of imp) expect(Math.abs(x.importance - f.importance[x.name])).toBeLessThan(0.06);
    expect(imp.reduce((s, x) => s + x.importance, 0)).toBeCloseTo(1, 12);
  });

  it('finds the one parameter that matters (Bergstra and Bengio: most do not)', () => {
    const rng = mulberry32(5);
    const space = { lr: { type: 'float', low: 1e-5, high: 1, log: true }, width: { type: 'int', low: 8, high: 512 }, act: { type: 'categorical', choices: ['relu', 'tanh', 'gelu'] } } as const;
    const trials = Array.from({ length: 120 }, () => {
      const lr = 10 ** (-5 + 5 * rng());
      const width = 8 + Math.floor(rng() * 505);
      const act = ['relu', 'tanh', 'gelu'][Math.floor(rng() * 3)];
      return { params: { lr, width, act }, value: (Math.log10(lr) + 2.5) ** 2 + 0.01 * rng() };
    });
    const imp = paramImportance(trials, space, { seed: 1, trees: 32 });
    expect(imp[0].name).toBe('lr');
    expect(imp[0].importance).toBeGreaterThan(0.9);
  });

  it('a single-valued parameter gets 0 and failed trials are left out; fewer than 2 trials is an error', () => {
    const space = { a: { type: 'float', low: 0, high: 1 }, b: { type: 'float', low: 2, high: 2 } } as const;
    const trials = [0.1, 0.4, 0.6, 0.9].map((a) => ({ params: { a, b: 2 }, value: a }));
    const imp = paramImportance([...trials, { params: { a: 0.5, b: 2 }, value: NaN, state: 'failed' }], space, { trees: 4 });
    expect(imp).toEqual([{ name: 'a', importance: 1, firstOrder: expect.closeTo(1, 6), std: expect.any(Number) }, { name: 'b', importance: 0, firstOrder: 0, std: 0 }]);
    expect(() => paramImportance(trials.slice(0, 1), space)).toThrow(/at least 2 completed trials/);
  });

  it('the forest fits what it saw: predictions at training points are close on a smooth function', () => {
    const X = new Float64Array(200).map((_, i) => (i % 100) / 100);
    const y = Array.from({ length: 100 }, (_, i) => Math.sin(6 * X[2 * i]));
    const trees = fitForest(X, y, 2, { trees: 16, seed: 2 });
    let err = 0;
    for (let i = 0; i < 100; i++) err += Math.abs(predictForest(trees, [X[2 * i], X[2 * i + 1]]) - y[i]);
    expect(err / 100).toBeLessThan(0.05);
  });
});
