import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { canRun, watchErrors, useSite } from './harness.ts';

const result = (page: Page) => page.evaluate(() => (window as any).__prodlab.lab.result);
const text = (page: Page, id: string) => page.textContent(`[data-testid="${id}"]`);
const fixed = (x: number, d: number) => x.toFixed(d);

describe.skipIf(!canRun)('MLOps labs in Chromium', () => {
  const env = useSite();

  async function open(page: Page, id: string, settings: string): Promise<void> {
    await page.goto(`${env.site.url}#/lab/${id}?${settings}`);
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 30_000 });
  }
  async function run(page: Page): Promise<void> {
    const before = await page.getAttribute('[data-has-result]', 'data-run');
    await page.click('[data-testid="run"]');
    await page.waitForFunction((b) => {
      const el = document.querySelector('[data-has-result="yes"]');
      return !!el && el.getAttribute('data-run') !== b && document.querySelector('.lab')?.getAttribute('data-phase') === 'ready';
    }, before, { timeout: 90_000 });
  }
  const registryChange = async (page: Page, click: () => Promise<void>, events: number) => {
    await click();
    await page.waitForFunction((n) => (window as any).__prodlab.lab.events.length === n, events, { timeout: 10_000 });
  };

  it('pipelines and HPO run small settings from their links; tracking finds, compares, registers, queries and exports them', async () => {
    const page = await env.browser.newPage();
    const errors = watchErrors(page);

    // Pipelines: retries 0 and a high failure rate, so the first run fails and a re-run follows.
    await open(page, 'pipelines', 'failureRate=0.5&retries=0&days=2&rows=1000&driftDay=1&change=code&ctDays=40');
    await run(page);
    let r = await result(page);
    const first = r.runs[0];
    expect(await text(page, 'first-state')).toBe(first.state);
    expect(await text(page, 'change-executed')).toBe(String(r.runs.at(-1).executed.length));
    const ran = r.schedule.filter((x: { ran: boolean }) => x.ran);
    expect(await text(page, 'scheduled-runs')).toBe(String(ran.length));
    expect(await text(page, 'schedule-cached')).toBe(String(ran.reduce((a: number, x: { cached: number }) => a + x.cached, 0)));
    expect(await page.locator('[data-testid="dag"] [data-node]').count()).toBe(r.graph.nodes.length);
    // The code change reaches train and what depends on it; nothing upstream of train runs again.
    expect(r.runs.at(-1).executed).not.toContain('extract');
    expect(await page.locator('[data-testid="timeline"] [data-task]').count()).toBe(r.graph.nodes.length);
    // Continuous training: drift alarms, gated retrains, the champion's lineage.
    const ct = r.continuous;
    expect(await text(page, 'ct-retrains')).toBe(String(ct.retrains.length));
    expect(await text(page, 'ct-promoted')).toBe(String(ct.retrains.filter((t: { promoted: boolean }) => t.promoted).length));
    expect(await text(page, 'ct-acc-with')).toBe(fixed(ct.meanAccuracy.withCt, 3));
    expect(await text(page, 'ct-acc-without')).toBe(fixed(ct.meanAccuracy.without, 3));
    expect(await page.locator('[data-testid="ct-gates"] tbody tr').count()).toBe(ct.retrains.length);
    expect(await page.locator('[data-testid="ct-lineage"] [data-node]').count()).toBe(ct.lineage.nodes.length);

    // HPO: the training job, tiny, so early stopping shows too.
    await open(page, 'hpo', 'objective=mlp&trials=6&maxEpochs=9&eta=3&rows=300&seed=2');
    await run(page);
    r = await result(page);
    const best = (k: string) => r.searches.find((x: { sampler: string }) => x.sampler === k).best.value;
    expect(await text(page, 'best-grid')).toBe(fixed(best('grid'), 4));
    expect(await text(page, 'best-random')).toBe(fixed(best('random'), 4));
    expect(await text(page, 'best-tpe')).toBe(fixed(best('tpe'), 4));
    const hb = r.early.runs.find((e: { kind: string }) => e.kind === 'hyperband');
    const full = r.early.runs.find((e: { kind: string }) => e.kind === 'full');
    expect(await text(page, 'epochs-hyperband')).toBe(String(hb.epochs));
    expect(await text(page, 'epochs-full')).toBe(String(full.epochs));
    expect(await page.locator('[data-testid="importance"] .row').count()).toBe(r.importance.length);

    // Tracking: both runs are found; register each as a version, promote, roll back.
    await open(page, 'tracking', `filter=${encodeURIComponent("status = 'done'")}&orderBy=${encodeURIComponent('createdAt DESC')}`);
    await run(page);
    r = await result(page);
    expect(r.total).toBe(2);
    expect(await text(page, 'total')).toBe('2');
    expect(await text(page, 'matched')).toBe(String(r.matched));
    expect(r.rows.map((x: { lab: string }) => x.lab)).toEqual(['hpo', 'pipelines']);
    expect(r.comparison.ids.length).toBe(2);
    const [hpoId, pipeId] = r.rows.map((x: { id: string }) => x.id);
    await page.selectOption('[data-testid="reg-run"]', pipeId);
    await registryChange(page, () => page.click('[data-testid="reg-register"]'), 1);
    await page.selectOption('[data-testid="reg-run"]', hpoId);
    await registryChange(page, () => page.click('[data-testid="reg-register"]'), 2);
    const setAlias = (v: number) => page.click(`[data-model="credit-model"] tr[data-version="${v}"] button:has-text("set champion")`);
    await registryChange(page, () => setAlias(2), 3);
    await registryChange(page, () => setAlias(1), 4);
    await page.evaluate((id) => (window as any).__prodlab.lab.update({ trace: id }), pipeId);
    await run(page);
    r = await result(page);
    expect(r.registry.aliasMoves).toBe(1);
    expect(r.registry.rollbacks).toBe(1);
    expect(await text(page, 'registry-summary')).toContain(`${r.registry.aliasMoves} alias ${r.registry.aliasMoves === 1 ? 'move' : 'moves'} (${r.registry.rollbacks} back`);
    // Lineage of the pipelines run reaches the version registered from it.
    expect(r.lineage.graph.nodes.map((n: { id: string }) => n.id)).toContain('version:credit-model@1');
    expect(await page.locator('[data-testid="lineage"] [data-node]').count()).toBe(r.lineage.graph.nodes.length);

    // SQL over the runs table in the DuckDB worker.
    await page.waitForFunction(() => /Table runs: 3 run|could not/.test(document.querySelector('[data-testid="runs-sql-status"]')?.textContent ?? ''), null, { timeout: 60_000 });
    expect(await text(page, 'runs-sql-status')).toMatch(/^Table runs: 3 run/);
    await page.fill('[data-testid="sql-input"]', 'SELECT lab, count(*) AS n FROM runs GROUP BY lab ORDER BY lab');
    await page.click('[data-testid="sql-run"]');
    await page.waitForSelector('[data-testid="result-rows"]', { timeout: 60_000 });
    const rows = (await page.textContent('[data-testid="sql-panel"] table'))!.replace(/\s+/g, '');
    const labs = [...r.labs].sort((a: { lab: string }, b: { lab: string }) => a.lab.localeCompare(b.lab));
    expect(rows).toContain(labs.map((x: { lab: string; runs: number }) => `${x.lab}${x.runs}`).join(''));

    // The registry survives a reload.
    await page.reload();
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 30_000 });
    await page.waitForFunction(() => (window as any).__prodlab.lab.events.length === 4, null, { timeout: 10_000 });
    expect(await page.locator('[data-model="credit-model"] tr[data-version="1"] [data-testid="reg-aliases"]').textContent()).toBe('champion');

    // Export everything, import it back: the runs come in again and the registry history with them, under a new name.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="reg-export"]')]);
    const path = await download.path();
    const totalBefore = await page.evaluate(() => (window as any).__prodlab.lab.everything.length);
    await page.setInputFiles('[data-testid="reg-import"]', path!);
    await page.waitForFunction((n) => (window as any).__prodlab.lab.everything.length === 2 * n, totalBefore, { timeout: 15_000 });
    await page.waitForFunction(() => (window as any).__prodlab.lab.events.length === 8, null, { timeout: 10_000 });
    expect(await page.locator('[data-testid="reg-model-table"]').count()).toBe(2);

    // A damaged file is refused with a message, and nothing is added.
    await page.setInputFiles('[data-testid="reg-import"]', { name: 'bad.prodlab', mimeType: 'application/octet-stream', buffer: Buffer.from('not a prodlab file') });
    await page.waitForSelector('.msg.error:has-text("Import failed")', { timeout: 10_000 });
    expect(await page.evaluate(() => (window as any).__prodlab.lab.everything.length)).toBe(2 * totalBefore);
    expect(errors).toEqual([]);
  }, 150_000);
});
