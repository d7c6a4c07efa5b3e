import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/lib/core/rng';
import { makePopulation, SAMPLING_SIM_DEFAULTS, simulateSampling, validateSamplingSim } from '../../../src/lib/runners/sampling';

describe('simulateSampling', () => {
  const settings = { ...SAMPLING_SIM_DEFAULTS, population: 2000, sampleSize: 50, draws: 2000, trainRows: 10000, positiveRate: 0.01 };

  it('the random samplers are unbiased within 4 standard errors; the convenience sample is biased by exactly mean(first n) − truth', async () => {
    const r = await simulateSampling(settings);
    expect(Array.from(makePopulation(300, mulberry32(4)).spend)).toEqual(Array.from(makePopulation(300, mulberry32(4)).spend));
    const truth = r.population.spend.reduce((a, b) => a + b, 0) / settings.population;
    expect(r.truth).toBeCloseTo(truth, 9);
    for (const k of [0, 1, 2, 3]) expect(Math.abs(r.stats[k].bias)).toBeLessThan(4 * Math.sqrt(r.stats[k].variance / settings.draws));
    let first = 0;
    for (let i = 0; i < settings.sampleSize; i++) first += r.population.spend[i];
    expect(r.stats[5].bias).toBeCloseTo(first / settings.sampleSize - truth, 9);
    expect(r.stats[5].variance).toBeLessThan(1e-12);
    // Stratifying by segment removes the between-segment variance.
    expect(r.stats[1].variance).toBeLessThan(r.stats[0].variance / 2);
    // Simple random sampling's variance matches (1 − n/N)·S²/n, the finite-population formula, within 10%.
    const S2 = r.population.spend.reduce((a, y) => a + (y - truth) ** 2, 0) / (settings.population - 1);
    const expected = (1 - settings.sampleSize / settings.population) * S2 / settings.sampleSize;
    expect(r.stats[0].variance / expected).toBeGreaterThan(0.9);
    expect(r.stats[0].variance / expected).toBeLessThan(1.1);
    // The samples table holds the first 20 draws of each sampler.
    expect(new Set(r.samples.draw).size).toBe(20);
  });

  it('imbalance: untreated is accurate but blind; resampling sizes are as asked; class weights raise recall', async () => {
    const r = await simulateSampling(settings);
    const m = Object.fromEntries(r.methods.map((name, k) => [name, r.imbalance[k]]));
    expect(m['as is'].accuracy).toBeGreaterThan(0.98);
    expect(m['class weights'].recall).toBeGreaterThan(2 * m['as is'].recall);
    const P = m['as is'].trainPositives;
    expect(m.undersample.trainRows).toBe(2 * P);
    expect(m.oversample.trainRows).toBe(2 * (settings.trainRows - P));
    expect(m.SMOTE.trainPositives).toBe(settings.trainRows - P);
    for (const x of r.imbalance) {
      expect(x.prAuc).toBeGreaterThan(0);
      expect(x.prRecall.length).toBeLessThanOrEqual(200);
    }
  });

  it('is seeded, and validateSamplingSim names the bad setting', async () => {
    const small = { ...settings, draws: 50, trainRows: 2000, positiveRate: 0.05 };
    const a = await simulateSampling(small);
    const b = await simulateSampling(small);
    expect(Array.from(a.estimates[2])).toEqual(Array.from(b.estimates[2]));
    expect(() => validateSamplingSim({ ...settings, sampleSize: 1500 })).toThrow(/sampleSize/);
    expect(() => validateSamplingSim({ ...settings, positiveRate: 0.0001 })).toThrow(/positiveRate/);
    expect(() => validateSamplingSim({ ...settings, positiveRate: 0.001, trainRows: 1000 })).toThrow(/positives/);
  });
});
