import { describe, expect, it } from 'vitest';
import { brierScore, expectedCalibrationError, reliabilityDiagram } from '../../../src/lib/eval';
import { expectAllClose, refs } from './refs';

// Sums of a few hundred terms in a different order from numpy: 1e-12 absolute.
const EXACT = 1e-12;

describe.each(refs.calibration)('calibration metrics, case $name', (c) => {
  it('brierScore matches sklearn brier_score_loss', () => {
    expect(Math.abs(brierScore(c.y, c.probs) - c.brier)).toBeLessThanOrEqual(EXACT);
  });

  it.each(c.bins)('reliabilityDiagram with $bins bins matches sklearn calibration_curve(strategy="uniform")', (ref) => {
    const d = reliabilityDiagram(c.y, c.probs, ref.bins);
    expect([...d.counts]).toEqual(ref.counts);
    const filled = (a: Float64Array) => [...a].filter((_, b) => d.counts[b] > 0);
    expectAllClose(filled(d.frequency), ref.frequency, EXACT);
    expectAllClose(filled(d.meanProb), ref.meanProb, EXACT);
    expect([...d.meanProb].filter((_, b) => d.counts[b] === 0).every(Number.isNaN)).toBe(true);
    expect(d.edges[0]).toBe(0);
    expect(d.edges[ref.bins]).toBe(1);
  });

  it.each(c.bins)('expectedCalibrationError with $bins bins matches Σ n_b/n·|freq_b − conf_b| from numpy', (ref) => {
    expect(Math.abs(expectedCalibrationError(c.y, c.probs, { bins: ref.bins }) - ref.ece)).toBeLessThanOrEqual(EXACT);
  });
});

describe('expectedCalibrationError', () => {
  it('defaults to 10 bins', () => {
    const c = refs.calibration[0];
    expect(expectedCalibrationError(c.y, c.probs)).toBe(expectedCalibrationError(c.y, c.probs, { bins: 10 }));
  });

  it('puts a probability on a bin edge in the bin below, (0.2, 0.3] for 0.3', () => {
    const d = reliabilityDiagram([1, 0], [0.3, 0.30000000000000004], 10);
    expect(d.counts[2]).toBe(2); // 0.30000000000000004 = 3·(1/10), numpy's edge, still in (0.2, 0.3]
    expect(reliabilityDiagram([1], [0], 10).counts[0]).toBe(1);
    expect(reliabilityDiagram([1], [1], 10).counts[9]).toBe(1);
  });

  it('is 0 for forecasts that equal the observed frequency in every bin', () => {
    // Bin (0.2, 0.3]: 4 cases at 0.25, 1 positive. Bin (0.7, 0.8]: 4 cases at 0.75, 3 positives.
    const y = [1, 0, 0, 0, 1, 1, 1, 0];
    const p = [0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75];
    expect(expectedCalibrationError(y, p)).toBe(0);
    expect(brierScore(y, p)).toBe(0.1875);
  });
});
