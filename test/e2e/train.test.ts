import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { canRun, launch, openTrainLab, serveDist, watchErrors, TINY, type Served } from './harness.ts';

describe.skipIf(!canRun)('training lab in Chromium', () => {
  let browser: Browser;
  let site: Served;
  beforeAll(async () => {
    site = await serveDist();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('the home page lists the labs of course.json with their status', async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(site.url);
    await page.waitForSelector('[data-lab="train"]');
    expect(await page.textContent('h1')).toBe('Production ML, hands on');
    expect(await page.textContent('[data-lab="train"] h2')).toContain('Train an image classifier');
    expect(await page.textContent('[data-lab="train"] .status')).toBe('not started');
    expect(errors).toEqual([]);
    await page.close();
  });

  for (const backend of ['wasm', 'webgpu'] as const) {
    it(`trains a tiny MLP on ${backend}: curves update, results and the run table agree`, async () => {
      const page = await browser.newPage();
      const errors = watchErrors(page);
      await openTrainLab(page, site.url, `${TINY}&backend=${backend}`);
      expect(await page.getAttribute('[data-backend]', 'data-backend')).toBe(backend);
      await page.click('button:has-text("Train")');
      // Curves update while training: the live arrays grow.
      await page.waitForFunction(() => ((window as any).__prodlab?.lab.live.trainLoss.length ?? 0) >= 3, null, { timeout: 120_000 });
      await page.waitForSelector('[data-testid="test-acc"]', { timeout: 170_000 });
      const live = await page.evaluate(() => (window as any).__prodlab.lab.live);
      expect(live.trainLoss.length).toBe(20); // 640 / 64 x 2 epochs
      expect(live.valLoss.length).toBe(2);
      expect(live.trainLoss[19]).toBeLessThan(live.trainLoss[0]);
      const shown = await page.textContent('[data-testid="test-acc"]');
      const run = await page.evaluate(() => (window as any).__prodlab.lab.lastRun);
      expect(run.backend).toBe(backend);
      expect(shown).toBe(`${(100 * run.final.testAcc).toFixed(1)}%`);
      expect(run.final.testAcc).toBeGreaterThan(0.5);
      expect(await page.textContent(`tr[data-run="${run.id}"] .test-acc`)).toBe(shown);
      // The confusion matrix sums to the 2,000 test images.
      const cells = await page.$$eval('.confusion tbody td:not(:last-child)', (tds) => tds.map((td) => Number(td.textContent)));
      expect(cells.reduce((s, v) => s + v, 0)).toBe(2000);
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
