/**
 * The drift lab in Chromium: the default run end to end (90 Parquet partitions into DuckDB-wasm,
 * the drift SQL, the statistics), its timeline showing the injected events, its detection scores
 * equal to the exact monitor's in Node, the SQL panel answering, and the retraining simulator.
 * The feature-store lab's default run, its leakage numbers equal to the same pipeline on native DuckDB.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { canRun, useSite, watchErrors } from './harness.ts';
import { DEFAULT_EVENTS, makeStream } from '../../src/lib/data/stream.ts';
import { monitorStream, scoreDetections } from '../../src/lib/drift/detector.ts';
import { FEATURE_STORE_DEFAULTS, measureLeakage, trainingSetSql } from '../../src/lib/data/feature-views.ts';
import { nativeFeatureStore } from '../lib/data/fs-native.ts';

describe.skipIf(!canRun)('drift lab in Chromium', () => {
  const env = useSite();
  let page: Page;
  let errors: string[];

  it('runs the default monitor: timeline with the injected events, scores as the exact monitor in Node', async () => {
    page = await env.browser.newPage();
    errors = watchErrors(page);
    await page.goto(`${env.site.url}#/lab/drift`);
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 60_000 });
    await page.click('button:has-text("Run monitor")');
    await page.waitForSelector('[data-testid="results"]', { timeout: 120_000 });
    await page.waitForSelector('.lab[data-phase="ready"]');

    // One bar per injected event, spanning its days.
    const bars = await page.$$eval('[data-event]', (els) => els.map((e) => [e.getAttribute('data-event'), Number(e.getAttribute('data-start')), Number(e.getAttribute('data-end'))]));
    expect(bars).toEqual(DEFAULT_EVENTS.map((e) => [e.kind, e.start, e.end]));
    // 8 rows (7 inputs + the prediction) x 90 days of cells.
    expect(await page.locator('.timeline [data-feature="income"] [data-day]').count()).toBe(90);

    // The defaults are PSI and chi-square: the exact monitor (src/lib/drift/detector.ts) on the same stream must agree.
    const s = makeStream();
    const exact = scoreDetections(monitorStream(s), s.events);
    const delays = await page.$$eval('[data-event-score]', (els) => els.map((e) => [e.getAttribute('data-event-score'), Number(e.getAttribute('data-delay'))]));
    expect(delays).toEqual(exact.events.map((e) => [e.event.kind, e.delay ?? -1]));
    expect(await page.textContent('[data-testid="false-alarms"]')).toBe(String(exact.falseAlarms.length));
    // Drift alarms on basket_value from day 40 (the sudden shift); none on sessions (concept drift leaves P(x) alone).
    expect(await page.getAttribute('.timeline [data-feature="basket_value"] [data-day="40"]', 'data-alarm')).toBe('drift');
    expect(await page.locator('.timeline [data-feature="sessions"] [data-alarm="drift"]').count()).toBe(0);
    expect(await page.locator('.timeline [data-feature="model"] [data-alarm="performance"]').count()).toBeGreaterThan(0);
    // The missing-value spike shows as null alarms on age, days 65-67.
    const nullDays = await page.$$eval('.timeline [data-feature="age"] [data-quality~="nulls"]', (els) => els.map((e) => Number(e.getAttribute('data-day'))));
    expect(nullDays).toEqual([65, 66, 67]);
    expect(await page.textContent('[data-testid="schema"]')).toContain('90 of 90 daily partitions');
    // Saved, and the first exercise (sudden shift within a day, no false alarm) passes on it.
    await page.waitForSelector('.runs tbody tr');
    expect(errors).toEqual([]);
  }, 180_000);

  it('re-scores at once when a threshold changes (a KS run flags the gradual shift sooner)', async () => {
    await page.selectOption('select[name="statistic"]', 'ks');
    await page.waitForFunction(() => document.querySelector('[data-event-score="gradual-shift"]')?.getAttribute('data-delay') !== '13');
    const gradual = Number(await page.getAttribute('[data-event-score="gradual-shift"]', 'data-delay'));
    expect(gradual).toBeGreaterThanOrEqual(0);
    expect(gradual).toBeLessThan(13);
    await page.click('[data-testid="save-thresholds"]');
    await page.waitForFunction(() => document.querySelectorAll('.runs tbody tr').length === 2);
  });

  it('the SQL panel answers over the loaded partitions', async () => {
    await page.fill('[data-testid="sql-input"]', 'SELECT count(*) AS n, count(DISTINCT day) AS days FROM stream');
    await page.click('[data-testid="sql-run"]');
    await page.waitForSelector('[data-testid="result"]');
    expect(await page.textContent('[data-testid="result-rows"]')).toBe('1');
    const cells = await page.$$eval('[data-testid="result"] tbody td', (tds) => tds.map((t) => t.textContent?.trim()));
    expect(cells.map((c) => c?.replace(/,/g, ''))).toEqual(['180000', '90']);
  });

  it('compares retraining policies in the worker', async () => {
    await page.click('button:has-text("Compare policies")');
    await page.waitForSelector('[data-testid="retrain-table"]', { timeout: 120_000 });
    const rows = await page.$$eval('[data-testid="retrain-table"] tbody tr', (trs) => trs.map((t) => [t.getAttribute('data-policy'), Number(t.children[1].textContent)]));
    expect(rows.map((r) => r[0])).toEqual(['never', 'periodic', 'triggered', 'continuous']);
    expect(rows[0][1]).toBe(0);
    expect(rows[1][1]).toBe(6);
    expect(rows[3][1]).toBe(87);
    expect(errors).toEqual([]);
  }, 120_000);
});

describe.skipIf(!canRun)('feature-store lab in Chromium', () => {
  const env = useSite();

  it('runs the default: the measured leakage equals the same pipeline on native DuckDB; no skew', async () => {
    const o = FEATURE_STORE_DEFAULTS;
    const store = await nativeFeatureStore(o);
    const pit = await store.cols(trainingSetSql.pointInTime());
    const naive = await store.cols(trainingSetSql.naive());
    const want = { naive: measureLeakage(naive, pit, o), pit: measureLeakage(pit, pit, o) };
    store.close();

    const page = await env.browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${env.site.url}#/lab/feature-store`);
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 60_000 });
    await page.click('[data-testid="run"]');
    await page.waitForSelector('[data-testid="results"]', { timeout: 120_000 });
    await page.waitForSelector('.lab[data-phase="ready"]');
    const text = async (id: string) => (await page.textContent(`[data-testid="${id}"]`))?.trim();
    expect(await text('naive-val')).toBe(want.naive.validationAuc.toFixed(3));
    expect(await text('naive-future')).toBe(want.naive.futureAuc.toFixed(3));
    expect(await text('pit-val')).toBe(want.pit.validationAuc.toFixed(3));
    expect(await text('pit-future')).toBe(want.pit.futureAuc.toFixed(3));
    // The leak: the naive join validates far better than it does later.
    expect(want.naive.validationAuc - want.naive.futureAuc).toBeGreaterThan(0.1);
    const skew = await page.$$eval('[data-testid="skew"] tbody td.num', (tds) => tds.map((t) => t.textContent?.trim().split(' ')[0]));
    expect(skew).toEqual(['0', '0', '0', '0']);
    await page.waitForSelector('.runs tbody tr');
    expect(errors).toEqual([]);
  }, 180_000);
});

describe.skipIf(!canRun)('drift lab: bad input and a killed data worker', () => {
  const env = useSite();

  it('refuses absurd settings with a message, and its SQL panel survives a killed data worker', async () => {
    const page = await env.browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${env.site.url}#/lab/drift?rowsPerDay=-5&seed=3`);
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 60_000 });
    // The bad link value is ignored, with a note naming it; the good one is kept.
    expect(await page.textContent('.msg.warn')).toContain('rowsPerDay=-5');
    expect(await page.inputValue('input[name="rowsPerDay"]')).toBe('2000');
    expect(await page.inputValue('input[name="seed"]')).toBe('3');
    // A value out of range in the control: a message, and Run is off until it is fixed.
    await page.fill('input[name="rowsPerDay"]', '10');
    await page.dispatchEvent('input[name="rowsPerDay"]', 'change');
    expect(await page.textContent('[data-error-for="rowsPerDay"]')).toContain('Rows per day must be between 200 and 50,000; it is 10.');
    expect(await page.isDisabled('button:has-text("Run monitor")')).toBe(true);
    await page.fill('input[name="rowsPerDay"]', '500');
    await page.dispatchEvent('input[name="rowsPerDay"]', 'change');
    await page.click('button:has-text("Run monitor")');
    await page.waitForSelector('[data-testid="results"]', { timeout: 120_000 });
    await page.waitForSelector('.lab[data-phase="ready"]');
    // The data worker dies (as under memory pressure): the next query starts a fresh one, reloads the 91 tables and the views.
    await page.evaluate(() => (window as unknown as { __prodlab: { lab: { data: { kill(): void } } } }).__prodlab.lab.data.kill());
    await page.fill('[data-testid="sql-input"]', 'SELECT count(*) AS n FROM monitored');
    await page.click('[data-testid="sql-run"]');
    await page.waitForSelector('[data-testid="result"]', { timeout: 60_000 });
    const cells = await page.$$eval('[data-testid="result"] tbody td', (tds) => tds.map((t) => t.textContent?.trim().replace(/,/g, '')));
    expect(cells).toEqual(['45000']);
    expect(errors).toEqual([]);
  }, 180_000);
});
