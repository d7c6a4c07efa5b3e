/** The feature-store pipeline (src/lib/data/feature-views.ts) on native DuckDB, for the unit and browser tests. */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { makeRetail } from '../../../src/lib/data/retail.ts';
import { SALES_DAYS_SQL, customerDaysArrow, featureViewSql, labelEventsArrow, snapshotDays, type FeatureStoreOptions, type Rows } from '../../../src/lib/data/feature-views.ts';

const CLEAN = { missingCustomerId: 0, negativeAmount: 0, extremeAmount: 0, exactDuplicate: 0, updatedDuplicate: 0, badTimestamp: 0 };

function values(t: Table): string {
  const names = t.schema.fields.map((f) => f.name);
  return t.toArray().map((r) => `(${names.map((n) => r[n]).join(', ')})`).join(', ');
}

export async function nativeFeatureStore(o: FeatureStoreOptions): Promise<{ conn: DuckDBConnection; cols: (sql: string) => Promise<Rows>; close: () => void }> {
  const retail = makeRetail({ seed: o.seed, customers: o.customers, dirt: CLEAN });
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const dir = mkdtempSync(join(tmpdir(), 'prodlab-fs-'));
  try {
    writeFileSync(join(dir, 'sales.csv'), retail.salesCsv);
    await conn.run(`CREATE TABLE sales AS SELECT * FROM read_csv_auto('${join(dir, 'sales.csv')}')`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await conn.run('CREATE TABLE customers (customer_id INT, signup_day INT)');
  await conn.run(`INSERT INTO customers VALUES ${values(customerDaysArrow(retail.customers, retail.options.year))}`);
  await conn.run('CREATE TABLE labels (rid INT, customer_id INT, label_ts INT, churned INT)');
  await conn.run(`INSERT INTO labels VALUES ${values(labelEventsArrow(retail.customers, retail.options.year, o))}`);
  await conn.run(SALES_DAYS_SQL);
  await conn.run(`CREATE TABLE offline_store AS ${featureViewSql(snapshotDays(o), o.windowDays)}`);
  const cols = async (sql: string) => (await conn.runAndReadAll(sql)).getColumnsObjectJS() as unknown as Rows;
  return { conn, cols, close: () => { conn.closeSync(); db.closeSync(); } };
}
