import { describe, expect, it } from 'vitest';
import { cuped, StatsInputError } from '../../../src/lib/stats';
import { expectClose, refs } from './refs';

describe('cuped', () => {
  it('theta matches the sklearn LinearRegression slope and the adjusted metric numpy, to 1e-12', () => {
    for (const r of refs.cuped) {
      const res = cuped(r.y, r.x);
      expectClose(res.theta, r.theta, 1e-12, 0, `${r.name} theta`);
      r.adjustedHead.forEach((v, i) => expectClose(res.adjusted[i], v, 1e-12, 1e-14, `${r.name} adjusted[${i}]`));
      let mean = 0;
      for (const v of res.adjusted) mean += v / res.adjusted.length;
      expectClose(mean, r.adjustedMean, 1e-12, 0, `${r.name} mean kept`);
    }
  });

  it('varianceReduction equals 1 − var(adjusted)/var(y) from numpy and the squared correlation', () => {
    for (const r of refs.cuped) {
      const { varianceReduction } = cuped(r.y, r.x);
      expectClose(varianceReduction, r.varianceReduction, 1e-10, 0, r.name);
      expectClose(varianceReduction, r.corr2, 1e-10, 0, `${r.name} vs corr²`);
    }
  });

  it('applies a given theta (pooled over arms) instead of estimating one', () => {
    const r = refs.cuped[0];
    const res = cuped(r.y, r.x, { theta: 0 });
    expect(res.theta).toBe(0);
    expect(Array.from(res.adjusted)).toEqual(r.y);
    expect(res.varianceReduction).toBeCloseTo(0, 14);
  });

  it('rejects mismatched lengths, constant covariates, short samples and NaN', () => {
    expect(() => cuped([1, 2, 3], [1, 2])).toThrow(/3 values but covariate has 2/);
    expect(() => cuped([1, 2, 3], [1, 1, 1])).toThrow(/covariate to vary/);
    expect(() => cuped([1], [1])).toThrow(StatsInputError);
    expect(() => cuped([1, NaN], [1, 2])).toThrow(/y\[1\]/);
  });
});
