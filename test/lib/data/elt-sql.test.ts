/**
 * The ELT SQL run by native DuckDB (@duckdb/node-api) on the raw files must give what the TS ETL
 * gives: the same rows removed per rule, the same amount fixes, the same features per customer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { makeRetail, customersToArrow, retailFiles } from '../../../src/lib/data/retail';
import { runEtl, REMOVE_RULES, type PipelineOptions } from '../../../src/lib/data/pipeline';
import { eltSteps, FIXES_SQL, REMOVED_BY_RULE_SQL, rawEventsArrow } from '../../../src/lib/data/elt-sql';

const d = makeRetail({ seed: 9, customers: 400, dirt: { missingCustomerId: 0.02, badTimestamp: 0.02, updatedDuplicate: 0.03 } });
const input = { salesCsv: d.salesCsv, eventsJson: d.eventsJson, customers: customersToArrow(d.customers) };
let dir: string;
let conn: DuckDBConnection;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prodlab-elt-'));
  for (const f of await retailFiles(d)) writeFileSync(join(dir, f.name), f.bytes);
  const db = await DuckDBInstance.create(':memory:');
  conn = await db.connect();
  const q = (f: string) => `'${join(dir, f)}'`;
  // Load raw: sales and events as text, customers as their Parquet file types them.
  await conn.run(`CREATE TABLE raw_sales AS SELECT * FROM read_csv_auto(${q('sales.csv')}, all_varchar = true)`);
  await conn.run(`CREATE TABLE raw_events AS SELECT * FROM read_json(${q('events.json')}, columns = {event_id: 'VARCHAR', customer_id: 'VARCHAR', ts: 'VARCHAR', type: 'VARCHAR', page: 'VARCHAR', session_id: 'VARCHAR'})`);
  await conn.run(`CREATE TABLE raw_customers AS SELECT * FROM read_parquet(${q('customers.parquet')})`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function elt(opts: Partial<PipelineOptions>) {
  for (const s of eltSteps(opts)) await conn.run(s.sql);
  const removed = Object.fromEntries((await conn.runAndReadAll(REMOVED_BY_RULE_SQL)).getRowObjectsJson().map((r) => [r.rule, Number(r.n)]));
  const fixes = (await conn.runAndReadAll(FIXES_SQL)).getRowObjectsJson()[0];
  const features = (await conn.runAndReadAll('SELECT * FROM features ORDER BY customer_id')).getRowObjectsJson();
  const lines = (await conn.runAndReadAll('SELECT line, rule FROM removed_rows ORDER BY line')).getRowObjectsJson();
  return { removed, fixes, features, lines };
}

describe('ELT SQL (native DuckDB) agrees with the TS ETL', () => {
  for (const opts of [{}, { capPercentile: 0.95, observationStart: '2025-03-01', observationEnd: '2025-08-15', labelStart: '2025-08-15', labelEnd: '2025-11-15' }, { labelStart: '2025-06-01' }]) {
    it(`same removals, fixes and features for ${JSON.stringify(opts)}`, async () => {
      const etl = runEtl(input, opts);
      const r = await elt(opts);
      for (const rule of REMOVE_RULES) expect(r.removed[rule] ?? 0, rule).toBe(etl.validation.removedByRule[rule]);
      expect(r.lines.map((x) => `${x.line}:${x.rule}`)).toEqual(etl.validation.removed.map((x) => `${x.line}:${x.rule}`));
      expect(Number(r.fixes.clean_sales)).toBe(etl.counts.cleanSales);
      expect(Number(r.fixes.capped)).toBe(etl.validation.fixes.capped);
      expect(Number(r.fixes.imputed_customer)).toBe(etl.validation.fixes.imputed_customer);
      expect(Number(r.fixes.imputed_global)).toBe(etl.validation.fixes.imputed_global);
      expect(Number(r.fixes.cap)).toBeCloseTo(etl.validation.cap, 9);
      const f = etl.features;
      expect(r.features.length).toBe(f.customerId.length);
      r.features.forEach((row, i) => {
        expect(Number(row.customer_id)).toBe(f.customerId[i]);
        expect(Number(row.frequency)).toBe(f.frequency[i]);
        expect(Number(row.recency_days)).toBeCloseTo(f.recencyDays[i], 9);
        expect(Number(row.monetary)).toBeCloseTo(f.monetary[i], 6);
        if (f.frequency[i] > 1) expect(Number(row.avg_gap_days)).toBeCloseTo(f.avgGapDays[i], 9);
        else expect(row.avg_gap_days).toBeNull();
        expect(Number(row.tenure_days)).toBe(f.tenureDays[i]);
        expect(Number(row.events)).toBe(f.events[i]);
        expect(Number(row.support_tickets)).toBe(f.supportTickets[i]);
        expect(Number(row.churned)).toBe(f.churned[i]);
      });
    });
  }

  it('rawEventsArrow keeps every events.json field as text', () => {
    const t = rawEventsArrow(d.eventsJson);
    expect(t.numRows).toBe(d.counts.events);
    expect(t.schema.fields.map((x) => `${x.name}:${x.type}`)).toEqual(['event_id', 'customer_id', 'ts', 'type', 'page', 'session_id'].map((n) => `${n}:Utf8`));
    expect(t.get(0)?.toJSON().customer_id).toMatch(/^\d+$/);
  });
});
