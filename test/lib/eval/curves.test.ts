import { describe, expect, it } from 'vitest';
import { averagePrecision, prCurve, rocAuc, rocCurve } from '../../../src/lib/eval';
import { expectAllClose, refs } from './refs';

// sklearn and this code sum the same rational terms in different orders: 1e-12 absolute.
const EXACT = 1e-12;

describe.each(refs.curves)('ranking curves, case $name', (c) => {
  it('rocAuc matches sklearn roc_auc_score, ties counting half', () => {
    expect(Math.abs(rocAuc(c.y, c.scores) - c.auc)).toBeLessThanOrEqual(EXACT);
  });

  it('averagePrecision matches sklearn average_precision_score', () => {
    expect(Math.abs(averagePrecision(c.y, c.scores) - c.ap)).toBeLessThanOrEqual(EXACT);
  });

  it("rocCurve(points: 'all') matches sklearn roc_curve(drop_intermediate=False)", () => {
    const r = rocCurve(c.y, Float64Array.from(c.scores));
    expectAllClose(r.fpr, c.roc.fpr, EXACT);
    expectAllClose(r.tpr, c.roc.tpr, EXACT);
    expect(r.thresholds[0]).toBe(Infinity);
    expectAllClose(r.thresholds.subarray(1), c.roc.thresholds, 0);
  });

  it("rocCurve(points: 'corners') matches sklearn roc_curve(drop_intermediate=True)", () => {
    const r = rocCurve(c.y, c.scores, { points: 'corners' });
    expectAllClose(r.fpr, c.rocCorners.fpr, EXACT);
    expectAllClose(r.tpr, c.rocCorners.tpr, EXACT);
    expectAllClose(r.thresholds.subarray(1), c.rocCorners.thresholds, 0);
  });

  it('prCurve matches sklearn precision_recall_curve', () => {
    const r = prCurve(c.y, c.scores);
    expectAllClose(r.precision, c.pr.precision, EXACT);
    expectAllClose(r.recall, c.pr.recall, EXACT);
    expectAllClose(r.thresholds, c.pr.thresholds, 0);
  });
});

describe('rocAuc', () => {
  it('equals the Mann–Whitney probability P(s+ > s−) + ½ P(s+ = s−), counted pair by pair', () => {
    const c = refs.curves.find((k) => k.name === 'integer_scores')!;
    let wins = 0;
    let pairs = 0;
    c.y.forEach((yi, i) => {
      if (yi !== 1) return;
      c.y.forEach((yj, j) => {
        if (yj !== 0) return;
        pairs++;
        wins += c.scores[i] > c.scores[j] ? 1 : c.scores[i] === c.scores[j] ? 0.5 : 0;
      });
    });
    expect(Math.abs(rocAuc(c.y, c.scores) - wins / pairs)).toBeLessThanOrEqual(EXACT);
  });

  it('is unchanged by a strictly increasing transform of the scores', () => {
    const c = refs.curves.find((k) => k.name === 'ties')!;
    const transformed = c.scores.map((s) => Math.exp(3 * s) - 7);
    expect(rocAuc(c.y, transformed)).toBe(rocAuc(c.y, c.scores));
  });
});
