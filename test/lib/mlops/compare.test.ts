import { describe, expect, it } from 'vitest';
import { mannWhitneyU, ranks } from '../../../src/lib/mlops';
import { refs } from './refs';

describe('mannWhitneyU', () => {
  for (const c of refs.mannwhitney) {
    it(`matches scipy.stats.mannwhitneyu (asymptotic, continuity) for n = ${c.x.length}, ${c.y.length}, ${c.alternative}`, () => {
      const r = mannWhitneyU(c.x, c.y, c.alternative);
      expect(r.u).toBeCloseTo(c.u, 10);
      expect(r.p).toBeCloseTo(c.p, 10);
    });
  }

  it('ranks ties at their mean rank: [3, 1, 3, 2] → [3.5, 1, 3.5, 2], tie term 2³ − 2 = 6', () => {
    const r = ranks([3, 1, 3, 2]);
    expect(Array.from(r.ranks)).toEqual([3.5, 1, 3.5, 2]);
    expect(r.tieTerm).toBe(6);
  });

  it('all values tied gives p = 1; an empty or non-finite sample is refused', () => {
    expect(mannWhitneyU([1, 1], [1, 1, 1]).p).toBe(1);
    expect(() => mannWhitneyU([], [1])).toThrow(/at least one value/);
    expect(() => mannWhitneyU([NaN], [1])).toThrow(/finite/);
  });
});
