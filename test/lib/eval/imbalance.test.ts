import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { mulberry32 } from '../../../src/lib/core/rng';
import { trainLogistic } from '../../../src/lib/math/logistic';
import {
  balancedSampleWeights, focalLoss, randomOversample, randomUndersample, smote, thresholdMetrics, trainFocalLogistic,
} from '../../../src/lib/eval/imbalance';
import { SamplingError } from '../../../src/lib/data/sampling';
import type { Matrix } from '../../../src/lib/eval/matrix';

function toy(n: number, rate: number, seed: number): { X: Matrix; y: Float64Array } {
  const rng = mulberry32(seed);
  const y = Float64Array.from({ length: n }, (_, i) => (i < 3 || rng() < rate ? 1 : 0));
  const data = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    data[2 * i] = rng() * 4 + 2 * y[i];
    data[2 * i + 1] = rng() * 4 - y[i];
  }
  return { X: { data, rows: n, cols: 2 }, y };
}

describe('smote', () => {
  it('every synthetic point lies on the segment between a positive and one of its k nearest positive neighbours', () => {
    const { X, y } = toy(300, 0.05, 1);
    const k = 3;
    const r = smote(X, y, { k }, mulberry32(2));
    const pos = Array.from(y.keys()).filter((i) => y[i] === 1);
    const negs = y.length - pos.length;
    expect(r.y.reduce((a, b) => a + b, 0)).toBe(negs); // balanced at ratio 1
    expect(r.synthetic.from.length).toBeGreaterThan(100);
    const dist = (i: number, j: number) => (X.data[2 * i] - X.data[2 * j]) ** 2 + (X.data[2 * i + 1] - X.data[2 * j + 1]) ** 2;
    for (let e = 0; e < r.synthetic.from.length; e++) {
      const a = r.synthetic.from[e], b = r.synthetic.to[e];
      expect(y[a]).toBe(1);
      expect(y[b]).toBe(1);
      expect(a).not.toBe(b);
      // b is among a's k nearest positives (ties counted generously).
      const closer = pos.filter((j) => j !== a && dist(a, j) < dist(a, b)).length;
      expect(closer).toBeLessThan(k);
      // The point is x_a + λ(x_b − x_a) with λ in [0, 1], checked from the coordinates alone.
      const row = X.rows + e;
      const px = r.X.data[2 * row], py = r.X.data[2 * row + 1];
      const dx = X.data[2 * b] - X.data[2 * a], dy = X.data[2 * b + 1] - X.data[2 * a + 1];
      const lam = ((px - X.data[2 * a]) * dx + (py - X.data[2 * a + 1]) * dy) / (dx * dx + dy * dy);
      expect(lam).toBeGreaterThanOrEqual(-1e-12);
      expect(lam).toBeLessThanOrEqual(1 + 1e-12);
      const cross = (px - X.data[2 * a]) * dy - (py - X.data[2 * a + 1]) * dx;
      expect(Math.abs(cross)).toBeLessThan(1e-9);
      expect(r.y[row]).toBe(1);
    }
    // The originals are kept, unchanged.
    expect(Array.from(r.X.data.subarray(0, X.data.length))).toEqual(Array.from(X.data));
  });

  it('is seeded and refuses a single positive', () => {
    const { X, y } = toy(200, 0.05, 3);
    expect(Array.from(smote(X, y, {}, mulberry32(5)).X.data)).toEqual(Array.from(smote(X, y, {}, mulberry32(5)).X.data));
    const one = Float64Array.from(y, (_, i) => (i === 0 ? 1 : 0));
    expect(() => smote(X, one, {}, mulberry32(1))).toThrow(SamplingError);
  });
});

describe('random under- and oversampling', () => {
  it('undersampling keeps every positive and ratio × as many negatives; oversampling repeats positives up to negatives/ratio', () => {
    const { X, y } = toy(1000, 0.03, 4);
    const P = y.reduce((a, b) => a + b, 0);
    const u = randomUndersample(X, y, 2, mulberry32(1));
    expect(u.y.reduce((a, b) => a + b, 0)).toBe(P);
    expect(u.y.length - P).toBe(2 * P);
    const o = randomOversample(X, y, 1, mulberry32(1));
    expect(o.y.reduce((a, b) => a + b, 0)).toBe(1000 - P);
    expect(o.y.length).toBe(2 * (1000 - P));
  });
});

describe('focalLoss', () => {
  const zs = [-30, -4, -0.7, 0, 0.3, 2.5, 30];
  it('with γ = 0 (and no α) equals the cross-entropy −[y ln σ(z) + (1 − y) ln(1 − σ(z))], gradient σ(z) − y', () => {
    for (const z of zs) for (const y of [0, 1]) {
      const p = 1 / (1 + Math.exp(-z));
      const ce = y ? Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)); // −ln σ(z), −ln(1 − σ(z)), stably
      const f = focalLoss(z, y, { gamma: 0 });
      expect(Math.abs(f.loss - ce)).toBeLessThan(1e-12 * Math.max(1, ce));
      expect(f.grad).toBeCloseTo(p - y, 12);
    }
  });

  it('its gradient matches central finite differences for γ in {0.5, 1, 2, 5} and α in {none, 0.25}', () => {
    const h = 1e-5;
    for (const gamma of [0.5, 1, 2, 5]) for (const alpha of [undefined, 0.25]) for (const z of [-4, -0.7, 0, 0.3, 2.5]) for (const y of [0, 1]) {
      const fd = (focalLoss(z + h, y, { gamma, alpha }).loss - focalLoss(z - h, y, { gamma, alpha }).loss) / (2 * h);
      expect(Math.abs(focalLoss(z, y, { gamma, alpha }).grad - fd)).toBeLessThan(1e-7);
    }
  });

  it('down-weights easy examples: at p_t = 0.9 and γ = 2 the loss is (0.1)² of the cross-entropy', () => {
    const z = Math.log(9); // σ(z) = 0.9
    expect(focalLoss(z, 1, { gamma: 2 }).loss / focalLoss(z, 1, { gamma: 0 }).loss).toBeCloseTo(0.01, 10);
  });

  it('trainFocalLogistic with γ = 0 reaches the cross-entropy optimum of trainLogistic', () => {
    const { X, y } = toy(400, 0.1, 6);
    const a = trainFocalLogistic(X, y, { gamma: 0, l2: 1, iterations: 3000, learningRate: 0.05 });
    const b = trainLogistic(X, y, { l2: 1 });
    for (let j = 0; j < 2; j++) expect(a.weights[j]).toBeCloseTo(b.weights[j], 3);
    expect(a.intercept).toBeCloseTo(b.intercept, 3);
  });
});

interface WeightedRef { name: string; X: number[]; rows: number; cols: number; y: number[]; l2: number; classWeight: string | Record<string, number>; sampleWeight: number[]; weights: number[]; intercept: number }
const refs = JSON.parse(readFileSync(new URL('./refs/imbalance_refs.json', import.meta.url), 'utf8')) as { cases: WeightedRef[] };

describe('class-weighted logistic regression against sklearn LogisticRegression(class_weight=...) (refs/make_imbalance_refs.py)', () => {
  it.each(refs.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const X = { data: Float64Array.from(c.X), rows: c.rows, cols: c.cols };
    const sw = c.classWeight === 'balanced' ? balancedSampleWeights(c.y) : Float64Array.from(c.y, (v) => (c.classWeight as Record<string, number>)[String(v)]);
    for (let i = 0; i < sw.length; i++) expect(sw[i]).toBeCloseTo(c.sampleWeight[i], 12);
    const m = trainLogistic(X, c.y, { l2: c.l2, sampleWeight: sw });
    // sklearn's lbfgs stops near, not at, the optimum that Newton reaches: agreement to about 1e-5.
    for (let j = 0; j < c.cols; j++) expect(Math.abs(m.weights[j] - c.weights[j])).toBeLessThan(5e-5);
    expect(Math.abs(m.intercept - c.intercept)).toBeLessThan(5e-5);
  });
});

describe('thresholdMetrics', () => {
  it('computes precision, recall, F1 and accuracy from the confusion matrix at the threshold', () => {
    const m = thresholdMetrics([1, 1, 0, 0, 0, 1], [0.9, 0.4, 0.6, 0.1, 0.2, 0.7], 0.5);
    expect([m.tp, m.fp, m.fn, m.tn]).toEqual([2, 1, 1, 2]);
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBeCloseTo(2 / 3, 12);
    expect(m.f1).toBeCloseTo(2 / 3, 12);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    expect(thresholdMetrics([1, 0], [0.1, 0.2], 0.5).precision).toBe(0);
  });
});
