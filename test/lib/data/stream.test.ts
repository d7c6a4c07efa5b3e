import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CATEGORIES, DEFAULT_EVENTS, dayRows, makeStream, streamToArrow, streamToParquet, type ProductionStream } from '../../../src/lib/data/stream.ts';
import { readParquet } from '../../../src/lib/data/parquet.ts';
import { ksTest } from '../../../src/lib/drift/stats.ts';

async function hashOf(s: ProductionStream): Promise<string> {
  const h = createHash('sha256');
  for (const f of await streamToParquet(s)) h.update(f.name).update(f.bytes);
  return h.digest('hex');
}

const s = makeStream();
const ev = (kind: string) => s.events.find((e) => e.kind === kind)!;
/** Rows of days [from, to). */
function rows(from: number, to: number) {
  return { a: s.dayStart[from], b: s.dayStart[to] };
}
function mean(xs: ArrayLike<number>, a = 0, b = xs.length): number {
  let t = 0;
  for (let i = a; i < b; i++) t += xs[i];
  return t / (b - a);
}

describe('makeStream', () => {
  it('same seed → byte-identical Parquet partitions; another seed → different bytes', async () => {
    const small = { days: 10, rowsPerDay: 300, referenceRows: 500, events: [] };
    const a = await hashOf(makeStream({ ...small, seed: 1 }));
    expect(await hashOf(makeStream({ ...small, seed: 1 }))).toBe(a);
    expect(await hashOf(makeStream({ ...small, seed: 2 }))).not.toBe(a);
  });

  it('writes 90 daily partitions plus the reference, readable back with the same rows and nulls', async () => {
    const files = await streamToParquet(s);
    expect(files.map((f) => f.name).slice(0, 3)).toEqual(['reference.parquet', 'day_000.parquet', 'day_001.parquet']);
    expect(files).toHaveLength(91);
    const day66 = await readParquet(files[1 + 66].bytes);
    expect(day66.numRows).toBe(2000);
    const t = dayRows(s, 66);
    expect(day66.getChild('age')!.nullCount).toBe(Array.from(t.numeric.age).filter(Number.isNaN).length);
    expect(day66.getChild('channel')!.get(5)).toBe(CATEGORIES.channel[t.categorical.channel[5]]);
    expect(day66.getChild('prediction')!.get(7)).toBe(t.prediction[7]);
  });

  it('returns the ground truth of the five injected events', () => {
    expect(s.events.map((e) => [e.kind, e.start, e.features])).toEqual(DEFAULT_EVENTS.map((e) => [e.kind, e.start, e.features]));
  });

  it('missing-value spike: the null rate of age is the event magnitude on its days and the baseline elsewhere', () => {
    const e = ev('missing-spike');
    const nullRate = (d: number) => Array.from(dayRows(s, d).numeric.age).filter(Number.isNaN).length / s.options.rowsPerDay;
    for (let d = e.start; d < e.end; d++) expect(Math.abs(nullRate(d) - e.magnitude)).toBeLessThan(0.04);
    for (const d of [0, e.start - 1, e.end, 89]) expect(nullRate(d)).toBeLessThan(0.025);
  });

  it('sudden shift: log basket value jumps by magnitude·sd on the start day, not before', () => {
    const e = ev('sudden-shift');
    const logMean = (d: number) => mean(Array.from(dayRows(s, d).numeric.basket_value, Math.log));
    const before = logMean(e.start - 1) - logMean(e.start - 2);
    const jump = logMean(e.start) - logMean(e.start - 1);
    expect(Math.abs(before)).toBeLessThan(0.06);
    expect(Math.abs(jump - e.magnitude * 0.6)).toBeLessThan(0.06);
  });

  it('gradual shift: log income rises linearly over the ramp', () => {
    const e = ev('gradual-shift');
    const logMean = (d: number) => mean(Array.from(dayRows(s, d).numeric.income, Math.log));
    const base = logMean(e.start - 1);
    const half = logMean(e.start + e.rampDays! / 2 - 1) - base;
    const full = logMean(e.start + e.rampDays!) - base;
    expect(Math.abs(half - 0.25)).toBeLessThan(0.05);
    expect(Math.abs(full - 0.5)).toBeLessThan(0.05);
  });

  it('new category: "marketplace" is absent before the event and has its share after', () => {
    const e = ev('new-category');
    const share = (from: number, to: number) => {
      const { a, b } = rows(from, to);
      return Array.from(s.stream.categorical.channel.subarray(a, b)).filter((c) => c === 3).length / (b - a);
    };
    expect(share(0, e.start)).toBe(0);
    expect(Math.abs(share(e.start, e.end) - e.magnitude)).toBeLessThan(0.01);
  });

  it('concept drift: P(y | sessions) changes while the distribution of sessions does not', () => {
    const e = ev('concept-drift');
    const before = rows(e.start - 15, e.start);
    const after = rows(e.start, e.end);
    const x = s.stream.numeric.sessions;
    // P(x): the same distribution (KS does not reject), the same mean.
    const ks = ksTest(x.subarray(before.a, before.b), x.subarray(after.a, after.b), { method: 'asymp' });
    expect(ks.pValue).toBeGreaterThan(0.01);
    // P(y | x): conversion of frequent visitors (sessions ≥ 6) collapses; the model still predicts the old rate.
    const rate = (r: { a: number; b: number }, what: 'label' | 'prediction') => {
      let n = 0;
      let t = 0;
      for (let i = r.a; i < r.b; i++) if (x[i] >= 6) { n++; t += s.stream[what][i]; }
      return t / n;
    };
    expect(rate(before, 'label') - rate(after, 'label')).toBeGreaterThan(0.25);
    expect(Math.abs(rate(before, 'prediction') - rate(after, 'prediction'))).toBeLessThan(0.02);
    expect(Math.abs(rate(before, 'label') - rate(before, 'prediction'))).toBeLessThan(0.05);
  });

  it('labels arrive 1 to 14 days after the prediction', () => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < s.stream.n; i++) {
      const lag = s.stream.labelDay[i] - s.stream.day[i];
      lo = Math.min(lo, lag);
      hi = Math.max(hi, lag);
    }
    expect([lo, hi]).toEqual([1, 14]);
  });

  it('extraFeatures adds stable N(0, 1) columns and leaves every other column as it was', () => {
    const w = makeStream({ rowsPerDay: 500, extraFeatures: 3 });
    const base = makeStream({ rowsPerDay: 500 });
    expect(Object.keys(w.stream.extra)).toEqual(['extra_01', 'extra_02', 'extra_03']);
    expect(w.stream.numeric.income).toEqual(base.stream.numeric.income);
    expect(w.stream.label).toEqual(base.stream.label);
    expect(w.reference.numeric.age).toEqual(base.reference.numeric.age);
    for (const xs of [w.stream.extra.extra_01, w.reference.extra.extra_03]) {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
      expect(Math.abs(m)).toBeLessThan(0.05);
      expect(Math.abs(sd - 1)).toBeLessThan(0.05);
    }
    expect(streamToArrow(dayRows(w, 3)).getChild('extra_02')!.length).toBe(500);
    expect(() => makeStream({ extraFeatures: -1 })).toThrow(/extraFeatures/);
  });
});
