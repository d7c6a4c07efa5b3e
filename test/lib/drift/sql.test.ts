/**
 * driftReportSql on native DuckDB against the exact statistics of src/lib/drift/stats.ts on the
 * same rows: PSI, chi-square and JS on decile bins, chi-square/JS on categories, nulls and the
 * late-label performance exactly; KS and Wasserstein from the fine grid within their stated bounds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORICAL_FEATURES, CATEGORIES, NUMERIC_FEATURES, dayRows, makeStream } from '../../../src/lib/data/stream.ts';
import { chiSquareTest, jensenShannonDistance, ksTest, psi, quantileSorted, wassersteinDistance } from '../../../src/lib/drift/stats.ts';
import { monitorStream, scoreDetections } from '../../../src/lib/drift/detector.ts';
import { alarmsFor } from '../../../src/lib/drift/alarms.ts';
import { driftReportSql, type SqlDriftReport } from '../../../src/lib/drift/sql.ts';
import { loadStream, nativeDuck } from './native.ts';

const s = makeStream({ rowsPerDay: 400, extraFeatures: 1 });
const numeric = [...NUMERIC_FEATURES, 'extra_01'];
const present = (xs: Float64Array) => xs.filter((x) => !Number.isNaN(x));
const col = (t: ReturnType<typeof dayRows>, f: string) => (f in t.numeric ? t.numeric[f as keyof typeof t.numeric] : t.extra[f]);

function deciles(ref: Float64Array, xs: Float64Array): [Float64Array, Float64Array] {
  const sorted = Float64Array.from(ref).sort();
  const edges: number[] = [];
  for (let k = 1; k < 10; k++) {
    const q = quantileSorted(sorted, k / 10);
    if (!edges.length || q > edges[edges.length - 1]) edges.push(q);
  }
  const count = (v: Float64Array) => {
    const h = new Float64Array(edges.length + 1);
    for (const x of v) h[edges.filter((e) => e <= x).length]++;
    return h;
  };
  return [count(ref), count(xs)];
}

describe('driftReportSql (native DuckDB) against the exact statistics', () => {
  let report: SqlDriftReport;
  let close: () => void;
  beforeAll(async () => {
    const duck = await nativeDuck();
    close = duck.close;
    await loadStream(duck.run, s);
    report = await driftReportSql({ reference: 'reference', stream: 'stream', numeric, categorical: [...CATEGORICAL_FEATURES], model: { prediction: 'prediction', label: 'label', labelDay: 'label_day', days: 90 } }, duck.run);
  }, 60_000);
  afterAll(() => close?.());

  it('has one cell per feature and day, with the day sizes', () => {
    expect(report.days).toEqual(Array.from({ length: 90 }, (_, d) => d));
    expect(report.rowsPerDay.every((n) => n === 400)).toBe(true);
    expect(report.cells.map((c) => c.length)).toEqual(Array(numeric.length + 2).fill(90));
  });

  for (const [fi, f] of numeric.entries()) {
    it(`${f}: PSI, chi-square and JS on decile bins exact; KS and Wasserstein within their bounds on every day`, () => {
      const ref = present(col(s.reference, f));
      const mean = ref.reduce((m, y) => m + y, 0) / ref.length;
      const sd = Math.sqrt(ref.reduce((v, x) => v + (x - mean) ** 2, 0) / (ref.length - 1));
      let worstKsBound = 0;
      for (const day of [0, 21, 40, 41, 55, 66, 89]) {
        const all = col(dayRows(s, day), f);
        const xs = present(all);
        const cell = report.cells[fi][day];
        expect(cell.n).toBe(xs.length);
        expect(cell.nullRate).toBeCloseTo(1 - xs.length / all.length, 12);
        expect(cell.psi).toBeCloseTo(psi(ref, xs), 10);
        const [e, a] = deciles(ref, xs);
        expect(cell.js).toBeCloseTo(jensenShannonDistance(e, a), 10);
        expect(cell.chi2.statistic).toBeCloseTo(chiSquareTest(e, a).statistic, 8);
        const ks = ksTest(ref, xs, { method: 'asymp' });
        // D_b ≤ D ≤ D_b + bound (1e-12: the ECDFs are sums of floating-point shares)
        expect(cell.ks!.statistic).toBeLessThanOrEqual(ks.statistic + 1e-12);
        expect(ks.statistic).toBeLessThanOrEqual(cell.ks!.statistic + cell.ks!.bound + 1e-12);
        const w = wassersteinDistance(ref, xs) / sd;
        expect(Math.abs(cell.wasserstein!.value - w)).toBeLessThanOrEqual(cell.wasserstein!.bound + 1e-9);
        worstKsBound = Math.max(worstKsBound, cell.ks!.bound);
        // Features on a lattice coarser than the grid (whole years, months, tenths of a session): one value per bin, D_b = D.
        if (['age', 'tenure_months', 'sessions'].includes(f)) expect(cell.ks!.statistic).toBeCloseTo(ks.statistic, 12);
        // The bounds are small enough to matter little next to the default thresholds (KS p-value, W 0.25 sd).
        expect(cell.wasserstein!.bound).toBeLessThan(0.02);
      }
      // The bound is the largest bin share: small for continuous features, a lattice point's share for discrete ones.
      expect(worstKsBound).toBeLessThan(['age', 'tenure_months', 'sessions'].includes(f) ? 0.1 : 0.03);
    });
  }

  for (const [ci, f] of CATEGORICAL_FEATURES.entries()) {
    it(`${f}: chi-square and JS over categories exact, new-category share`, () => {
      const counts = (codes: Uint8Array) => Float64Array.from(CATEGORIES[f], (_, k) => codes.filter((c) => c === k).length);
      const ref = counts(s.reference.categorical[f]);
      for (const day of [0, 54, 55, 89]) {
        const cur = counts(dayRows(s, day).categorical[f]);
        const cell = report.cells[numeric.length + ci][day];
        // The SQL sees only categories that occur somewhere; zero columns change neither statistic.
        expect(cell.chi2.statistic).toBeCloseTo(chiSquareTest(ref, cur).statistic, 8);
        expect(cell.chi2.pValue).toBeCloseTo(chiSquareTest(ref, cur).pValue, 10);
        expect(cell.js).toBeCloseTo(jensenShannonDistance(ref, cur), 10);
        const unseen = CATEGORIES[f].reduce((n, _, k) => n + (ref[k] === 0 ? cur[k] : 0), 0);
        expect(cell.newCategoryShare).toBeCloseTo(unseen / 400, 12);
      }
    });
  }

  it('the model on arriving labels matches monitorStream', () => {
    const exact = monitorStream(s, { minLabels: 1 });
    for (const day of [1, 30, 80, 89]) {
      const p = exact.days[day].performance!;
      expect(report.performance![day]!.labels).toBe(p.labels);
      expect(report.performance![day]!.logLoss).toBeCloseTo(p.logLoss, 10);
      expect(report.performance![day]!.expectedLogLoss).toBeCloseTo(p.expectedLogLoss, 10);
      expect(report.performance![day]!.accuracy).toBeCloseTo(p.accuracy, 12);
    }
    expect(report.performance![0]).toBeNull(); // no label arrives on day 0
    expect(report.referencePerformance!.logLoss).toBeCloseTo(exact.reference.logLoss, 10);
  });

  it('alarmsFor with PSI and chi-square raises the same drift, null, new-category and performance alarms as monitorStream', () => {
    const exact = monitorStream(s);
    const view = alarmsFor(report, { statistic: 'psi' });
    const key = (a: { day: number; feature: string; check: string }) => `${a.day}|${a.feature}|${a.check}`;
    const ours = view.alarms.filter((a) => a.check !== 'range').map(key).sort();
    expect(ours).toEqual(exact.alarms.map(key).sort());
    const score = scoreDetections({ alarms: view.alarms.filter((a) => a.check !== 'range'), days: report.days.map((day) => ({ day })) }, s.events);
    // At 400 rows a day PSI has a few false alarms: both monitors raise the same ones.
    expect(score.falseAlarms.map(key)).toEqual(scoreDetections(exact, s.events).falseAlarms.map(key));
    expect(score.events.find((e) => e.event.kind === 'sudden-shift')!.delay).toBeLessThanOrEqual(1);
  });

  it('the drift share counts input features with a drift alarm', () => {
    const view = alarmsFor(report, { statistic: 'psi' });
    for (const di of [0, 45, 70]) expect(view.driftShare[di]).toBeCloseTo(view.drift.filter((f) => f[di]).length / report.features.length, 12);
  });
});

describe('driftReportSql on values at the decile edges and the grid ends', () => {
  // A lattice whose points are the decile edges and the range's ends (every fine bin edge case at
  // once), a continuous column, and one with nulls and an all-null day; coarse and default grids.
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const lattice = (n: number, top: number) => Float64Array.from({ length: n }, () => Math.floor(rand() * (top + 1)));
  const normal = (n: number, mu: number) => Float64Array.from({ length: n }, () => mu + Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()));
  const withNulls = (xs: Float64Array) => xs.map((x, i) => (i % 7 === 3 ? NaN : x));
  const ref = { lat: lattice(2000, 9), cont: normal(2000, 0), gaps: withNulls(normal(2000, 0)) };
  const days = [
    { lat: lattice(500, 9), cont: normal(500, 0), gaps: withNulls(normal(500, 0.3)) },
    { lat: lattice(500, 12), cont: normal(500, 1), gaps: Float64Array.from({ length: 500 }, () => NaN) },
    { lat: Float64Array.from({ length: 500 }, (_, i) => [0, 9, 12][i % 3]), cont: normal(500, -2), gaps: normal(500, 0) },
  ];
  const features = ['lat', 'cont', 'gaps'] as const;
  const sqlNum = (x: number) => (Number.isNaN(x) ? 'NULL' : `${x.toExponential()}::DOUBLE`);

  for (const fineBins of [7, 4000]) {
    it(`fineBins ${fineBins}: PSI, chi-square, JS and n exact; KS and Wasserstein within their bounds`, async () => {
      const duck = await nativeDuck();
      try {
        const row = (t: Record<(typeof features)[number], Float64Array>, i: number) => features.map((f) => sqlNum(t[f][i])).join(', ');
        await duck.run(`CREATE TABLE r (lat DOUBLE, cont DOUBLE, gaps DOUBLE); INSERT INTO r VALUES ${Array.from({ length: 2000 }, (_, i) => `(${row(ref, i)})`).join(', ')}`);
        await duck.run(`CREATE TABLE st (day INT, lat DOUBLE, cont DOUBLE, gaps DOUBLE); INSERT INTO st VALUES ${days.flatMap((t, d) => Array.from({ length: 500 }, (_, i) => `(${d}, ${row(t, i)})`)).join(', ')}`);
        const rep = await driftReportSql({ reference: 'r', stream: 'st', numeric: [...features], categorical: [], fineBins }, duck.run);
        for (const [fi, f] of features.entries()) {
          const r = present(ref[f]);
          const mean = r.reduce((m, y) => m + y, 0) / r.length;
          const sd = Math.sqrt(r.reduce((v, x) => v + (x - mean) ** 2, 0) / (r.length - 1));
          for (const [d, t] of days.entries()) {
            const xs = present(t[f]);
            const cell = rep.cells[fi][d];
            expect(cell.n).toBe(xs.length);
            if (!xs.length) {
              expect(cell.ks).toBeUndefined();
              continue;
            }
            expect(cell.psi).toBeCloseTo(psi(r, xs), 10);
            const [e, a] = deciles(r, xs);
            expect(cell.js).toBeCloseTo(jensenShannonDistance(e, a), 10);
            expect(cell.chi2.statistic).toBeCloseTo(chiSquareTest(e, a).statistic, 8);
            const ks = ksTest(r, xs, { method: 'asymp' }).statistic;
            expect(cell.ks!.statistic).toBeLessThanOrEqual(ks + 1e-12);
            expect(ks).toBeLessThanOrEqual(cell.ks!.statistic + cell.ks!.bound + 1e-12);
            expect(Math.abs(cell.wasserstein!.value - wassersteinDistance(r, xs) / sd)).toBeLessThanOrEqual(cell.wasserstein!.bound + 1e-9);
            // The lattice's points sit one to a bin on the default grid: D_b = D.
            if (f === 'lat' && fineBins === 4000) expect(cell.ks!.statistic).toBeCloseTo(ks, 12);
          }
        }
      } finally {
        duck.close();
      }
    });
  }
});

describe('driftReportSql on bad values', () => {
  for (const bad of ["'nan'", "'inf'", "'-inf'"]) {
    it(`refuses a ${bad} (not NULL) in the stream with a message naming the column`, async () => {
      const duck = await nativeDuck();
      try {
        await duck.run('CREATE TABLE r AS SELECT (i % 17)::DOUBLE AS x FROM range(200) t(i)');
        await duck.run(`CREATE TABLE st AS SELECT (i % 3)::INT AS day, CASE WHEN i = 5 THEN ${bad}::DOUBLE ELSE (i % 13)::DOUBLE END AS x FROM range(300) t(i)`);
        await expect(driftReportSql({ reference: 'r', stream: 'st', numeric: ['x'], categorical: [] }, duck.run)).rejects.toThrow(/"x" holds values that are not finite numbers/);
      } finally {
        duck.close();
      }
    });
  }
});
