/**
 * The ETL and ELT lab in Chromium: the default run end to end (numbers against the same pipeline in
 * Node), ETL = ELT, the outputs downloaded and read back, the SQL panel (a query, a runaway cross
 * join cancelled while the page stays responsive) and bad uploads that leave the tables intact.
 * Set PRODLAB_SHOTS=<dir> to keep screenshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { canRun, watchErrors, useSite } from './harness.ts';
import { runEtlJob, ETL_LAB_DEFAULTS } from '../../src/lib/runners/etl';
import { readParquet } from '../../src/lib/data/parquet';
import { compareFeatures, featuresFromArrow, FEATURE_COLUMNS } from '../../src/lib/data/pipeline-outputs';

const SHOTS = process.env.PRODLAB_SHOTS;

describe.skipIf(!canRun)('ETL and ELT lab in Chromium', () => {
  const env = useSite();
  let page: Page;
  let errors: string[];
  const expected = runEtlJob({ ...ETL_LAB_DEFAULTS });
  const text = (testid: string) => page.textContent(`[data-testid="${testid}"]`).then((t) => (t ?? '').trim());
  const shot = async (name: string) => {
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };

  async function sql(query: string): Promise<void> {
    await page.fill('[data-testid="sql-input"]', query);
    await page.click('[data-testid="sql-run"]');
    await page.waitForSelector('[data-testid="sql-panel"][data-phase="ready"]', { timeout: 30_000 });
  }
  const firstCell = () => page.textContent('[data-testid="result"] tbody tr:first-child td:first-child').then((t) => (t ?? '').trim());
  const tableNames = () => page.$$eval('[data-testid="tables"] details', (ds) => ds.map((d) => d.getAttribute('data-table')));

  beforeAll(async () => {
    page = await env.browser.newPage({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    errors = watchErrors(page);
    await page.goto(`${env.site.url}#/lab/etl`);
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 60_000 });
  }, 90_000);
  afterAll(async () => page?.close());

  it('runs the default end to end: counts match Node, ETL and ELT agree, QA passes, the run is saved', async () => {
    await page.click('[data-testid="run"]');
    await page.waitForSelector('[data-testid="agreement"]', { timeout: 60_000 });
    await page.waitForSelector('.lab[data-phase="ready"]');
    const e = await expected;
    const r = e.result;
    expect(Number(await text('sales-rows'))).toBe(r.counts.salesRows);
    expect(Number(await text('removed-total'))).toBe(r.validation.removed.length);
    expect(Number(await text('clean-sales'))).toBe(r.counts.cleanSales);
    expect(Number(await text('feature-rows'))).toBe(r.counts.featureRows);
    expect(await text('recency-auc')).toBe(r.recencyAuc.toFixed(3));
    expect(await text('churn-rate')).toBe(`${(100 * r.churnRate).toFixed(1)}%`);
    expect(await text('cap')).toBe(r.validation.cap.toFixed(2));
    expect(await page.getAttribute('[data-testid="agreement"]', 'data-agree')).toBe('yes');
    expect(Number(await text('elt-rows'))).toBe(r.counts.featureRows);
    for (const k of Object.keys(r.validation.removedByRule)) {
      expect(await page.$$eval(`[data-rule="${k}"] td.num`, (tds) => tds.map((td) => Number(td.textContent)))).toEqual([r.validation.removedByRule[k as keyof typeof r.validation.removedByRule], r.validation.removedByRule[k as keyof typeof r.validation.removedByRule]]);
    }
    expect(await page.$$eval('[data-testid="qa"] li', (ls) => ls.map((l) => l.getAttribute('data-passed')))).not.toContain('no');
    await page.waitForSelector('.runs tbody tr');
    expect(await page.locator('[data-testid="leak-warning"]').count()).toBe(0);
    await shot('etl-run');
    expect(errors).toEqual([]);
  }, 120_000);

  it('downloads: features.parquet reads back to the Node features; metadata and QA report are JSON with the counts', async () => {
    const e = await expected;
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="dl-features"]')]);
    expect(dl.suggestedFilename()).toBe('features.parquet');
    const t = await readParquet(new Uint8Array(readFileSync((await dl.path())!)));
    expect(t.schema.fields.map((f) => f.name)).toEqual([...FEATURE_COLUMNS]);
    expect(compareFeatures(e.result.features, featuresFromArrow(t)).agree).toBe(true);
    const json = async (testid: string) => {
      const [d] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${testid}"]`)]);
      return JSON.parse(readFileSync((await d.path())!, 'utf8'));
    };
    const meta = await json('dl-metadata');
    expect(meta.seed).toBe(ETL_LAB_DEFAULTS.seed);
    expect(meta.row_counts.feature_rows).toBe(e.result.counts.featureRows);
    expect(meta.elt.agree).toBe(true);
    const qa = await json('dl-qa');
    expect(qa.removed).toHaveLength(e.result.validation.removed.length);
    expect((await json('dl-dict-json')).map((x: { name: string }) => x.name)).toEqual([...FEATURE_COLUMNS]);
  }, 60_000);

  it('an edited ELT step makes ETL and ELT disagree; the reset makes them agree and passes the exercise', async () => {
    const step = '[data-step="stg_dedup"]';
    await page.click(`${step} summary`);
    const sqlText = await page.inputValue(`${step} textarea`);
    expect(sqlText).toContain('updated_parsed DESC');
    await page.fill(`${step} textarea`, sqlText.replace('updated_parsed DESC', 'updated_parsed ASC'));
    await page.locator(`${step} textarea`).blur();
    await page.waitForSelector(`${step} .edited`);
    await page.click('[data-testid="run"]');
    await page.waitForSelector('[data-testid="agreement"][data-agree="no"]', { timeout: 60_000 });
    await page.waitForSelector('.lab[data-phase="ready"]');
    // Keeping the oldest version changes the amounts of updated sales, so monetary differs.
    expect(Number(await page.textContent('[data-column="monetary"] td:nth-child(2)'))).toBeGreaterThan(0);
    expect(Number(await page.textContent('[data-column="frequency"] td:nth-child(2)'))).toBe(0);
    await shot('etl-disagree');
    await page.click(`${step} button:has-text("Reset this step")`);
    await page.click('[data-testid="run"]');
    await page.waitForSelector('[data-testid="agreement"][data-agree="yes"]', { timeout: 60_000 });
    await page.waitForSelector('[data-exercise="agree"][data-passed="yes"]');
  }, 120_000);

  it('the SQL panel answers a query on the lab’s tables', async () => {
    const e = await expected;
    await sql('SELECT count(*) AS n, sum(churned) AS churned FROM features');
    expect(Number(await firstCell())).toBe(e.result.counts.featureRows);
    expect(Number(await page.textContent('[data-testid="result"] tbody tr:first-child td:nth-child(2)'))).toBe(Array.from(e.result.features.churned).reduce((a, b) => a + b, 0));
    expect(await tableNames()).toEqual(expect.arrayContaining(['raw_sales', 'raw_events', 'raw_customers', 'etl_features', 'features', 'removed_rows']));
    await page.click('[data-testid="result"] button:has-text("Chart")');
    await page.waitForSelector('[data-testid="quick-chart"] .bars, [data-testid="quick-chart"] canvas');
    await shot('etl-sql');
    await page.click('[data-testid="result"] button:has-text("Table")');
  }, 60_000);

  it('cancels a runaway cross join; the page stays responsive and the tables are intact', async () => {
    await page.fill('[data-testid="sql-input"]', 'SELECT sum(a.range * b.range) FROM range(3000000) a, range(3000000) b');
    await page.click('[data-testid="sql-run"]');
    await page.waitForSelector('[data-testid="sql-panel"][data-phase="running"]');
    // The main thread's worst timer delay over 1.5 s while DuckDB grinds in its worker.
    const worstLagMs = await page.evaluate(async () => {
      let worst = 0;
      let last = performance.now();
      const end = last + 1500;
      while (performance.now() < end) {
        await new Promise((r) => setTimeout(r, 20));
        const now = performance.now();
        worst = Math.max(worst, now - last - 20);
        last = now;
      }
      return worst;
    });
    expect(worstLagMs).toBeLessThan(200);
    const t0 = Date.now();
    await page.click('[data-testid="sql-cancel"]');
    await page.waitForSelector('[data-testid="sql-panel"][data-phase="ready"]', { timeout: 15_000 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await text('sql-error')).toMatch(/cancel/i);
    const e = await expected;
    await sql('SELECT count(*) FROM features');
    expect(Number(await firstCell())).toBe(e.result.counts.featureRows);
  }, 60_000);

  it('a killed data worker: the next query starts a fresh one and the loaded tables come back', async () => {
    await page.evaluate(() => (window as unknown as { __prodlab: { lab: { data: { kill(): void } } } }).__prodlab.lab.data.kill());
    await page.waitForSelector('[data-testid="sql-notice"]:has-text("data worker was ended")');
    const e = await expected;
    await sql('SELECT count(*) FROM etl_features');
    expect(Number(await firstCell())).toBe(e.result.counts.featureRows);
    await page.waitForSelector('[data-testid="sql-notice"]:has-text("fresh data worker started")');
    expect(await tableNames()).toEqual(expect.arrayContaining(['raw_sales', 'raw_events', 'raw_customers', 'etl_features']));
  }, 90_000);

  it('a DuckDB trap: the query fails with a clear message, the learner is told, loaded tables come back', async () => {
    await page.evaluate(() => (window as unknown as { __prodlab: { lab: { data: { simulateTrap(): Promise<void> } } } }).__prodlab.lab.data.simulateTrap());
    await sql('SELECT count(*) FROM etl_features');
    expect(await text('sql-error')).toMatch(/DuckDB crashed while running this query.*restarted/s);
    await page.waitForSelector('[data-testid="sql-notice"]:has-text("DuckDB crashed and was restarted; your tables were reloaded from their Parquet files")');
    const e = await expected;
    await sql('SELECT count(*) FROM etl_features');
    expect(Number(await firstCell())).toBe(e.result.counts.featureRows);
  }, 60_000);

  it('an overlapping label window: the leak is flagged, QA fails it, and the leakage exercise passes against the safe run', async () => {
    await page.fill('input[name="labelStart"]', '2025-07-01');
    await page.locator('input[name="labelStart"]').dispatchEvent('change');
    await page.click('[data-testid="run"]');
    await page.waitForSelector('[data-testid="leak-warning"]', { timeout: 60_000 });
    await page.waitForSelector('.lab[data-phase="ready"]');
    const e = await runEtlJob({ ...ETL_LAB_DEFAULTS, labelStart: '2025-07-01' });
    expect(await text('leak-warning')).toContain(`${e.result.leakedPurchases.toLocaleString('en')} purchases`);
    expect(await text('recency-auc')).toBe(e.result.recencyAuc.toFixed(3));
    expect(await page.getAttribute('[data-testid="qa"] li:has-text("no leakage")', 'data-passed')).toBe('no');
    await page.waitForSelector('[data-exercise="leakage"][data-passed="yes"]');
    expect(page.url()).toContain('labelStart=2025-07-01');
  }, 120_000);

  it('Stop ends a long run at once with a message; nothing is saved and the next run works', async () => {
    const runsBefore = await page.locator('.runs tbody tr').count();
    await page.fill('input[name="customers"]', '5000');
    await page.locator('input[name="customers"]').dispatchEvent('change');
    await page.click('[data-testid="run"]');
    await page.waitForSelector('.lab[data-phase="running"]');
    await page.waitForTimeout(300);
    const t0 = Date.now();
    await page.click('[data-testid="stop"]');
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 15_000 });
    expect(Date.now() - t0).toBeLessThan(5000);
    await page.waitForSelector('.msg.info:has-text("Stopped")');
    expect(await page.locator('.runs tbody tr').count()).toBe(runsBefore);
    await page.fill('input[name="customers"]', '500');
    await page.locator('input[name="customers"]').dispatchEvent('change');
  }, 60_000);

  it('bad uploads: corrupt Parquet, 10,000 columns and an unreadable CSV get clear messages; tables stay', async () => {
    const before = await tableNames();
    const upload = async (name: string, body: Buffer | string) => {
      await page.setInputFiles('[data-testid="upload-input"]', { name, mimeType: 'application/octet-stream', buffer: Buffer.from(body) });
      await page.waitForSelector('[data-testid="upload-message"]', { timeout: 30_000 });
      await page.waitForFunction(() => !(document.querySelector('[data-testid="upload-input"]') as HTMLInputElement).disabled);
      return text('upload-message');
    };
    const corrupt = Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64, 7), Buffer.from('PAR1')]);
    expect(await upload('broken.parquet', corrupt)).toMatch(/^Loading into DuckDB: broken\.parquet could not be loaded.*corrupt Parquet.*Your other tables are unchanged/s);
    expect(await upload('half.parquet', corrupt.subarray(0, 40))).toMatch(/^Reading the file: half\.parquet is a corrupt Parquet file: it does not end with "PAR1"/);
    const wide = Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(',') + '\n' + Array(10_000).fill('1').join(',') + '\n';
    expect(await upload('wide.csv', wide)).toMatch(/^Checking its columns: wide\.csv has 10,000 columns, over the limit of 1,000/);
    expect(await upload('ragged.csv', 'a,b\n1,2\n3,4,5,6\n')).toMatch(/ragged\.csv could not be loaded|Added ragged\.csv/);
    expect(await tableNames()).toEqual(expect.arrayContaining(before as string[]));
    const e = await expected;
    await sql('SELECT count(*) FROM features');
    expect(Number(await firstCell())).toBe(e.result.counts.featureRows);
  }, 90_000);

  it('=FORMULA and HTML in names and cells are shown as text and escaped in the CSV export; wrong types are pointed out', async () => {
    const csv = '"=HYPERLINK(""http://evil"")",<img src=x onerror="window.__pwned=1">,amount\n=1+1,<b>bold</b>,12.5\n@SUM(A1),plain,n/a\n' + Array.from({ length: 20 }, (_, i) => `x${i},y,${i}`).join('\n') + '\n';
    await page.setInputFiles('[data-testid="upload-input"]', { name: 'evil names.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.waitForFunction(() => /Added evil names\.csv/.test(document.querySelector('[data-testid="upload-message"]')?.textContent ?? ''), undefined, { timeout: 30_000 });
    const msg = await text('upload-message');
    expect(msg).toMatch(/starts like a spreadsheet formula/);
    expect(msg).toMatch(/contains markup/);
    expect(msg).toMatch(/"amount" is mostly numbers but 1 of 22 values are not \(for example "n\/a"\)/);
    await page.waitForSelector('[data-testid="tables"] details[data-table="evil_names"]');
    await sql('SELECT * FROM evil_names LIMIT 3');
    const headers = await page.$$eval('[data-testid="result"] thead th', (ths) => ths.map((t) => t.textContent));
    expect(headers).toEqual(['=HYPERLINK("http://evil")', '<img src=x onerror="window.__pwned=1">', 'amount']);
    expect(await page.textContent('[data-testid="result"] tbody tr:nth-child(1) td:nth-child(2)')).toBe('<b>bold</b>');
    expect(await page.locator('[data-testid="sql-panel"] img, [data-testid="result"] b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="download-csv"]')]);
    const lines = readFileSync((await dl.path())!, 'utf8').split('\r\n');
    expect(lines[0]).toBe(`"'=HYPERLINK(""http://evil"")","<img src=x onerror=""window.__pwned=1"">",amount`);
    expect(lines[1]).toBe(`'=1+1,<b>bold</b>,12.5`);
    expect(lines[2]).toBe(`'@SUM(A1),plain,n/a`);
    if (SHOTS) await page.locator('[data-testid="sql-panel"]').screenshot({ path: join(SHOTS, 'etl-upload-panel.png') });
    expect(errors).toEqual([]);
  }, 60_000);
});
