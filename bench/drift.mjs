// The `drift` section of `npm run bench` (issue 3): the drift report (5 statistics x 20 features x
// 90 days, 50,000 rows a day) in the drift lab of the built site, in headless Chromium, end to end
// from Parquet: the 91 Parquet files (reference + one per day) loaded into DuckDB-wasm, the views,
// the drift SQL (src/lib/drift/sql.ts) and the statistics. Then the same files and the same SQL in
// native DuckDB (@duckdb/node-api), after the browser has closed, as the reference.
//
// 20 features: the stream's 5 numeric and 2 categorical ones plus 13 stable extras
// (StreamOptions.extraFeatures). The stream is generated and written to Parquet first, untimed.
// DRIFT_ROWS=2000 node bench/run.mjs --skip=... runs a smaller version.
import { runnerImport } from 'vite';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

export const DRIFT = { rowsPerDay: Number(process.env.DRIFT_ROWS ?? 50_000), extraFeatures: 13, seed: 7, repetitions: 3, targetMs: 2000, targetRatio: 3 };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d;

async function nativeReport(log) {
  const load = (p) => runnerImport(p, { root, configFile: false, logLevel: 'error' }).then((m) => m.module);
  const { makeStream, streamToParquet, NUMERIC_FEATURES, CATEGORICAL_FEATURES, extraFeatureNames } = await load('/src/lib/data/stream.ts');
  const { driftReportSql } = await load('/src/lib/drift/sql.ts');
  const { DuckDBInstance, version } = await import('@duckdb/node-api');
  const dir = await mkdtemp(join(os.tmpdir(), 'prodlab-drift-bench-'));
  try {
    const s = makeStream({ seed: DRIFT.seed, rowsPerDay: DRIFT.rowsPerDay, extraFeatures: DRIFT.extraFeatures });
    const files = await streamToParquet(s);
    for (const f of files) await writeFile(join(dir, f.name), f.bytes);
    const spec = { reference: 'ref', stream: 'monitored', numeric: [...NUMERIC_FEATURES, ...extraFeatureNames(DRIFT.extraFeatures)], categorical: [...CATEGORICAL_FEATURES], model: { prediction: 'prediction', label: 'label', labelDay: 'label_day', days: s.options.days } };
    const out = { loadMs: [], reportMs: [], totalMs: [], timings: [] };
    for (let r = 0; r < DRIFT.repetitions; r++) {
      const db = await DuckDBInstance.create(':memory:');
      const conn = await db.connect();
      const run = async (sql) => (await conn.runAndReadAll(sql)).getColumnsObjectJS();
      const t0 = performance.now();
      const days = [];
      await run(`CREATE TABLE reference AS SELECT * FROM read_parquet('${join(dir, files[0].name)}')`);
      for (const f of files.slice(1)) {
        const name = f.name.replace('.parquet', '');
        await run(`CREATE TABLE ${name} AS SELECT * FROM read_parquet('${join(dir, f.name)}')`);
        days.push(name);
      }
      await run(`CREATE VIEW stream AS ${days.map((d) => `SELECT * FROM ${d}`).join(' UNION ALL ')}`);
      await run('CREATE VIEW ref AS SELECT * FROM reference');
      await run('CREATE VIEW monitored AS SELECT * FROM stream WHERE day >= 0');
      const t1 = performance.now();
      const rep = await driftReportSql(spec, run);
      const t2 = performance.now();
      out.loadMs.push(t1 - t0);
      out.reportMs.push(t2 - t1);
      out.totalMs.push(t2 - t0);
      out.timings.push(rep.timings);
      log(`drift native: load ${round(t1 - t0)} ms, report ${round(t2 - t1)} ms (${Object.entries(rep.timings).map(([k, v]) => `${k} ${round(v)}`).join(', ')})`);
      conn.closeSync();
      db.closeSync();
    }
    return { ...out, version: version(), threads: 'DuckDB default (all cores)' };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchDrift({ browser, site, freshPage, log }) {
  const { page, errors, close } = await freshPage(browser);
  await page.goto(`${site.url}#/lab/drift`);
  await page.waitForFunction(() => window.__prodlab?.lab?.phase === 'ready' && typeof window.__prodlab.lab.benchReport === 'function', null, { timeout: 120_000 });
  const browserRuns = [];
  for (let r = 0; r < DRIFT.repetitions; r++) {
    const out = await page.evaluate((o) => window.__prodlab.lab.benchReport(o), { rowsPerDay: DRIFT.rowsPerDay, extraFeatures: DRIFT.extraFeatures, seed: DRIFT.seed });
    log(`drift browser: load ${round(out.loadMs)} ms, report ${round(out.reportMs)} ms (${Object.entries(out.timings).map(([k, v]) => `${k} ${round(v)}`).join(', ')}); ${out.features} features x ${out.days} days, ${out.rows} rows`);
    browserRuns.push(out);
  }
  const bundle = await page.evaluate(() => window.__prodlab.lab.data.ready);
  if (errors.length) throw new Error(`Drift lab page errors: ${errors.join('; ')}`);
  await close();
  const native = await nativeReport(log);

  const b = { loadMs: browserRuns.map((x) => x.loadMs), reportMs: browserRuns.map((x) => x.reportMs), totalMs: browserRuns.map((x) => x.totalMs) };
  const what = `5 statistics x ${browserRuns[0].features} features x ${browserRuns[0].days} days, ${DRIFT.rowsPerDay.toLocaleString('en-US')} rows a day (${browserRuns[0].rows.toLocaleString('en-US')} rows), seed ${DRIFT.seed}`;
  const list = (xs) => xs.map((x) => round(x)).join(', ');
  const figures = [
    ['drift-report-browser-end-to-end', round(median(b.totalMs)), 'ms', {
      reference: { name: `native DuckDB ${native.version} (@duckdb/node-api), same Parquet files and SQL, load + report`, value: round(median(native.totalMs)), unit: 'ms' },
      notes: `${what}. Browser: DuckDB-wasm ${bundle.version} (${bundle.bundle} bundle) in the data worker; Parquet read by parquet-wasm into DuckDB, then the drift SQL and the statistics. Median of ${b.totalMs.length}: ${list(b.totalMs)} ms (load ${list(b.loadMs)}; report ${list(b.reportMs)}). Native: ${list(native.totalMs)} ms (load ${list(native.loadMs)}; report ${list(native.reportMs)}). Targets (issue 3): under ${DRIFT.targetMs} ms in the browser, ratio at most ${DRIFT.targetRatio}.`,
    }],
    ['drift-report-browser-sql-only', round(median(b.reportMs)), 'ms', {
      reference: { name: 'native DuckDB, same SQL on tables already loaded', value: round(median(native.reportMs)), unit: 'ms' },
      notes: `The report alone (the SQL steps of driftReportSql and the statistics), tables already in DuckDB. Per step, first repetition, browser: ${JSON.stringify(Object.fromEntries(Object.entries(browserRuns[0].timings).map(([k, v]) => [k, round(v)])))}; native: ${JSON.stringify(Object.fromEntries(Object.entries(native.timings[0]).map(([k, v]) => [k, round(v)])))}.`,
    }],
  ];
  return { raw: { settings: DRIFT, browser: browserRuns, native }, figures };
}
