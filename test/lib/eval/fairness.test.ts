import { describe, expect, it } from 'vitest';
import {
  EvalInputError,
  demographicParityDifference,
  disparateImpactRatio,
  equalOpportunityDifference,
  equalizedOddsDifference,
  groupRates,
} from '../../../src/lib/eval';
import { expectAllClose, refs } from './refs';

// Ratios of counts up to 600: 1e-15 absolute covers the one rounding in each.
const EXACT = 1e-15;

describe.each(refs.fairness)("fairlearn's definitions on per-group sklearn confusion matrices, case $name", (c) => {
  it('groupRates gives each group’s selection rate, TPR and FPR', () => {
    const rates = groupRates(c.y, c.yPred, c.groups);
    expectAllClose(rates.map((r) => r.selectionRate), c.selectionRate, EXACT);
    expectAllClose(rates.map((r) => r.tpr), c.tpr, EXACT);
    expectAllClose(rates.map((r) => r.fpr), c.fpr, EXACT);
  });

  it('demographicParityDifference is the largest gap in selection rate', () => {
    expect(Math.abs(demographicParityDifference(c.yPred, c.groups) - c.dpd)).toBeLessThanOrEqual(EXACT);
  });

  it('equalizedOddsDifference is the larger of the largest TPR and FPR gaps', () => {
    expect(Math.abs(equalizedOddsDifference(c.y, c.yPred, c.groups) - c.eod)).toBeLessThanOrEqual(EXACT);
  });

  it('equalOpportunityDifference is the largest TPR gap', () => {
    expect(Math.abs(equalOpportunityDifference(c.y, c.yPred, c.groups) - c.eopp)).toBeLessThanOrEqual(EXACT);
  });

  it('disparateImpactRatio is the smallest over largest selection rate', () => {
    expect(Math.abs(disparateImpactRatio(c.yPred, c.groups) - c.dir)).toBeLessThanOrEqual(EXACT);
  });
});

describe('fairness metrics by hand', () => {
  // Group a: y 1,1,0,0 ŷ 1,1,1,0 → selection 3/4, TPR 1, FPR 1/2.
  // Group b: y 1,1,0,0 ŷ 1,0,0,0 → selection 1/4, TPR 1/2, FPR 0.
  const y = [1, 1, 0, 0, 1, 1, 0, 0];
  const yPred = [1, 1, 1, 0, 1, 0, 0, 0];
  const g = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b'];

  it('give the worked values', () => {
    expect(demographicParityDifference(yPred, g)).toBe(0.5);
    expect(equalOpportunityDifference(y, yPred, g)).toBe(0.5);
    expect(equalizedOddsDifference(y, yPred, g)).toBe(0.5);
    expect(disparateImpactRatio(yPred, g)).toBe(1 / 3);
  });

  it('are 0 (ratio 1) when the groups are treated alike', () => {
    const same = [1, 0, 1, 0, 1, 0, 1, 0];
    expect(demographicParityDifference(same, g)).toBe(0);
    expect(equalizedOddsDifference(y, [1, 1, 0, 0, 1, 1, 0, 0], g)).toBe(0);
    expect(disparateImpactRatio(same, g)).toBe(1);
  });

  it('refuse a group without positives for TPR, a single group, and no selections at all', () => {
    expect(() => equalOpportunityDifference([1, 1, 0, 0], [1, 0, 1, 0], ['a', 'a', 'b', 'b'])).toThrow(/group b has no positive/);
    expect(() => demographicParityDifference([1, 0], ['a', 'a'])).toThrow(EvalInputError);
    expect(() => disparateImpactRatio([0, 0, 0], ['a', 'b', 'b'])).toThrow(/0\/0/);
  });
});
