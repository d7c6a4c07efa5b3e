import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { applyGroupThresholds, fitGroupThresholds, reweighing } from '../../../src/lib/eval/mitigation';
import { temperatureScaling } from '../../../src/lib/eval/temperature';
import { expectAllClose } from './refs';

const refs = JSON.parse(readFileSync(new URL('./refs/logistic_refs.json', import.meta.url), 'utf8')) as {
  reweighing: { y: number[]; groups: number[]; weights: number[] };
  temperature: { logits: number[]; y: number[]; temperature: number };
};

describe('reweighing(y, groups)', () => {
  it('gives P(g)P(y)/P(g,y), as AIF360 computes it (three groups)', () => {
    expectAllClose(reweighing(refs.reweighing.y, refs.reweighing.groups), refs.reweighing.weights, 1e-14);
  });

  it('makes group and label independent in the weighted data', () => {
    const { y, groups } = refs.reweighing;
    const w = reweighing(y, groups);
    const total = w.reduce((a, b) => a + b, 0);
    const wPos = w.reduce((a, v, i) => a + v * y[i], 0) / total;
    for (const g of [0, 1, 2]) {
      const idx = groups.map((v, i) => (v === g ? i : -1)).filter((i) => i >= 0);
      const wg = idx.reduce((a, i) => a + w[i], 0);
      expect(idx.reduce((a, i) => a + w[i] * y[i], 0) / wg).toBeCloseTo(wPos, 12);
    }
  });

  it('rejects mismatched lengths and non-binary labels', () => {
    expect(() => reweighing([0, 1], [0])).toThrow(/same length/);
    expect(() => reweighing([0, 2], [0, 1])).toThrow(/0 or 1/);
  });
});

describe('fitGroupThresholds / applyGroupThresholds', () => {
  // Group a scores high, group b low: one threshold selects a far more often.
  const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.35, 0.3, 0.2, 0.1];
  const groups = ['a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'b', 'b'];
  const y = [1, 1, 0, 1, 0, 1, 1, 0, 0, 0];

  it('demographic parity: each group selected at the overall rate of the base threshold', () => {
    const fit = fitGroupThresholds(scores, y, groups, 'demographic-parity', 0.55);
    expect(fit.targetRate).toBe(0.4);
    expect(fit.thresholds.get('a')).toBe(0.8);
    expect(fit.thresholds.get('b')).toBe(0.35);
    const d = applyGroupThresholds(scores, groups, fit);
    expect(Array.from(d)).toEqual([1, 1, 0, 0, 0, 1, 1, 0, 0, 0]);
  });

  it('equal opportunity: each group’s positives selected at the overall TPR', () => {
    const fit = fitGroupThresholds(scores, y, groups, 'equal-opportunity', 0.55);
    expect(fit.targetRate).toBe(0.6); // positives 0.9 0.8 0.6 0.4 0.35: 3 of 5 above 0.55
    const d = applyGroupThresholds(scores, groups, fit);
    // a: positives 0.9, 0.8, 0.6 → round(0.6·3) = 2 → threshold 0.8; b: 0.4, 0.35 → 1 → 0.4.
    expect(Array.from(d)).toEqual([1, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
  });

  it('says which group has no threshold', () => {
    const fit = fitGroupThresholds(scores, y, groups, 'demographic-parity', 0.5);
    expect(() => applyGroupThresholds([0.5], ['c'], fit)).toThrow(/group c had no threshold/);
  });
});

describe('temperatureScaling(logits, y)', () => {
  it('finds the temperature that scipy’s bounded minimiser finds for the log-loss', () => {
    const t = temperatureScaling(refs.temperature.logits, refs.temperature.y);
    expect(Math.abs(t.temperature - refs.temperature.temperature)).toBeLessThan(1e-6);
    expect(t(0)).toBe(0.5);
  });

  it('rejects a ranking that is backwards and NaN', () => {
    expect(() => temperatureScaling([2, 1, -1, -2], [0, 0, 1, 1])).toThrow(/backwards/);
    expect(() => temperatureScaling([NaN, 1], [0, 1])).toThrow(/finite/);
  });
});
