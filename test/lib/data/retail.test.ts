import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeRetail, retailFiles, RETAIL_DEFAULTS, EVENT_TYPES } from '../../../src/lib/data/retail.ts';
import { readParquet } from '../../../src/lib/data/parquet.ts';

async function hashes(seed: number): Promise<Record<string, string>> {
  const files = await retailFiles(makeRetail({ seed }));
  return Object.fromEntries(files.map((f) => [f.name, createHash('sha256').update(f.bytes).digest('hex')]));
}

const d = makeRetail();
const lines = d.salesCsv.trimEnd().split('\n');
const header = lines[0].split(',');
const rows = lines.slice(1).map((l) => l.split(','));
const col = (name: string) => header.indexOf(name);
const ISO = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ$/;
const validTs = (s: string) => ISO.test(s) && new Date(s).toISOString().slice(0, 19) + 'Z' === s;

describe('makeRetail', () => {
  it('same seed → byte-identical customers.sql/.parquet, sales.csv and events.json; another seed → every file differs', async () => {
    const a = await hashes(11);
    expect(Object.keys(a)).toEqual(['customers.sql', 'customers.parquet', 'sales.csv', 'events.json']);
    expect(await hashes(11)).toEqual(a);
    const b = await hashes(12);
    for (const k of Object.keys(a)) expect(b[k]).not.toBe(a[k]);
  });

  it('has the dirty rows the ground truth lists, at the lines it names, and no others', () => {
    const expectedCount = (share: number) => Math.round(share * d.counts.cleanSales);
    for (const [k, share] of Object.entries(RETAIL_DEFAULTS.dirt)) expect(d.dirty[k as keyof typeof d.dirty]).toHaveLength(expectedCount(share));
    expect(rows.length).toBe(d.counts.salesRows);
    expect(d.counts.salesRows).toBe(d.counts.cleanSales + d.dirty.exactDuplicate.length + d.dirty.updatedDuplicate.length);
    const at = (r: { line: number }) => rows[r.line - 1];
    for (const r of d.dirty.missingCustomerId) expect(at(r)[col('customer_id')]).toBe('');
    for (const r of d.dirty.negativeAmount) expect(Number(at(r)[col('amount')])).toBeLessThan(0);
    for (const r of d.dirty.extremeAmount) expect(Number(at(r)[col('amount')])).toBeGreaterThan(10_000);
    for (const r of d.dirty.badTimestamp) expect(validTs(at(r)[col('ts')])).toBe(false);
    for (const r of Object.values(d.dirty).flat()) expect(Number(at(r)[col('sale_id')])).toBe(r.saleId);
    // Outside the listed lines, every row is clean.
    const listed = new Set(Object.values(d.dirty).flat().map((r) => r.line));
    rows.forEach((r, i) => {
      if (listed.has(i + 1)) return;
      expect(r[col('customer_id')]).not.toBe('');
      expect(validTs(r[col('ts')])).toBe(true);
      const amount = Number(r[col('amount')]);
      expect(amount > 0 && amount < 10_000).toBe(true);
    });
  });

  it('duplicates: exact ones repeat a row byte for byte; updated ones share a sale_id with a later updated_at', () => {
    for (const r of d.dirty.exactDuplicate) {
      const same = lines.filter((l) => l === lines[r.line]);
      expect(same.length).toBeGreaterThanOrEqual(2);
    }
    for (const r of d.dirty.updatedDuplicate) {
      const versions = rows.filter((x) => Number(x[col('sale_id')]) === r.saleId);
      expect(versions.length).toBeGreaterThanOrEqual(2);
      const mine = rows[r.line - 1][col('updated_at')];
      expect(versions.some((v) => v[col('updated_at')] < mine)).toBe(true);
    }
    const ids = rows.map((r) => r[col('sale_id')]);
    expect(new Set(ids).size).toBe(d.counts.cleanSales);
  });

  it('valid sales fall within the year, for known customers; events are valid JSON over the same customers', () => {
    const known = new Set(Array.from(d.customers.customerId, String));
    for (const r of rows) {
      if (validTs(r[col('ts')])) expect(r[col('ts')].startsWith(String(RETAIL_DEFAULTS.year))).toBe(true);
      if (r[col('customer_id')] !== '') expect(known.has(r[col('customer_id')])).toBe(true);
    }
    const events = JSON.parse(d.eventsJson) as { event_id: number; customer_id: number; ts: string; type: string }[];
    expect(events).toHaveLength(d.counts.events);
    expect(events.filter((e) => e.type === 'purchase')).toHaveLength(d.counts.cleanSales);
    for (const e of events) {
      expect(known.has(String(e.customer_id))).toBe(true);
      expect(EVENT_TYPES).toContain(e.type);
      expect(validTs(e.ts)).toBe(true);
    }
    expect(d.counts.cleanSales).toBeGreaterThan(2000);
  });

  it('customers.parquet reads back with the SQL dump’s rows; churners stop buying', async () => {
    const t = await readParquet((await retailFiles(d))[1].bytes);
    expect(t.numRows).toBe(RETAIL_DEFAULTS.customers);
    expect(d.customersSql.split('\n').filter((l) => l.startsWith('INSERT INTO customers')).length).toBe(RETAIL_DEFAULTS.customers);
    expect(t.getChild('name')!.get(0)).toBe(d.customers.name[0]);
    const start = Date.UTC(RETAIL_DEFAULTS.year, 0, 1);
    const churn = new Map(Array.from(d.customers.customerId, (id, i) => [String(id), d.customers.churnDay[i]]));
    for (const r of rows) {
      const c = churn.get(r[col('customer_id')]);
      if (c === undefined || c < 0 || !validTs(r[col('ts')])) continue;
      expect(Math.floor((Date.parse(r[col('ts')]) - start) / 86_400_000)).toBeLessThanOrEqual(c);
    }
  });
});
