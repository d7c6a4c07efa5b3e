/**
 * The feature-store pipeline on native DuckDB: the naive latest-value join leaks (features written
 * after the label time), which shows as a validation AUC far above the AUC on a later period; the
 * point-in-time join does not leak. The online store agrees with the offline store when both
 * pipelines are the same and fresh, and the skew check counts the differences when they are not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRetail } from '../../../src/lib/data/retail.ts';
import { ACTIVITY_FEATURES, FEATURE_STORE_DEFAULTS, SALES_DAYS_SQL, customerDaysArrow, featureViewSql, labelEventsArrow, measureLeakage, onlineStoreSql, skewSql, snapshotDays, trainingSetSql, type Rows } from '../../../src/lib/data/feature-views.ts';
import type { Table } from 'apache-arrow';

const o = FEATURE_STORE_DEFAULTS;
const clean = { missingCustomerId: 0, negativeAmount: 0, extremeAmount: 0, exactDuplicate: 0, updatedDuplicate: 0, badTimestamp: 0 };
const retail = makeRetail({ seed: o.seed, customers: o.customers, dirt: clean });

function values(t: Table): string {
  const names = t.schema.fields.map((f) => f.name);
  return t.toArray().map((r) => `(${names.map((n) => r[n]).join(', ')})`).join(', ');
}

describe('feature store on native DuckDB', () => {
  let db: DuckDBInstance;
  let conn: DuckDBConnection;
  const dir = mkdtempSync(join(tmpdir(), 'prodlab-fs-'));
  const cols = async (sql: string) => (await conn.runAndReadAll(sql)).getColumnsObjectJS() as unknown as Rows;
  beforeAll(async () => {
    db = await DuckDBInstance.create(':memory:');
    conn = await db.connect();
    writeFileSync(join(dir, 'sales.csv'), retail.salesCsv);
    await conn.run(`CREATE TABLE sales AS SELECT * FROM read_csv_auto('${join(dir, 'sales.csv')}')`);
    await conn.run(`CREATE TABLE customers (customer_id INT, signup_day INT)`);
    await conn.run(`INSERT INTO customers VALUES ${values(customerDaysArrow(retail.customers, 2025))}`);
    await conn.run(`CREATE TABLE labels (rid INT, customer_id INT, label_ts INT, churned INT)`);
    await conn.run(`INSERT INTO labels VALUES ${values(labelEventsArrow(retail.customers, 2025, o))}`);
    await conn.run(SALES_DAYS_SQL);
    await conn.run(`CREATE TABLE offline_store AS ${featureViewSql(snapshotDays(o), o.windowDays)}`);
  });
  afterAll(() => {
    conn?.closeSync();
    db?.closeSync();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the naive join leaks; the point-in-time join does not', async () => {
    const pit = await cols(trainingSetSql.pointInTime());
    const naive = await cols(trainingSetSql.naive());
    const a = measureLeakage(pit, pit, o);
    const b = measureLeakage(naive, pit, o);
    expect(a.futureRowsShare).toBe(0);
    expect(b.futureRowsShare).toBeGreaterThan(0.9);
    expect(b.validationAuc - b.futureAuc).toBeGreaterThan(0.1);
    expect(Math.abs(a.validationAuc - a.futureAuc)).toBeLessThan(b.validationAuc - b.futureAuc);
  });

  it('the skew check: none with the same fresh pipeline, some with a stale or different one', async () => {
    const skew = async (p: Partial<typeof o>) => {
      await conn.run(onlineStoreSql({ ...o, ...p }));
      const r = await cols(skewSql({ ...o, ...p }));
      return Object.fromEntries(['customers', 'online_rows', ...ACTIVITY_FEATURES].map((k) => [k, Number(r[k][0])]));
    };
    const same = await skew({});
    expect(same.customers).toBeGreaterThan(300);
    expect(ACTIVITY_FEATURES.map((f) => same[f])).toEqual([0, 0, 0, 0]);
    const window = await skew({ onlineWindowDays: 28 });
    expect(window.purchases_total).toBe(0);
    expect(window.spend_recent).toBeGreaterThan(0);
    const stale = await skew({ onlineLagDays: 21 });
    expect(stale.days_since_purchase).toBeGreaterThan(same.customers / 2);
  });
});
