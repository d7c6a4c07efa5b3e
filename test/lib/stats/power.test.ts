import { describe, expect, it } from 'vitest';
import { requiredSampleSize, StatsInputError } from '../../../src/lib/stats';
import { refs } from './refs';

describe('requiredSampleSize', () => {
  it('equals ceil of statsmodels samplesize_proportions_2indep_onetail (pooled null, unpooled alternative)', () => {
    for (const r of refs.sampleSize) {
      const n = requiredSampleSize(r);
      expect(n, `${r.baselineRate} + ${r.minDetectableEffect}`).toBe(Math.ceil(r.statsmodelsPooled));
      expect(n).toBe(Math.ceil(r.classic));
    }
  });

  it('is the smallest n whose pooled z-test power (both tails, by scipy) reaches the target', () => {
    for (const r of refs.sampleSize) {
      expect(r.powerAtN).toBeGreaterThanOrEqual(r.power);
      expect(r.powerAtNMinus1).toBeLessThan(r.power);
    }
  });

  it("with method 'cohens-h' matches statsmodels NormalIndPower on Cohen's h to within one user", () => {
    for (const r of refs.sampleSize) {
      const n = requiredSampleSize({ ...r, method: 'cohens-h' });
      expect(Math.abs(n - r.statsmodelsCohensH), `${r.baselineRate}`).toBeLessThanOrEqual(1);
      // The arcsine approximation asks for up to 0.2% fewer users than the pooled formula here.
      expect(n / requiredSampleSize(r)).toBeGreaterThan(0.997);
    }
  });

  it('uses alpha = 0.05 and power = 0.8 by default: 20% baseline, +5 points needs 1,094 per arm', () => {
    expect(requiredSampleSize({ baselineRate: 0.2, minDetectableEffect: 0.05 })).toBe(1094);
  });

  it('rejects a zero effect, rates outside (0, 1) and bad alpha or power', () => {
    expect(() => requiredSampleSize({ baselineRate: 0.2, minDetectableEffect: 0 })).toThrow(/non-zero/);
    expect(() => requiredSampleSize({ baselineRate: 0.95, minDetectableEffect: 0.1 })).toThrow(/\(0, 1\)/);
    expect(() => requiredSampleSize({ baselineRate: 0, minDetectableEffect: 0.1 })).toThrow(StatsInputError);
    expect(() => requiredSampleSize({ baselineRate: 0.2, minDetectableEffect: 0.1, power: 1 })).toThrow(/power/);
    expect(() => requiredSampleSize({ baselineRate: 0.2, minDetectableEffect: NaN })).toThrow(/finite/);
  });
});
