// The distributed-training labs (issue 13) in Chromium: small settings from the link, ranks in Web
// Workers of their own over MessagePorts (the test server sends no COOP/COEP), the numbers on screen
// equal to the result, a rank worker ended mid-run, and a refused setting.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { canRun, watchErrors, useSite } from './harness.ts';

const result = (page: Page) => page.evaluate(() => (window as any).__prodlab.lab.result);
const text = (page: Page, id: string) => page.textContent(`[data-testid="${id}"]`);

describe.skipIf(!canRun)('distributed training labs in Chromium', () => {
  const env = useSite();

  async function open(page: Page, id: string, settings: string): Promise<void> {
    // A new document each time: a hash change alone keeps the open lab and its settings.
    await page.goto('about:blank');
    await page.goto(`${env.site.url}#/lab/${id}?${settings}`);
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 60_000 });
  }
  async function runLab(page: Page, id: string, settings: string): Promise<void> {
    await open(page, id, settings);
    await page.click('button:has-text("Run")');
    await page.waitForSelector('[data-has-result="yes"]', { timeout: 90_000 });
  }

  it('data parallel: 2 rank workers match one worker and send the ring formula\'s bytes', async () => {
    const page = await env.browser.newPage();
    const errors = watchErrors(page);
    await runLab(page, 'data-parallel', 'ranks=2&batchPerRank=16&steps=4&trainSize=512&transport=port');
    const r = await result(page);
    expect(r.launchKind).toBe('workers');
    expect(r.ranks).toHaveLength(2);
    expect(r.single.equivalent).toBe(true);
    expect(await text(page, 'launch')).toBe('2 rank workers');
    expect(await text(page, 'transport')).toBe('MessagePorts');
    expect(await text(page, 'global-batch')).toBe('32');
    expect(Math.abs(r.bytesPerStep - r.bytesFormula)).toBeLessThanOrEqual(24);
    expect(await text(page, 'equivalence')).toContain('within');
    expect(await page.locator('[data-testid="timeline"] .lane').count()).toBe(2);
    expect(errors).toEqual([]);
  }, 120_000);

  it('a rank worker ended mid-run fails the step in one sentence; Resume continues from the checkpoint and still matches one worker; an absurd setting is refused', async () => {
    const page = await env.browser.newPage();
    await open(page, 'data-parallel', 'ranks=2&batchPerRank=8&steps=60&trainSize=512&compareSingle=true');
    await page.click('button:has-text("Run")');
    // Past the first checkpoint (every 10 updates), then end rank 1's worker.
    await page.waitForFunction(() => /update (1[1-9]|[2-5]\d) of 60/.test((window as any).__prodlab.lab.progress.stage), undefined, { polling: 'raf', timeout: 90_000 });
    await page.click('[data-testid="kill-rank"]');
    const alert = page.locator('.msg.error', { hasText: "rank 1's worker was ended" });
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.textContent()).toMatch(/^Rank 1's worker was ended during the run \(data parallel: update \d+ of 60\)\.$/);
    expect(await page.getAttribute('[data-has-result]', 'data-has-result')).toBe('no');
    const resume = page.locator('[data-testid="resume"]');
    await resume.waitFor({ timeout: 10_000 });
    const from = Number((await resume.textContent())!.match(/\d+/)![0]);
    expect(from % 10).toBe(0);
    await resume.click();
    await page.waitForSelector('[data-has-result="yes"]', { timeout: 90_000 });
    const r = await result(page);
    expect(r.summary.resumedFrom).toBe(from);
    expect(r.loss).toHaveLength(60);
    expect(r.single.equivalent).toBe(true);
    expect(await text(page, 'resumed')).toContain(`update ${from}`);

    await page.fill('input[name="batchPerRank"]', '256');
    await page.press('input[name="batchPerRank"]', 'Tab');
    await page.fill('input[name="accumSteps"]', '2');
    await page.press('input[name="accumSteps"]', 'Tab');
    const refused = page.locator('small.err[role="alert"]', { hasText: 'more than the 256 each of the 2 ranks gets' });
    await refused.waitFor({ timeout: 10_000 });
    expect(await page.isDisabled('button:has-text("Run")')).toBe(true);
  }, 180_000);

  it('ZeRO-3 on 2 rank workers: memory from the buffers on the formula, bit-identical to data parallel, 1.5x its bytes', async () => {
    const page = await env.browser.newPage();
    const errors = watchErrors(page);
    await runLab(page, 'zero-fsdp', 'strategy=zero3&ranks=2&batchPerRank=16&steps=2&trainSize=512');
    const r = await result(page);
    expect(r.launchKind).toBe('workers');
    const held = r.ranks[0].held.params + r.ranks[0].held.grads + r.ranks[0].held.optimizer;
    expect(Math.abs(held / r.formula.total - 1)).toBeLessThan(0.01);
    expect(r.dp.identical).toBe(true);
    expect(await text(page, 'comm-ratio')).toBe((r.bytesPerStep / r.dp.bytesPerStep).toFixed(3));
    expect(Math.abs(r.bytesPerStep / r.dp.bytesPerStep - 1.5)).toBeLessThan(0.01);
    expect(await page.locator('[data-testid="memory"] tbody tr').count()).toBe(3);
    expect(await text(page, 'dp-compare')).toContain('bit-identical');
    expect(errors).toEqual([]);
  }, 120_000);

  it('memory and precision: checkpointing sweep and unscaled fp16 underflow, as measured', async () => {
    const page = await env.browser.newPage();
    const errors = watchErrors(page);
    await runLab(page, 'memory-precision', 'experiment=checkpointing&depth=8&width=64&batch=64&repeats=1');
    let r = await result(page);
    expect(await text(page, 'blocks')).toBe(String(r.checkpointing.blocks));
    expect(await text(page, 'best-k')).toBe(String(r.checkpointing.bestK));
    expect(await page.locator('[data-testid="ckpt-table"] tbody tr').count()).toBe(r.checkpointing.rows.length);

    await runLab(page, 'memory-precision', 'experiment=precision&model=mlp&precision=fp16&scaling=none&steps=4&batchSize=32&compareFp32=false');
    r = await result(page);
    expect(await text(page, 'underflow')).toBe(`${(100 * r.summary.meanUnderflow).toFixed(3)}%`);
    expect(await text(page, 'skipped')).toBe(String(r.summary.skippedSteps));
    expect(errors).toEqual([]);
  }, 120_000);

  it('planner and federated: the table and the rounds to target are the result', async () => {
    const page = await env.browser.newPage();
    const errors = watchErrors(page);
    await runLab(page, 'scale-planner', '');
    let r = await result(page);
    expect(await page.locator('[data-testid="plan-table"] tbody tr').count()).toBe(r.rows.length);
    expect(await text(page, 'fitting')).toBe(String(r.summary.fitting));
    expect(r.summary.dpFits).toBe(0);

    await runLab(page, 'federated', 'clients=4&rounds=3&trainSize=400&testSize=200&targetAccuracy=0.3&clientFraction=1&secureAgg=true');
    r = await result(page);
    expect(r.testAccuracy).toHaveLength(3);
    expect(await text(page, 'rounds-to-target')).toBe(Number.isFinite(r.roundsToTarget) ? String(r.roundsToTarget) : 'not reached');
    expect(r.summary.maxMaskError).toBe(0);
    expect(errors).toEqual([]);
  }, 120_000);
});
