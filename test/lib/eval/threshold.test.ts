import { describe, expect, it } from 'vitest';
import { confusionMatrixAt, netBenefit } from '../../../src/lib/eval';
import { expectAllClose, refs } from './refs';

describe.each(refs.curves)('thresholded decisions, case $name', (c) => {
  it('confusionMatrixAt(score ≥ t) matches sklearn confusion_matrix at every distinct score and beyond both ends', () => {
    for (const ref of c.confusion) {
      expect(confusionMatrixAt(c.y, c.scores, ref.threshold)).toEqual({ tp: ref.tp, fp: ref.fp, tn: ref.tn, fn: ref.fn });
    }
  });

  // Values reach ~60 at pt = 0.99, so 1e-12 absolute allows for rounding of the odds pt/(1−pt).
  it.runIf(c.netBenefit.thresholds.length > 0)('netBenefit matches TP/n − FP/n·pt/(1−pt) and treat-all computed in numpy', () => {
    const nb = netBenefit(c.y, c.scores, c.netBenefit.thresholds);
    expectAllClose(nb.model, c.netBenefit.model, 1e-12);
    expectAllClose(nb.treatAll, c.netBenefit.treatAll, 1e-12);
    expect([...nb.treatNone]).toEqual(c.netBenefit.thresholds.map(() => 0));
  });
});

describe('netBenefit', () => {
  it('reproduces a hand-worked decision curve point: 10 cases, 3 positives, pt = 0.2', () => {
    // Treated: scores ≥ 0.2 → cases 0..5 (TP 3, FP 3). NB = 3/10 − 3/10 · 0.25 = 0.225.
    // Treat all: 0.3 − 0.7 · 0.25 = 0.125.
    const y = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    const p = [0.9, 0.6, 0.2, 0.5, 0.3, 0.2, 0.1, 0.1, 0.05, 0.0];
    const nb = netBenefit(y, p, [0.2]);
    expect(nb.model[0]).toBeCloseTo(0.225, 15);
    expect(nb.treatAll[0]).toBeCloseTo(0.125, 15);
  });

  it('equals treat-all at pt = 0 when every score is positive', () => {
    const nb = netBenefit([1, 0, 1, 0], [0.1, 0.2, 0.3, 0.4], [0]);
    expect(nb.model[0]).toBe(nb.treatAll[0]);
    expect(nb.model[0]).toBe(0.5);
  });
});
