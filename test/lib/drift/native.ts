/**
 * Native DuckDB (@duckdb/node-api) for the drift SQL tests: a fresh in-memory database with the
 * stream's reference and daily partitions written as Parquet and read back with read_parquet.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streamToParquet, type ProductionStream } from '../../../src/lib/data/stream.ts';
import type { Columns, SqlRunner } from '../../../src/lib/drift/sql.ts';

export async function nativeDuck(): Promise<{ conn: DuckDBConnection; run: SqlRunner; close: () => void }> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const run: SqlRunner = async (sql) => {
    const reader = await conn.runAndReadAll(sql);
    return reader.getColumnsObjectJS() as Columns;
  };
  return { conn, run, close: () => { conn.closeSync(); db.closeSync(); } };
}

/** Write the stream's Parquet partitions to a temporary folder and load them as tables `reference` and `stream`. */
export async function loadStream(run: SqlRunner, s: ProductionStream): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'prodlab-drift-'));
  try {
    for (const f of await streamToParquet(s)) writeFileSync(join(dir, f.name), f.bytes);
    await run(`CREATE OR REPLACE TABLE reference AS SELECT * FROM read_parquet('${join(dir, 'reference.parquet')}')`);
    await run(`CREATE OR REPLACE TABLE stream AS SELECT * FROM read_parquet('${join(dir, 'day_*.parquet')}')`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
