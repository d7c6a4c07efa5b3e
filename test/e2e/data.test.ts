/**
 * The data worker (workers/data.ts: DuckDB-wasm behind comlink) in real Chromium.
 *
 * No page of the site uses the worker yet (the data labs come later), so dist/ does not contain
 * it. Rather than add a debug hook to the site, the test builds a tiny test-only page
 * (test/e2e/data-page: it starts the worker and puts its comlink remote on window) with the
 * same Vite and the same `?url` bundle imports into a temporary folder, serves it as a plain
 * static host would, with the network blocked, and drives the worker from page.evaluate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';
import { build } from 'vite';
import { Table, Utf8, makeVector, vectorFromArray } from 'apache-arrow';
import * as parquetWasm from 'parquet-wasm';
import { tableToIPC } from 'apache-arrow';
import type { Browser, Page } from 'playwright-core';
import { chromiumPath, launch, watchErrors } from './harness.ts';
import { mulberry32 } from '../../src/lib/core/rng.ts';
import { makeRetail } from '../../src/lib/data/retail.ts';

const PAGE_ROOT = fileURLToPath(new URL('./data-page/', import.meta.url));
const REGIONS = ['north', 'south', 'east', 'west', 'online'];
const N = 200_000;

/** Sales rows and their GROUP BY region answer, computed here in Node. */
function makeSales(): { parquet: Uint8Array; expected: Map<string, { n: number; total: number; maxQty: number }> } {
  const rng = mulberry32(3);
  const region: string[] = [];
  const amount = new Float64Array(N);
  const qty = new Int32Array(N);
  const expected = new Map<string, { n: number; total: number; maxQty: number }>();
  for (let i = 0; i < N; i++) {
    const r = REGIONS[Math.floor(rng() * REGIONS.length)];
    region.push(r);
    amount[i] = Math.round(rng() * 100_000) / 100; // cents, so sums are exact enough in float64
    qty[i] = 1 + Math.floor(rng() * 9);
    const e = expected.get(r) ?? { n: 0, total: 0, maxQty: 0 };
    e.n++;
    e.total += amount[i];
    e.maxQty = Math.max(e.maxQty, qty[i]);
    expected.set(r, e);
  }
  const table = new Table({
    region: vectorFromArray(region, new Utf8()),
    amount: makeVector(amount),
    qty: makeVector(qty),
  });
  const parquet = parquetWasm.writeParquet(parquetWasm.Table.fromIPCStream(tableToIPC(table, 'stream')));
  return { parquet, expected };
}

describe.skipIf(!chromiumPath)('data worker (DuckDB-wasm) in Chromium', () => {
  let out: string;
  let server: Server;
  let url: string;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const sales = makeSales();

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'prodlab-data-page-'));
    await build({
      configFile: false,
      root: PAGE_ROOT,
      base: './',
      logLevel: 'warn',
      worker: { format: 'es' },
      build: { outDir: out, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1e6 },
    });
    writeFileSync(join(out, 'sales.parquet'), sales.parquet);
    const files = sirv(out, { dev: true });
    server = createServer((req, res) => files(req, res, () => { res.statusCode = 404; res.end(); }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    browser = await launch();
    page = await browser.newPage();
    errors = watchErrors(page);
    // Offline, as the site must work: anything that is not our server fails.
    await page.route((u) => !u.href.startsWith(url), (route) => route.abort());
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    if (out) rmSync(out, { recursive: true, force: true });
  });

  /** GROUP BY region over the loaded table, decoded from the Arrow IPC the worker returns. */
  const groupBy = () =>
    page.evaluate(async () => {
      const w = window as any;
      const r = await w.data.query('SELECT region, count(*)::INTEGER AS n, sum(amount) AS total, max(qty) AS max_qty FROM sales GROUP BY region ORDER BY region');
      const t = w.arrow.tableFromIPC(r.ipc);
      return { ipcIsBytes: r.ipc instanceof Uint8Array, rows: t.toArray().map((x: any) => ({ region: x.region, n: x.n, total: x.total, maxQty: x.max_qty })) };
    });

  function checkGroupBy(rows: { region: string; n: number; total: number; maxQty: number }[]): void {
    expect(rows.map((r) => r.region)).toEqual([...REGIONS].sort());
    for (const r of rows) {
      const e = sales.expected.get(r.region)!;
      expect(r.n).toBe(e.n);
      expect(Math.abs(r.total - e.total)).toBeLessThan(1e-6 * e.total);
      expect(r.maxQty).toBe(e.maxQty);
    }
  }

  it('loads a Parquet file through parquet-wasm and a GROUP BY returns the numbers computed in Node', async () => {
    const loaded = await page.evaluate(async () => {
      const w = window as any;
      const events: unknown[] = [];
      (w as any).events = events;
      await w.data.onEvent(w.Comlink.proxy((e: unknown) => events.push(e)));
      const ready = await w.data.init();
      const bytes = new Uint8Array(await (await fetch('./sales.parquet')).arrayBuffer());
      const info = await w.data.loadParquet('sales', bytes);
      return { ready, info };
    });
    expect(loaded.ready.bundle).toBe('eh');
    expect(loaded.info.rows).toBe(N);
    expect(loaded.info.columns.map((c: { name: string }) => c.name)).toEqual(['region', 'amount', 'qty']);
    const r = await groupBy();
    expect(r.ipcIsBytes).toBe(true);
    checkGroupBy(r.rows);
  });

  it('cancels a runaway cross join; the page stays responsive and the worker answers again', async () => {
    const r = await page.evaluate(async () => {
      const w = window as any;
      const t0 = performance.now();
      const q = w.data.query('SELECT sum(a.range * b.range) FROM range(100000000) a, range(100000000) b').then(
        () => 'finished',
        (e: Error) => `rejected: ${e.message}`,
      );
      // While the query runs, the page's main thread keeps ticking and runs no long task. (Timer
      // gaps alone are noisy here: two busy workers share two cores with the page.)
      let longest = 0;
      const observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) longest = Math.max(longest, e.duration);
      });
      observer.observe({ type: 'longtask' });
      let ticks = 0;
      await new Promise<void>((done) => {
        const tick = () => {
          ticks++;
          if (performance.now() - t0 < 1500) setTimeout(tick, 10);
          else done();
        };
        setTimeout(tick, 10);
      });
      observer.disconnect();
      const t1 = performance.now();
      const how = await w.data.cancel();
      const outcome = await q;
      return { how, outcome, longest, ticks, cancelMs: performance.now() - t1 };
    });
    expect(r.outcome).toMatch(/^rejected: .*cancelled/);
    expect(['interrupted', 'restarted']).toContain(r.how);
    expect(r.longest).toBeLessThan(200);
    expect(r.ticks).toBeGreaterThan(30);
    expect(r.cancelMs).toBeLessThan(5000);
    checkGroupBy((await groupBy()).rows);
  });

  it('cancel({ graceMs: 0 }) replaces DuckDB at once; the tables come back and an event says so', async () => {
    const r = await page.evaluate(async () => {
      const w = window as any;
      const q = w.data.query('SELECT sum(a.range * b.range) FROM range(100000000) a, range(100000000) b').then(
        () => 'finished',
        (e: Error) => `rejected: ${e.message}`,
      );
      await new Promise((res) => setTimeout(res, 300));
      const how = await w.data.cancel({ graceMs: 0 });
      return { how, outcome: await q, events: w.events };
    });
    expect(r.how).toBe('restarted');
    expect(r.outcome).toMatch(/^rejected: .*cancelled/);
    expect(r.events).toContainEqual({ kind: 'restarted', reason: 'a cancelled query did not stop in time', tables: ['sales'] });
    checkGroupBy((await groupBy()).rows);
  });

  it('a file that is not Parquet is refused with a clear message and the tables stay as they were', async () => {
    const r = await page.evaluate(async () => {
      const w = window as any;
      const bad = new TextEncoder().encode('<html>=HYPERLINK("x")</html> not parquet at all');
      const message = await w.data.loadParquet('sales', bad).then(() => 'loaded', (e: Error) => e.message);
      return { message, tables: (await w.data.tables()).map((t: { name: string }) => t.name) };
    });
    expect(r.message).toMatch(/not a Parquet file/);
    expect(r.tables).toEqual(['sales']);
    checkGroupBy((await groupBy()).rows);
  });

  it('a query that needs an extension fails at once with a message naming the extension, without network', async () => {
    const r = await page.evaluate(async () => {
      const w = window as any;
      const t0 = performance.now();
      try {
        await w.data.query("SELECT * FROM read_parquet('sales.parquet')");
        return { message: 'no error', ms: performance.now() - t0 };
      } catch (e) {
        return { message: (e as Error).message, ms: performance.now() - t0 };
      }
    });
    expect(r.message).toMatch(/parquet/i);
    expect(r.message).toMatch(/does not load DuckDB extensions.*offline/);
    expect(r.message).not.toMatch(/autoinstall_known_extensions=1/);
    expect(r.ms).toBeLessThan(3000);
  });

  const retail = makeRetail();
  const csvCounts = () =>
    page.evaluate(async () => {
      const w = window as any;
      const r = await w.data.query('SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE customer_id IS NULL)::INTEGER AS missing FROM retail_sales');
      return w.arrow.tableFromIPC(r.ipc).toArray().map((x: any) => ({ n: x.n, missing: x.missing }))[0];
    });

  it("loads the retail generator's sales.csv with DuckDB's built-in CSV reader: every row, missing ids as NULL", async () => {
    const info = await page.evaluate((text) => (window as any).data.loadCsv('retail_sales', text), retail.salesCsv);
    expect(info.rows).toBe(retail.counts.salesRows);
    expect(await csvCounts()).toEqual({ n: retail.counts.salesRows, missing: retail.dirty.missingCustomerId.length });
  });

  it('after a trap DuckDB is replaced, the tables are re-registered from their Parquet (and CSV) bytes, and an event says so', async () => {
    const r = await page.evaluate(async () => {
      const w = window as any;
      await w.data.simulateTrap();
      try {
        await w.data.query('SELECT 1');
        return { message: 'no error', events: w.events };
      } catch (e) {
        await new Promise((res) => setTimeout(res, 50)); // let the event's message arrive
        return { message: (e as Error).message, events: w.events };
      }
    });
    expect(r.message).toMatch(/crashed.*restarted.*sales/s);
    expect(r.events).toContainEqual(expect.objectContaining({ kind: 'restarted', tables: ['sales', 'retail_sales'] }));
    checkGroupBy((await groupBy()).rows);
    expect(await csvCounts()).toEqual({ n: retail.counts.salesRows, missing: retail.dirty.missingCustomerId.length });
    expect(errors).toEqual([]);
  });
});
