import { describe, expect, it } from 'vitest';
import { makeRetail, customersToArrow } from '../../../src/lib/data/retail';
import { aucOf, extractSales, parseCsv, parseTimestamp, quantileCont, runEtl, windows, PIPELINE_DEFAULTS } from '../../../src/lib/data/pipeline';

const DAY = 86_400_000;
const d = makeRetail({ seed: 5 });
const input = { salesCsv: d.salesCsv, eventsJson: d.eventsJson, customers: customersToArrow(d.customers) };
const etl = runEtl(input);

describe('runEtl: validation against the generator’s ground truth', () => {
  it('removes exactly the injected dirty rows, each by the rule for its kind of dirt', () => {
    const v = etl.validation;
    expect(v.removedByRule.missing_customer_id).toBe(d.dirty.missingCustomerId.length);
    expect(v.removedByRule.bad_timestamp).toBe(d.dirty.badTimestamp.length);
    expect(v.removedByRule.exact_duplicate).toBe(d.dirty.exactDuplicate.length);
    // For an updated sale the removed row is the older version; one per injected update.
    expect(v.removedByRule.superseded_update).toBe(d.dirty.updatedDuplicate.length);
    expect(v.removedByRule.bad_number + v.removedByRule.unknown_customer).toBe(0);
    const lines = (rule: string) => v.removed.filter((r) => r.rule === rule).map((r) => r.line).sort((a, b) => a - b);
    expect(lines('missing_customer_id')).toEqual(d.dirty.missingCustomerId.map((r) => r.line));
    expect(lines('bad_timestamp')).toEqual(d.dirty.badTimestamp.map((r) => r.line));
    expect(lines('exact_duplicate')).toEqual(d.dirty.exactDuplicate.map((r) => r.line));
    const superseded = v.removed.filter((r) => r.rule === 'superseded_update').map((r) => Number(r.saleId)).sort((a, b) => a - b);
    expect(superseded).toEqual(d.dirty.updatedDuplicate.map((r) => r.saleId).sort((a, b) => a - b));
    // What is left is one row per clean sale that kept its customer and timestamp.
    expect(etl.counts.cleanSales).toBe(d.counts.cleanSales - d.dirty.missingCustomerId.length - d.dirty.badTimestamp.length);
    expect(new Set(v.clean.map((s) => s.saleId)).size).toBe(v.clean.length);
  });

  it('imputes every negative amount and caps every extreme one; the cap is the 99th percentile of positive amounts', () => {
    const v = etl.validation;
    expect(v.fixes.imputed_customer + v.fixes.imputed_global).toBe(d.dirty.negativeAmount.length);
    const bySale = new Map(v.clean.map((s) => [s.saleId, s]));
    for (const r of d.dirty.negativeAmount) expect(bySale.get(r.saleId)?.fix).toMatch(/^imputed/);
    for (const r of d.dirty.extremeAmount) expect(bySale.get(r.saleId)).toMatchObject({ fix: 'capped', amount: v.cap });
    // The cap, recomputed here by sorting and interpolating at (n-1)p.
    const pos = v.clean.map((s, i) => [s, i] as const).length; // all kept rows
    expect(pos).toBe(v.clean.length);
    const rows = parseCsv(d.salesCsv).slice(1).filter((r) => r.length === 7);
    const keptLines = new Set(v.clean.map((s) => s.line));
    const amounts = rows.filter((_r, i) => keptLines.has(i + 1)).map((r) => Number(r[4])).filter((a) => a > 0).sort((a, b) => a - b);
    const h = (amounts.length - 1) * 0.99;
    const ref = amounts[Math.floor(h)] + (h - Math.floor(h)) * (amounts[Math.floor(h) + 1] - amounts[Math.floor(h)]);
    expect(v.cap).toBeCloseTo(ref, 9);
    expect(v.fixes.capped).toBe(amounts.filter((a) => a > ref).length);
  });
});

describe('runEtl: features', () => {
  // Independent reconstruction from the raw CSV and the ground truth: the clean sales are the rows
  // not listed as dirty, with an updated sale's amount taken from its update line.
  const rows = parseCsv(d.salesCsv).slice(1).filter((r) => r.length === 7);
  const dirtyLines = new Set([...d.dirty.missingCustomerId, ...d.dirty.badTimestamp, ...d.dirty.exactDuplicate].map((r) => r.line));
  const updateLine = new Map(d.dirty.updatedDuplicate.map((r) => [r.saleId, r.line]));
  const sales = new Map<number, { c: number; t: number; amount: number; line: number }>();
  rows.forEach((r, i) => {
    const line = i + 1;
    if (dirtyLines.has(line)) return;
    const sid = Number(r[0]);
    if (updateLine.has(sid) && updateLine.get(sid) !== line) return;
    sales.set(sid, { c: Number(r[1]), t: Date.parse(r[2]), amount: Number(r[4]), line });
  });
  const negative = new Set(d.dirty.negativeAmount.map((r) => r.saleId));
  const extreme = new Set(d.dirty.extremeAmount.map((r) => r.saleId));
  const obsEnd = Date.UTC(2025, 9, 1);
  const inObs = (t: number) => t >= Date.UTC(2025, 0, 1) && t < obsEnd;
  const f = etl.features;
  const row = (c: number) => f.customerId.indexOf(c);

  it('recency, frequency, monetary, gap and tenure match a hand computation for customers with clean amounts', () => {
    const ids = [...new Set([...sales.values()].map((s) => s.c))].sort((a, b) => a - b);
    let checked = 0;
    for (const c of ids) {
      const mine = [...sales.entries()].filter(([sid, s]) => s.c === c && inObs(s.t) && !negative.has(sid) && !extreme.has(sid));
      const all = [...sales.entries()].filter(([, s]) => s.c === c && inObs(s.t));
      if (mine.length !== all.length || mine.length < 3 || mine.some(([, s]) => s.amount > etl.validation.cap)) continue;
      const ts = mine.map(([, s]) => s.t).sort((a, b) => a - b);
      const i = row(c);
      expect(f.frequency[i]).toBe(mine.length);
      expect(f.recencyDays[i]).toBeCloseTo((obsEnd - ts.at(-1)!) / DAY, 9);
      expect(f.monetary[i]).toBeCloseTo(mine.reduce((a, [, s]) => a + s.amount, 0), 6);
      expect(f.avgGapDays[i]).toBeCloseTo((ts.at(-1)! - ts[0]) / DAY / (mine.length - 1), 9);
      const k = d.customers.customerId.indexOf(c);
      expect(f.tenureDays[i]).toBe((obsEnd - Date.parse(d.customers.signupDate[k])) / DAY);
      // The label: no purchase from October 1 to the year end ⇔ churned.
      const later = [...sales.values()].some((s) => s.c === c && s.t >= obsEnd);
      expect(f.churned[i]).toBe(later ? 0 : 1);
      if (++checked === 5) break;
    }
    expect(checked).toBe(5);
  });

  it('a negative amount takes the median of the customer’s other (capped) amounts', () => {
    const sid = d.dirty.negativeAmount.map((r) => r.saleId).find((s) => {
      const c = sales.get(s)?.c;
      return [...sales.entries()].filter(([o, x]) => x.c === c && o !== s && !negative.has(o)).length >= 2;
    })!;
    const c = sales.get(sid)!.c;
    const others = [...sales.entries()].filter(([o, x]) => x.c === c && !negative.has(o)).map(([, x]) => Math.min(x.amount, etl.validation.cap)).sort((a, b) => a - b);
    const m = others.length % 2 ? others[(others.length - 1) / 2] : (others[others.length / 2 - 1] + others[others.length / 2]) / 2;
    expect(etl.validation.clean.find((s) => s.saleId === sid)).toMatchObject({ fix: 'imputed_customer' });
    expect(etl.validation.clean.find((s) => s.saleId === sid)!.amount).toBeCloseTo(m, 9);
  });

  it('customers without a purchase in the window get no row; no feature uses a row after the cutoff', () => {
    const active = new Set([...sales.values()].filter((s) => inObs(s.t)).map((s) => s.c));
    expect(f.customerId.length).toBe(active.size);
    for (let i = 0; i < f.customerId.length; i++) expect(f.recencyDays[i]).toBeGreaterThan(0);
    expect(etl.leakedPurchases).toBe(0);
    expect(etl.windows.overlapDays).toBe(0);
  });

  it('an overlapping label window leaks: purchases counted twice and recency predicts churn far better', () => {
    const leaky = runEtl(input, { labelStart: '2025-07-01' });
    expect(leaky.windows.overlapDays).toBe(92);
    expect(leaky.leakedPurchases).toBeGreaterThan(100);
    expect(leaky.recencyAuc).toBeGreaterThan(etl.recencyAuc + 0.05);
  });
});

describe('pipeline helpers', () => {
  it('parseTimestamp accepts real ISO instants only (as DuckDB’s cast does)', () => {
    expect(parseTimestamp('2025-01-01T10:00:00Z')).toBe(Date.UTC(2025, 0, 1, 10));
    for (const s of ['2025-02-30T08:00:00Z', '2025-13-40T25:61:00Z', '31/02/2025 10:00', 'NULL', '', 'not a date']) expect(parseTimestamp(s)).toBeNaN();
  });
  it('extractSales reads quoted fields the same as plain ones, numbering data lines from 1', () => {
    const head = 'sale_id,customer_id,ts,updated_at,amount,quantity,channel\n';
    const plain = extractSales(head + '1,1001,2025-01-01T00:00:00Z,2025-01-01T00:00:00Z,5.00,1,web\n2,1002,x,y,3,1,app\n');
    const quoted = extractSales(head + '"1",1001,2025-01-01T00:00:00Z,2025-01-01T00:00:00Z,"5.00",1,web\r\n2,1002,x,y,3,1,"app"\n');
    expect(quoted).toEqual(plain);
    expect(plain.map((r) => r.line)).toEqual([1, 2]);
    expect(() => extractSales('a,b\n1,2\n')).toThrow(/header/);
  });
  it('quantileCont matches DuckDB’s quantile_cont(x, 0.99) over 0..9 (8.91) and the median', () => {
    expect(quantileCont([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 0.99)).toBeCloseTo(8.91, 12);
    expect(quantileCont([1, 2, 3, 10], 0.5)).toBe(2.5);
  });
  it('aucOf is the Mann–Whitney AUC with ties as ½', () => {
    expect(aucOf([1, 2, 3, 4], [0, 0, 1, 1])).toBe(1);
    expect(aucOf([1, 1, 1, 1], [0, 1, 0, 1])).toBe(0.5);
    expect(aucOf([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
  });
  it('windows() refuses a reversed window and a bad date, naming the knob', () => {
    expect(() => windows({ ...PIPELINE_DEFAULTS, observationEnd: '2024-12-01' })).toThrow(/observation window/);
    expect(() => windows({ ...PIPELINE_DEFAULTS, labelStart: '2025-02-30' })).toThrow(/labelStart/);
    expect(() => windows({ ...PIPELINE_DEFAULTS, capPercentile: 2 })).toThrow(/capPercentile/);
  });
});
