import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { canRun, watchErrors, useSite } from './harness.ts';

const result = (page: Page) => page.evaluate(() => (window as any).__prodlab.lab.result);
const text = (page: Page, id: string) => page.textContent(`[data-testid="${id}"]`);

/** Run SQL in the lab's panel and return the result's text. */
async function sql(page: Page, query: string): Promise<string> {
  await page.fill('[data-testid="sql-input"]', query);
  await page.click('[data-testid="sql-run"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="sql-panel"]')?.getAttribute('data-phase') === 'ready' && !!document.querySelector('[data-testid="sql-panel"] table'), null, { timeout: 60_000 });
  return (await page.textContent('[data-testid="sql-panel"] table')) ?? '';
}

describe.skipIf(!canRun)('leakage and sampling labs in Chromium', () => {
  const env = useSite();

  async function open(page: Page, id: string, settings = ''): Promise<void> {
    await page.goto(`${env.site.url}#/lab/${id}${settings ? `?${settings}` : ''}`);
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 30_000 });
  }

  it('leakage: the default runs in the worker, shows the gaps it measured, flags the leaked feature, saves the run, and SQL answers over its tables', async () => {
    const page = await env.browser.newPage();
    const errors = watchErrors(page);
    await open(page, 'leakage');
    await page.click('button:has-text("Run simulation")');
    await page.waitForSelector('[data-has-result="yes"]', { timeout: 60_000 });
    const r = await result(page);
    expect(await text(page, 'val-auc')).toBe(r.valAuc.toFixed(3));
    expect(await text(page, 'test-auc')).toBe(r.testAuc.toFixed(3));
    // Each leak alone inflates validation beyond the clean pipeline's; the future does not follow.
    const gap = (name: string) => r.configVal[r.configs.indexOf(name)] - r.configTest[r.configs.indexOf(name)];
    for (const leak of ['split', 'preprocessing', 'target', 'duplicates']) expect(gap(leak)).toBeGreaterThan(gap('none') + 0.03);
    expect(await page.locator('[data-testid="gap-chart"] .row').count()).toBe(6);
    // The default pipeline has the target-derived feature on: importance spikes on it.
    expect(r.features[r.spike]).toBe('retention_offer');
    expect(await page.textContent('[data-testid="importance"]')).toContain('⚠ retention_offer');
    await page.waitForSelector('table.runs tbody tr');
    expect(await page.locator('table.runs tbody tr').count()).toBe(1);
    // SQL over the run's tables: rows per split match what the lab reports.
    await page.waitForFunction(() => /Tables of this run/.test(document.querySelector('[data-testid="sql-status"]')?.textContent ?? ''), null, { timeout: 60_000 });
    const out = await sql(page, "SELECT count(*) FILTER (WHERE split = 'train') AS train_rows, count(*) FILTER (WHERE split = 'test') AS test_rows FROM churn");
    expect(out).toContain(String(r.rows.train));
    expect(out).toContain(String(r.rows.test));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('leakage: a bad model name is dropped from a link and refused at its control; knn runs in the worker and has no coefficient chart', async () => {
    const page = await env.browser.newPage();
    const errors = watchErrors(page);
    await open(page, 'leakage', 'model=gbm&customers=400&repeats=1&leakTarget=0&leakDuplicates=1');
    expect(await page.textContent('.msg.warn')).toContain("Ignored model=gbm: model must be 'logistic' or 'knn'");
    expect(await page.inputValue('input[name="model"]')).toBe('logistic');
    await page.fill('input[name="model"]', 'gbm');
    await page.press('input[name="model"]', 'Tab');
    expect(await page.textContent('[data-error-for="model"]')).toContain("Model must be 'logistic' or 'knn'");
    expect(await page.isDisabled('button:has-text("Run simulation")')).toBe(true);
    await page.fill('input[name="model"]', 'knn');
    await page.press('input[name="model"]', 'Tab');
    await page.click('button:has-text("Run simulation")');
    await page.waitForSelector('[data-has-result="yes"]', { timeout: 120_000 });
    const r = await result(page);
    expect(r.coefficients.every((c: number) => Number.isNaN(c))).toBe(true);
    expect(await page.locator('[data-testid="importance"]').count()).toBe(1);
    expect(await page.textContent('[data-testid="null-model"]')).toContain(r.nullVal.toFixed(3));
    expect(page.url()).toContain('model=knn');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('sampling: the default runs, shows bias/variance per sampler and the imbalance comparison, and SQL recomputes the variance from the draws', async () => {
    const page = await env.browser.newPage();
    const errors = watchErrors(page);
    await open(page, 'sampling');
    await page.click('button:has-text("Run simulation")');
    await page.waitForSelector('[data-has-result="yes"]', { timeout: 60_000 });
    const r = await result(page);
    expect(await text(page, 'truth')).toBe(r.truth.toFixed(2));
    const rmse = Object.fromEntries(r.samplers.map((s: string, k: number) => [s, r.stats[k].rmse]));
    expect(Number(await page.getAttribute('[data-sampler="stratified"] [data-rmse]', 'data-rmse'))).toBeCloseTo(rmse.stratified, 9);
    expect(rmse.stratified).toBeLessThan(rmse['simple random']);
    expect(Math.abs(r.stats[5].bias)).toBeGreaterThan(5 * Math.sqrt(r.stats[0].variance / 1000));
    expect(await page.locator('.results figure.chart canvas').count()).toBe(2);
    // At 1% positives the untreated model is highly accurate yet misses most positives; class weights find more.
    const asIs = r.imbalance[0];
    const weighted = r.imbalance[r.methods.indexOf('class weights')];
    expect(asIs.accuracy).toBeGreaterThan(0.98);
    expect(weighted.recall).toBeGreaterThan(2 * asIs.recall);
    await page.waitForSelector('table.runs tbody tr');
    await page.waitForFunction(() => /Tables of this run/.test(document.querySelector('[data-testid="sql-status"]')?.textContent ?? ''), null, { timeout: 60_000 });
    const out = await sql(page, "SELECT round(var_pop(estimate), 6) AS v FROM estimates WHERE sampler = 'simple random'");
    expect(Number(out.match(/\d+\.\d+/)![0])).toBeCloseTo(r.stats[0].variance, 3);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('sampling: an absurd sample size is refused at its control and the page keeps working', async () => {
    const page = await env.browser.newPage();
    const errors = watchErrors(page);
    await open(page, 'sampling', 'population=1000&sampleSize=50&draws=50&trainRows=2000&positiveRate=0.05');
    await page.fill('input[name="sampleSize"]', '900');
    await page.press('input[name="sampleSize"]', 'Tab');
    expect(await page.textContent('[data-error-for="sampleSize"]')).toContain('at most half the population');
    expect(await page.isDisabled('button:has-text("Run simulation")')).toBe(true);
    await page.fill('input[name="sampleSize"]', '50');
    await page.press('input[name="sampleSize"]', 'Tab');
    await page.click('button:has-text("Run simulation")');
    await page.waitForSelector('[data-has-result="yes"]', { timeout: 60_000 });
    expect(errors).toEqual([]);
    await page.close();
  });
});
