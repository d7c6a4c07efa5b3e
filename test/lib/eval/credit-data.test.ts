import { describe, expect, it } from 'vitest';
import { CREDIT_FEATURES, makeCreditData, splitIndices } from '../../../src/lib/eval/credit-data';
import { rocAuc } from '../../../src/lib/eval';
import { run as runFairness, defaults as FAIRNESS_DEFAULTS } from '../../../src/lib/runners/fairness';
import { quietContext } from '../../../src/lib/core/task';

const mean = (a: ArrayLike<number>, keep: (i: number) => boolean = () => true) => {
  let s = 0, n = 0;
  for (let i = 0; i < a.length; i++) {
    if (!keep(i)) continue;
    s += a[i];
    n++;
  }
  return { m: s / n, n };
};
/** A rate measured on n cases: 4.5 binomial standard errors (a false alarm about once in 150,000 runs). */
const tol = (p: number, n: number) => 4.5 * Math.sqrt((p * (1 - p)) / n);

describe('makeCreditData: every injected bias is recovered by measuring it', () => {
  const n = 60_000;
  const d = makeCreditData({ n, seed: 11, labelBias: 0.3, labelNoise: 0.1, proxyStrength: 0.8, defaultRate: 0.2, groupShare: 0.4 });
  const g1 = (i: number) => d.group[i] === 1;
  const g0 = (i: number) => d.group[i] === 0;

  it('is deterministic in its seed, and the seed matters', () => {
    const a = makeCreditData({ n: 500, seed: 3 });
    const b = makeCreditData({ n: 500, seed: 3 });
    const c = makeCreditData({ n: 500, seed: 4 });
    expect(a.X.data).toEqual(b.X.data);
    expect(a.y).toEqual(b.y);
    expect(a.X.data).not.toEqual(c.X.data);
  });

  it('gives both groups the same true default rate, near defaultRate', () => {
    const r0 = mean(d.yTrue, g0), r1 = mean(d.yTrue, g1);
    expect(Math.abs(r0.m - r1.m)).toBeLessThan(tol(0.2, r0.n) + tol(0.2, r1.n));
    expect(Math.abs(mean(d.pTrue).m - 0.2)).toBeLessThan(1e-6); // the intercept is solved for it
    expect(Math.abs(mean(d.group).m - 0.4)).toBeLessThan(tol(0.4, n));
  });

  it('recorded label rate in group 1 = noise + (1 − 2·noise)·(r + bias·(1 − r)), in group 0 without the bias term', () => {
    const r1 = mean(d.yTrue, g1).m;
    const r0 = mean(d.yTrue, g0).m;
    const e = 0.1;
    const want1 = e + (1 - 2 * e) * (r1 + 0.3 * (1 - r1));
    const want0 = e + (1 - 2 * e) * r0;
    const got1 = mean(d.y, g1), got0 = mean(d.y, g0);
    expect(Math.abs(got1.m - want1)).toBeLessThan(tol(want1, got1.n));
    expect(Math.abs(got0.m - want0)).toBeLessThan(tol(want0, got0.n));
    // The switches are recorded row by row: the biased rows are group-1 true repayers.
    for (let i = 0; i < n; i++) if (d.biased[i]) expect(d.group[i] === 1 && d.yTrue[i] === 0).toBe(true);
    expect(Math.abs(mean(d.flipped).m - 0.1)).toBeLessThan(tol(0.1, n));
  });

  it('the proxy reveals the group in proportion to proxyStrength and says nothing about repayment beyond it', () => {
    const col = CREDIT_FEATURES.indexOf('neighbourhood');
    const proxyAuc = (strength: number) => {
      const e = makeCreditData({ n: 20_000, seed: 5, proxyStrength: strength });
      return rocAuc(e.group, Float64Array.from({ length: e.X.rows }, (_, i) => e.X.data[i * e.X.cols + col]));
    };
    const [a0, a5, a10] = [proxyAuc(0), proxyAuc(0.5), proxyAuc(1)];
    expect(Math.abs(a0 - 0.5)).toBeLessThan(0.02);
    expect(a5).toBeGreaterThan(0.75);
    expect(a10).toBeGreaterThan(a5 + 0.05);
    // Within group 0 the proxy does not rank true defaulters (its only link to risk is the group).
    const idx = Array.from({ length: n }, (_, i) => i).filter(g0);
    const auc = rocAuc(idx.map((i) => d.yTrue[i]), idx.map((i) => d.X.data[i * d.X.cols + col]));
    expect(Math.abs(auc - 0.5)).toBeLessThan(0.02);
  });

  it('rejects options out of range with the field named', () => {
    expect(() => makeCreditData({ n: 10 })).toThrow(/n is 10/);
    expect(() => makeCreditData({ labelNoise: 0.6 })).toThrow(/labelNoise/);
    expect(() => makeCreditData({ proxyStrength: NaN })).toThrow(/proxyStrength/);
  });

  it('splitIndices is a seeded partition', () => {
    const s = splitIndices(1000, 2);
    const all = [...s.train, ...s.calibration, ...s.test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([s.train.length, s.calibration.length, s.test.length]).toEqual([600, 200, 200]);
  });
});

describe('the fairness pipeline on held-out data (seeded, 12,000 applicants)', () => {
  const biased = runFairness(quietContext, { ...FAIRNESS_DEFAULTS, n: 12_000, labelBias: 0.3, proxyStrength: 0.8 });
  const fair = runFairness(quietContext, { ...FAIRNESS_DEFAULTS, n: 12_000, labelBias: 0, proxyStrength: 0.8 });
  const v = (r: typeof biased, name: string) => r.variants.find((x) => x.variant === name)!;

  it('the audit finds the injected label gap before any training, and none in the clean labels', () => {
    const a = biased.audit;
    expect(a.recordedRate[1] - a.recordedRate[0]).toBeGreaterThan(0.15);
    expect(Math.abs(a.trueRate[1] - a.trueRate[0])).toBeLessThan(0.04);
    expect(Math.abs(fair.audit.recordedRate[1] - fair.audit.recordedRate[0])).toBeLessThan(0.04);
  });

  it('a model trained on biased labels shows a parity gap; without injected bias it does not', () => {
    expect(v(biased, 'with group').dpd).toBeGreaterThan(0.15);
    expect(v(fair, 'with group').dpd).toBeLessThan(0.05);
  });

  it('removing the protected attribute leaves the bias while the proxy remains; removing the proxy too removes it', () => {
    const withG = v(biased, 'with group').dpd;
    const noG = v(biased, 'without group').dpd;
    const noP = v(biased, 'without group or proxy').dpd;
    expect(noG).toBeGreaterThan(0.6 * withG);
    expect(noP).toBeLessThan(0.05);
  });

  it('each mitigation reduces its target gap on the test split', () => {
    const base = v(biased, 'without group');
    expect(v(biased, 'reweighing').dpd).toBeLessThan(base.dpd / 2);
    expect(v(biased, 'fairness penalty').dpd).toBeLessThan(base.dpd / 2);
    expect(v(biased, 'group thresholds (parity)').dpd).toBeLessThan(base.dpd / 2);
    expect(v(biased, 'group thresholds (opportunity)').eopp).toBeLessThan(base.eopp / 2);
  });

});
