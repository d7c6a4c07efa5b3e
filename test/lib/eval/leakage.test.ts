import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/lib/core/rng';
import { rocAuc } from '../../../src/lib/eval/curves';
import { makeChurn, CHURN_FEATURES } from '../../../src/lib/data/churn';
import { KnnIndex, knnScores } from '../../../src/lib/data/knn';
import { chanceAucBound, importanceSpike, NO_LEAKS, PIPELINE_DEFAULTS, runPipeline, splitRows } from '../../../src/lib/eval/leakage';
import { LEAKAGE_SIM_DEFAULTS, simulateLeakage, validateLeakageSim } from '../../../src/lib/runners/leakage';

const table = makeChurn({ seed: 3, customers: 800 });
const F = CHURN_FEATURES.length;
const OFFER = CHURN_FEATURES.indexOf('retention_offer');
const streams = (seed: number) => {
  let n = 0;
  return () => mulberry32(seed * 1000 + n++);
};

describe('makeChurn', () => {
  it('is seeded, ends each customer at their churn, and leaves retention_offer at 0 in the future months', () => {
    const again = makeChurn({ seed: 3, customers: 800 });
    expect(Array.from(again.features)).toEqual(Array.from(table.features));
    expect(table.features.length).toBe(table.rows * F);
    for (let i = 0; i < table.rows; i++) {
      if (table.churnNext[i] === 1 && i + 1 < table.rows) expect(table.customerId[i + 1]).not.toBe(table.customerId[i]);
      if (table.month[i] >= table.options.futureFrom) expect(table.features[i * F + OFFER]).toBe(0);
    }
    // In the past the offer goes mostly to churners: a post-outcome column.
    let offerChurn = 0, churn = 0, offerStay = 0, stay = 0;
    for (let i = 0; i < table.rows; i++) {
      if (table.month[i] >= table.options.futureFrom) continue;
      if (table.churnNext[i]) { churn++; offerChurn += table.features[i * F + OFFER]; } else { stay++; offerStay += table.features[i * F + OFFER]; }
    }
    expect(offerChurn / churn).toBeGreaterThan(0.45);
    expect(offerStay / stay).toBeLessThan(0.05);
    expect(() => makeChurn({ customers: 3 })).toThrow(RangeError);
  });
});

describe('splitRows', () => {
  it('a time split validates on the latest development months; a random split draws as many rows from all of them', () => {
    const t = splitRows(table, NO_LEAKS, PIPELINE_DEFAULTS, mulberry32(1));
    const from = table.options.futureFrom - PIPELINE_DEFAULTS.valMonths;
    for (const i of t.train) expect(table.month[i]).toBeLessThan(from);
    for (const i of t.val) expect(table.month[i] >= from && table.month[i] < table.options.futureFrom).toBe(true);
    for (const i of t.test) expect(table.month[i]).toBeGreaterThanOrEqual(table.options.futureFrom);
    const r = splitRows(table, { ...NO_LEAKS, split: true }, PIPELINE_DEFAULTS, mulberry32(1));
    expect(r.val.length).toBe(t.val.length);
    expect(r.train.length).toBe(t.train.length);
    expect(new Set(Array.from(r.val, (i) => table.month[i])).size).toBe(table.options.futureFrom);
  });

  it('the duplicates leak appends copies of round(share × train) training rows to validation', () => {
    const d = splitRows(table, { ...NO_LEAKS, duplicates: true }, PIPELINE_DEFAULTS, mulberry32(2));
    expect(d.copies.length).toBe(Math.round(PIPELINE_DEFAULTS.duplicateShare * d.train.length));
    const train = new Set(d.train);
    for (const i of d.copies) expect(train.has(i)).toBe(true);
    expect(Array.from(d.val.slice(d.val.length - d.copies.length))).toEqual(Array.from(d.copies));
  });
});

describe('the null model as a leak detector', () => {
  it('on shuffled labels scores within chance when preprocessing is fitted on train only, above it when fitted on train + validation', () => {
    const clean = runPipeline(table, NO_LEAKS, PIPELINE_DEFAULTS, streams(5), { shuffleLabels: true });
    const leaky = runPipeline(table, { ...NO_LEAKS, preprocessing: true }, PIPELINE_DEFAULTS, streams(5), { shuffleLabels: true });
    expect(clean.valAuc).toBeLessThan(chanceAucBound(clean.yVal));
    expect(leaky.valAuc).toBeGreaterThan(chanceAucBound(leaky.yVal) + 0.05);
    // The future test set is outside every fit: the leaky encoding buys nothing there.
    expect(Math.abs(leaky.testAuc - 0.5)).toBeLessThan(0.1);
  });
});

describe('knnScores', () => {
  it('the k-d tree equals a brute-force sort of distances (share of positives among the k nearest), duplicated rows and ties included', () => {
    const rng = mulberry32(9);
    const n = 400, m = 3, k = 7;
    // Coarse coordinates (multiples of 0.1) and 50 repeated rows make many exact ties.
    const Xt = { data: Float64Array.from({ length: n * m }, () => Math.round(rng() * 10) / 10), rows: n, cols: m };
    for (let i = 0; i < 50; i++) Xt.data.copyWithin((350 + i) * m, i * m, (i + 1) * m);
    const yt = Float64Array.from({ length: n }, () => (rng() < 0.3 ? 1 : 0));
    const Q = { data: Float64Array.from({ length: 60 * m }, (_, j) => (j < 30 * m ? Xt.data[j] : Math.round(rng() * 10) / 10)), rows: 60, cols: m };
    const index = new KnnIndex(Xt);
    const got = knnScores(Xt, yt, Q, k, index);
    for (let i = 0; i < Q.rows; i++) {
      const d = Array.from({ length: n }, (_, j) => ({ j, d: [0, 1, 2].reduce((a, c) => a + (Q.data[i * m + c] - Xt.data[j * m + c]) ** 2, 0) }));
      d.sort((a, b) => a.d - b.d || a.j - b.j);
      expect(Array.from(index.query(Q, i, k))).toEqual(d.slice(0, k).map((e) => e.j));
      expect(got[i]).toBeCloseTo(d.slice(0, k).reduce((a, e) => a + yt[e.j], 0) / k, 12);
    }
  });
});

describe('chanceAucBound and importanceSpike', () => {
  it('chanceAucBound is 0.5 + 1.96·√((n₁+n₀+1)/(12n₁n₀)) and random scores exceed it about 2.5% of the time', () => {
    const y = Float64Array.from({ length: 200 }, (_, i) => (i < 40 ? 1 : 0));
    const b = chanceAucBound(y);
    expect(b).toBeCloseTo(0.5 + 1.96 * Math.sqrt(201 / (12 * 40 * 160)), 12);
    const rng = mulberry32(4);
    let above = 0;
    const R = 4000;
    for (let r = 0; r < R; r++) if (rocAuc(y, Float64Array.from({ length: 200 }, () => rng())) > b) above++;
    expect(above / R).toBeGreaterThan(0.015);
    expect(above / R).toBeLessThan(0.035);
  });

  it('importanceSpike flags one feature holding half the importance and at least 0.05 AUC, and nothing otherwise', () => {
    expect(importanceSpike([0.01, 0.2, 0.02, 0.03])).toBe(1);
    expect(importanceSpike([0.04, 0.06, 0.05])).toBe(-1); // spread out
    expect(importanceSpike([0.001, 0.03, 0.0])).toBe(-1); // too small to matter
  });
});

describe('simulateLeakage', () => {
  it('the default run: every leak alone widens the validation–future gap; the spike is retention_offer; dropping it gives exactly the clean pipeline', async () => {
    const r = await simulateLeakage({ ...LEAKAGE_SIM_DEFAULTS, customers: 1500 });
    const gap = (c: string) => r.configVal[r.configs.indexOf(c)] - r.configTest[r.configs.indexOf(c)];
    for (const c of ['split', 'preprocessing', 'target', 'duplicates', 'all']) expect(gap(c)).toBeGreaterThan(gap('none') + 0.03);
    expect(r.features[r.spike]).toBe('retention_offer');
    const j = r.features.indexOf('retention_offer');
    expect(r.ablationVal[j]).toBe(r.configVal[r.configs.indexOf('none')]);
    expect(r.ablationTest[j]).toBe(r.configTest[r.configs.indexOf('none')]);
    expect(r.valAuc).toBe(r.configVal[r.configs.indexOf('target')]);
    // The null model cannot see a leaked column: shuffling the labels breaks it too.
    expect(r.nullVal).toBeLessThan(r.nullBound);
  });

  it('validateLeakageSim names the bad setting', () => {
    expect(() => validateLeakageSim({ ...LEAKAGE_SIM_DEFAULTS, model: 'gbm' })).toThrow(/model/);
    expect(() => validateLeakageSim({ ...LEAKAGE_SIM_DEFAULTS, leakSplit: 2 })).toThrow(/leakSplit/);
    expect(() => validateLeakageSim({ ...LEAKAGE_SIM_DEFAULTS, customers: 10 })).toThrow(/customers/);
  });
});
