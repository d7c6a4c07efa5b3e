import { describe, expect, it } from 'vitest';
import { benjaminiHochberg, bonferroni, StatsInputError } from '../../../src/lib/stats';
import { expectClose, refs } from './refs';

describe('multiple-testing corrections', () => {
  it("benjaminiHochberg matches statsmodels multipletests('fdr_bh'): rejections exactly, adjusted p to 1e-13", () => {
    for (const r of refs.multiple) {
      const res = benjaminiHochberg(r.pValues, r.level);
      expect(res.rejected).toEqual(r.bhRejected);
      res.adjusted.forEach((v, i) => expectClose(v, r.bhAdjusted[i], 1e-13, 0, `bh[${i}]`));
    }
  });

  it("bonferroni matches statsmodels multipletests('bonferroni')", () => {
    for (const r of refs.multiple) {
      const res = bonferroni(r.pValues, r.level);
      expect(res.rejected).toEqual(r.bonfRejected);
      res.adjusted.forEach((v, i) => expectClose(v, r.bonfAdjusted[i], 1e-13, 0, `bonf[${i}]`));
    }
  });

  it('BH rejects a superset of Bonferroni on the same p-values', () => {
    for (const r of refs.multiple) {
      const bh = benjaminiHochberg(r.pValues, r.level).rejected;
      bonferroni(r.pValues, r.level).rejected.forEach((rej, i) => {
        if (rej) expect(bh[i]).toBe(true);
      });
    }
  });

  it('rejects p-values outside [0, 1], NaN and empty lists', () => {
    expect(() => benjaminiHochberg([0.1, 1.2])).toThrow(/\[0, 1\]/);
    expect(() => bonferroni([NaN])).toThrow(StatsInputError);
    expect(() => bonferroni([])).toThrow(/at least one/);
    expect(() => benjaminiHochberg([0.1], 0)).toThrow(/q must/);
  });
});
