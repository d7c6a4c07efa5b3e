// The `etl` section of `npm run bench` (issue 3): the ETL and ELT lab at 5,000 customers. In the
// built site (headless Chromium): the TypeScript ETL in its worker (the job's own clock) and the ELT
// in DuckDB-wasm (raw load + six SQL steps, the page's clock), as the Run button does them
// (`lab.run()`). In Node: the same TS ETL, and the same ELT SQL in native DuckDB (@duckdb/node-api).
import { runnerImport } from 'vite';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
export const ETL_BENCH = { customers: 5000, seed: 1, repetitions: 3 };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d;

export async function benchEtl({ browser, site, freshPage, log }) {
  const { page, errors, close } = await freshPage(browser);
  await page.goto(`${site.url}#/lab/etl?customers=${ETL_BENCH.customers}&seed=${ETL_BENCH.seed}`);
  await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 120_000 });
  const wasm = { etl: [], elt: [], steps: [], wall: [] };
  let rows;
  for (let r = -1; r < ETL_BENCH.repetitions; r++) {
    const out = await page.evaluate(async () => {
      const lab = window.__prodlab.lab;
      const t0 = performance.now();
      await lab.run();
      const m = lab.messages.at(-1);
      return {
        ok: m?.kind === 'ok' && lab.elt?.agreement.agree, message: m?.text, wall: performance.now() - t0, etl: lab.job.ms.etl, elt: lab.elt?.ms,
        steps: Object.fromEntries((lab.elt?.steps ?? []).map((s) => [s.table, s.ms])), rows: lab.job.result.counts,
      };
    });
    if (!out.ok) throw new Error(`The ETL lab run failed or disagreed: ${out.message}`);
    rows = out.rows;
    if (r < 0) continue; // warm-up: loads DuckDB-wasm and JITs the worker
    for (const k of ['etl', 'elt', 'wall']) wasm[k].push(out[k]);
    wasm.steps.push(out.steps);
  }
  if (errors.length) throw new Error(`ETL lab page errors: ${errors.join('; ')}`);
  await close();
  log(`etl browser: TS ETL ${wasm.etl.map((x) => round(x)).join(', ')} ms; ELT in DuckDB-wasm ${wasm.elt.map((x) => round(x)).join(', ')} ms`);

  // Node, after the page has closed: the same job, and the same SQL in native DuckDB.
  const { runEtlJob, ETL_LAB_DEFAULTS } = (await runnerImport('/src/lib/runners/etl.ts', { root, configFile: false, logLevel: 'error' })).module;
  const { eltSteps } = (await runnerImport('/src/lib/data/elt-sql.ts', { root, configFile: false, logLevel: 'error' })).module;
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const settings = { ...ETL_LAB_DEFAULTS, customers: ETL_BENCH.customers, seed: ETL_BENCH.seed };
  const dir = await mkdtemp(join(os.tmpdir(), 'prodlab-etl-bench-'));
  const node = { etl: [], elt: [] };
  try {
    for (let r = -1; r < ETL_BENCH.repetitions; r++) {
      const job = await runEtlJob(settings);
      await writeFile(join(dir, 'sales.csv'), job.files.salesCsv);
      await writeFile(join(dir, 'events.json'), job.files.eventsJson);
      await writeFile(join(dir, 'customers.parquet'), job.files.customersParquet);
      const db = await DuckDBInstance.create(':memory:');
      const conn = await db.connect();
      const t0 = performance.now();
      await conn.run(`CREATE TABLE raw_sales AS SELECT * FROM read_csv_auto('${join(dir, 'sales.csv')}', all_varchar = true)`);
      await conn.run(`CREATE TABLE raw_events AS SELECT * FROM read_json('${join(dir, 'events.json')}', columns = {event_id: 'VARCHAR', customer_id: 'VARCHAR', ts: 'VARCHAR', type: 'VARCHAR', page: 'VARCHAR', session_id: 'VARCHAR'})`);
      await conn.run(`CREATE TABLE raw_customers AS SELECT * FROM read_parquet('${join(dir, 'customers.parquet')}')`);
      for (const s of eltSteps(settings)) await conn.run(s.sql);
      const ms = performance.now() - t0;
      conn.closeSync?.();
      if (r < 0) continue;
      node.etl.push(job.ms.etl);
      node.elt.push(ms);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  log(`etl node: TS ETL ${node.etl.map((x) => round(x)).join(', ')} ms; ELT in native DuckDB ${node.elt.map((x) => round(x)).join(', ')} ms`);

  const what = `${ETL_BENCH.customers.toLocaleString('en-US')} customers, seed ${ETL_BENCH.seed}: ${rows.salesRows.toLocaleString('en-US')} sales rows, ${rows.events.toLocaleString('en-US')} events, ${rows.featureRows.toLocaleString('en-US')} feature rows`;
  const stepMedians = Object.fromEntries(Object.keys(wasm.steps[0]).map((k) => [k, round(median(wasm.steps.map((s) => s[k])))]));
  return {
    raw: { settings: ETL_BENCH, wasm, node, rows },
    figures: [
      ['etl-ts-worker-5k-customers', round(median(wasm.etl)), 'ms', {
        reference: { name: `Node ${process.version}, same runEtl on the main thread`, value: round(median(node.etl)), unit: 'ms' },
        notes: `${what}. Extract (CSV, JSON, customers from Parquet) + validate + features, in the ETL worker (its own clock), median of ${wasm.etl.length} after a warm-up: ${wasm.etl.map((x) => round(x)).join(', ')} ms.`,
      }],
      ['elt-duckdb-wasm-5k-customers', round(median(wasm.elt)), 'ms', {
        reference: { name: 'native DuckDB (@duckdb/node-api), same SQL, raw load from files', value: round(median(node.elt)), unit: 'ms' },
        notes: `${what}. Load raw (CSV all VARCHAR, events as an all-text Arrow table, customers and the ETL's features from Parquet) + the six ELT steps, through the data worker, page clock, median of ${wasm.elt.length}: ${wasm.elt.map((x) => round(x)).join(', ')} ms. Per step (median ms): ${JSON.stringify(stepMedians)}. Run pressed to run saved: ${wasm.wall.map((x) => round(x)).join(', ')} ms.`,
      }],
    ],
  };
}
