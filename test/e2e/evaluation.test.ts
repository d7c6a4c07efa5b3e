import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { canRun, watchErrors, useSite } from './harness.ts';
import { quietContext as q } from '../../src/lib/core/task';
import * as metrics from '../../src/lib/runners/metrics';
import * as calibration from '../../src/lib/runners/calibration';
import * as errorAnalysis from '../../src/lib/runners/error-analysis';
import * as fairness from '../../src/lib/runners/fairness';
import * as explain from '../../src/lib/runners/explain';
import * as modelCard from '../../src/lib/runners/model-card';

/** The same computations run here in Node; the page's numbers must match them. */
describe.skipIf(!canRun)('evaluation labs in Chromium', () => {
  const env = useSite();

  async function runLab(id: string, settings = ''): Promise<{ page: Page; errors: string[] }> {
    const page = await env.browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${env.site.url}#/lab/${id}${settings ? `?${settings}` : ''}`);
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 30_000 });
    await page.click('[data-testid="run"]');
    await page.waitForSelector('[data-testid="results"]', { timeout: 30_000 });
    await page.waitForSelector('.lab[data-phase="ready"]');
    // The run is saved, listed, and the exercises see it.
    await page.waitForSelector('.runs tbody tr');
    return { page, errors };
  }
  const text = (page: Page, testid: string) => page.textContent(`[data-testid="${testid}"]`).then((t) => (t ?? '').trim());
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

  it('metrics: ROC-AUC, PR-AUC and the cheapest cost match the computation; four charts drawn', async () => {
    const { page, errors } = await runLab('metrics');
    const r = metrics.run(q, metrics.defaults);
    expect(await text(page, 'auc')).toBe(r.auc.toFixed(4));
    expect(await text(page, 'ap')).toBe(r.ap.toFixed(4));
    expect(await text(page, 'best-cost')).toBe(r.bestCost.toFixed(3));
    expect(await page.locator('[data-testid="results"] figure.chart canvas').count()).toBe(4);
    const cells = await page.$$eval('.confusion tbody td:not(:last-child)', (tds) => tds.map((td) => Number(td.textContent)));
    expect(cells).toEqual([r.confusion.tn, r.confusion.fp, r.confusion.fn, r.confusion.tp]);
    // Show redraws a saved run from its settings (recomputed, not saved twice): another run first, then the first one again.
    const first = await page.getAttribute('[data-testid="results"]', 'data-run');
    await page.fill('input[name="defaultRate"]', '0.05');
    await page.dispatchEvent('input[name="defaultRate"]', 'change');
    await page.click('[data-testid="run"]');
    await page.waitForFunction((id) => document.querySelector('[data-testid="results"]')?.getAttribute('data-run') !== id, first);
    await page.waitForSelector('.lab[data-phase="ready"]');
    expect(await text(page, 'auc')).not.toBe(r.auc.toFixed(4));
    await page.click(`tr[data-run="${first}"] button:has-text("Show")`);
    await page.waitForFunction((id) => document.querySelector('[data-testid="results"]')?.getAttribute('data-run') === id, first);
    await page.waitForSelector('.lab[data-phase="ready"]');
    expect(await text(page, 'auc')).toBe(r.auc.toFixed(4));
    expect(await page.inputValue('input[name="defaultRate"]')).toBe(String(metrics.defaults.defaultRate));
    expect(await page.locator('.runs tbody tr').count()).toBe(2);
    // Reopened, the lab shows its newest saved run's numbers (the second run), and redraws it on request.
    const second = await page.$$eval('.runs tbody tr', (trs, f) => trs.map((tr) => tr.getAttribute('data-run')).find((id) => id !== null && id !== f), first);
    await page.reload();
    await page.waitForSelector('.lab[data-phase="ready"]');
    expect(await page.getAttribute('[data-has-result]', 'data-has-result')).toBe('no');
    const last = await text(page, 'last-run');
    expect(last).toContain(await page.textContent(`tr[data-run="${second}"] td:first-child`).then((t) => (t ?? '').trim()));
    expect(last).toMatch(/ROC-AUC\s*0\.\d{3}/);
    await page.click('[data-testid="show-last"]');
    await page.waitForSelector('[data-testid="results"]');
    expect(await text(page, 'auc')).not.toBe(r.auc.toFixed(4));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('calibration: each method’s test ECE and Brier match, and the balanced-weights exercise passes from the run', async () => {
    const { page, errors } = await runLab('calibration');
    const r = calibration.run(q, calibration.defaults);
    for (const m of r.methods) {
      expect(await page.textContent(`[data-method="${m.method}"] .ece`)).toBe(m.ece.toFixed(4));
      expect(await page.textContent(`[data-method="${m.method}"] .brier`)).toBe(m.brier.toFixed(4));
    }
    expect(await page.getAttribute('[data-exercise="fix-balanced"]', 'data-passed')).toBe('yes');
    expect(await page.locator('[data-testid="results"] figure.chart canvas').count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('error analysis: accuracy, label-error share and the worst slice match', async () => {
    const { page, errors } = await runLab('error-analysis');
    const r = errorAnalysis.run(q, errorAnalysis.defaults);
    expect(await text(page, 'accuracy')).toBe(pct(r.accuracy));
    expect(await text(page, 'accuracy-true')).toBe(pct(r.accuracyTrue));
    expect(await text(page, 'label-error-share')).toBe(pct(r.labelErrorShare));
    expect(await page.textContent('[data-testid="worst-slices"] tbody tr:first-child td:first-child')).toBe(r.worst[0].description);
    expect(await page.locator('[data-testid="results"] figure.chart canvas').count()).toBe(2);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fairness: the data audit and every variant’s parity gap match; a bad link setting is reported and ignored', async () => {
    const { page, errors } = await runLab('fairness', 'threshold=7');
    expect(await page.textContent('.msg.warn')).toMatch(/Ignored threshold=7/);
    const r = fairness.run(q, fairness.defaults);
    expect(await text(page, 'recorded0')).toBe(pct(r.audit.recordedRate[0]));
    expect(await text(page, 'recorded1')).toBe(pct(r.audit.recordedRate[1]));
    for (const v of r.variants) expect(await page.textContent(`[data-variant="${v.variant}"] .dpd`)).toBe(v.dpd.toFixed(3));
    // A bad value typed into the form: a clear message, Run disabled, the page keeps working.
    await page.fill('input[name="threshold"]', '2');
    await page.dispatchEvent('input[name="threshold"]', 'change');
    expect(await page.textContent('[data-error-for="threshold"]')).toMatch(/Threshold must be between 0.01 and 0.99/);
    expect(await page.isDisabled('[data-testid="run"]')).toBe(true);
    await page.fill('input[name="threshold"]', '0.4');
    await page.dispatchEvent('input[name="threshold"]', 'change');
    expect(await page.isDisabled('[data-testid="run"]')).toBe(false);
    expect(page.url()).toContain('threshold=0.4');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('explanations: AUC and the single-prediction SHAP values match; they add up to f(x) − base', async () => {
    const { page, errors } = await runLab('explain');
    const r = explain.run(q, explain.defaults);
    expect(await text(page, 'auc')).toBe(r.auc.toFixed(4));
    const shown = await page.$$eval('[data-testid="local-shap"] .row', (rows) => rows.map((el) => Number(el.getAttribute('data-value'))));
    expect(shown.length).toBe(r.names.length);
    shown.forEach((v, j) => expect(v).toBeCloseTo(r.local.values[j], 12));
    expect(shown.reduce((a, b) => a + b, 0)).toBeCloseTo(r.local.fx - r.local.baseValue, 10);
    expect(Number(await text(page, 'shap-speed'))).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('model card: downloads as Markdown naming the run and its real numbers', async () => {
    const { page, errors } = await runLab('model-card');
    const runId = await page.getAttribute('[data-testid="results"]', 'data-run');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="download-card"]')]);
    expect(download.suggestedFilename()).toBe(`model-card-${runId}.md`);
    const md = readFileSync((await download.path())!, 'utf8');
    const { card } = modelCard.run(q, { ...modelCard.defaults, runId: runId!, date: '', appVersion: '' });
    expect(md).toContain(`run \`${runId}\``);
    expect(md).toContain(`data hash \`${card.dataHash}\``);
    expect(md).toContain(`| ROC AUC | ${card.metrics[0].value.toFixed(3)} |`);
    expect(md).toContain(`Disparate impact ratio: ${card.fairness.dir.toFixed(3)}`);
    expect(md).toContain(`Expected calibration error (10 equal-width bins): ${card.calibration.ece.toFixed(3)}`);
    expect(await text(page, 'auc')).toBe(card.metrics[0].value.toFixed(3));
    expect(errors).toEqual([]);
    await page.close();
  });
});
