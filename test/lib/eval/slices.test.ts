import { describe, expect, it } from 'vitest';
import { sliceMetrics, worstSlices } from '../../../src/lib/eval/slices';
import { normalSf } from '../../../src/lib/stats/dist';

describe('sliceMetrics / worstSlices', () => {
  // 8 cases: x numeric, c categorical; the model errs on cases 0, 1, 2 (all x < 2.75, two with c = 1).
  const x = [1, 2, 2.5, 3, 4, 5, 6, 7];
  const c = [1, 1, 0, 0, 1, 0, 1, 0];
  const y = [1, 0, 1, 0, 1, 0, 1, 0];
  const pred = [0, 1, 0, 0, 1, 0, 1, 0];
  const cols = [{ name: 'x', kind: 'numeric' as const, values: x }, { name: 'c', kind: 'categorical' as const, values: c }];

  it('cuts numeric features at quantiles, counts errors per slice and per pair of slices', () => {
    const r = sliceMetrics(cols, y, pred, { bins: 2, minSize: 1 });
    expect(r.errorRate).toBe(3 / 8);
    // Median of x (numpy linear) = 3.5.
    const low = r.slices.find((s) => s.description === 'x < 3.5')!;
    expect([low.n, low.errors]).toEqual([4, 3]);
    const pair = r.slices.find((s) => s.description === 'x < 3.5 and c = 1')!;
    expect([pair.n, pair.errors, pair.positiveRate]).toEqual([2, 2, 0.5]);
    // 2 + 2 single slices and 2·2 pairs, all non-empty.
    expect(r.tested).toBe(8);
  });

  it('z and the Bonferroni-adjusted one-sided p follow the binomial normal approximation', () => {
    const r = sliceMetrics(cols, y, pred, { bins: 2, minSize: 1 });
    const low = r.slices.find((s) => s.description === 'x < 3.5')!;
    const e = 3 / 8;
    const z = (0.75 - e) / Math.sqrt((e * (1 - e)) / 4);
    expect(low.z).toBeCloseTo(z, 12);
    expect(low.pAdjusted).toBeCloseTo(Math.min(1, 8 * normalSf(z)), 12);
  });

  it('worstSlices ranks by error rate, larger slice first on ties, and minSize drops small slices', () => {
    const r = sliceMetrics(cols, y, pred, { bins: 2, minSize: 1 });
    const w = worstSlices(r, 4);
    // Error rates 1, 0.75, then a tie at 0.5 between "c = 1" (4 cases) and a 2-case pair.
    expect(w.map((s) => s.description)).toEqual(['x < 3.5 and c = 1', 'x < 3.5', 'c = 1', 'x < 3.5 and c = 0']);
    expect(sliceMetrics(cols, y, pred, { bins: 2, minSize: 3 }).slices.every((s) => s.n >= 3)).toBe(true);
  });

  it('rejects mismatched columns and NaN values with the column named', () => {
    expect(() => sliceMetrics([{ name: 'x', kind: 'numeric', values: [1, 2] }], y, pred)).toThrow(/x has 2/);
    expect(() => sliceMetrics([{ name: 'x', kind: 'numeric', values: x.map((v, i) => (i ? v : NaN)) }], y, pred)).toThrow(/x\[0\] is NaN/);
  });
});
