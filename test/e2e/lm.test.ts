import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { canRun, watchErrors, useSite } from './harness.ts';

const result = (page: Page) => page.evaluate(() => (window as any).__prodlab.lab.result);
const text = (page: Page, id: string) => page.textContent(`[data-testid="${id}"]`);

// Tiny settings from the link: 1 layer of width 16, 30 steps of 4 × 16 tokens on 20,000 characters.
const TINY = 'seed=3&chars=20000&layers=1&dModel=16&heads=2&kvHeads=1&context=16&batch=4&steps=30&lr=0.01&sampleLen=40&genMax=32';

describe.skipIf(!canRun)('language-model labs in Chromium', () => {
  const env = useSite();

  async function open(page: Page, settings: string, lab = 'gpt'): Promise<void> {
    await page.goto(`${env.site.url}#/lab/${lab}?${settings}`);
    await page.reload(); // a fresh page state from this link (same origin: the saved runs stay)
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 30_000 });
  }

  it('gpt trains in the tf worker from its link, shows the numbers it measured, stops, and refuses absurd settings', async () => {
    const page = await env.browser.newPage();
    const errors = watchErrors(page);
    await open(page, TINY);
    await page.click('[data-testid="run"]');
    await page.waitForSelector('[data-has-result="yes"] [data-testid="kv-table"]', { timeout: 90_000 });
    const r = await result(page);
    expect(r.curve.length).toBe(31);
    expect(await text(page, 'final-val')).toBe(r.finalVal.toFixed(3));
    expect(await text(page, 'bigram-val')).toBe(r.bigramVal.toFixed(3));
    expect(await text(page, 'gain')).toBe(Math.abs(r.bigramVal - r.finalVal).toFixed(3));
    expect(await text(page, 'sample')).toBe(r.sample);
    expect(r.kv.map((k: { length: number }) => k.length)).toEqual([16, 32]);
    for (const k of r.kv) {
      expect(k.identical).toBe(true);
      // 1 layer · 1 kv head · head width 8 · (length − 1) positions · 2 · 4 bytes.
      expect(k.cacheBytes).toBe(2 * 1 * 1 * 8 * (k.length - 1) * 4);
    }
    expect(await text(page, 'kv-speedup')).toBe((r.kv[1].msNoCache / r.kv[1].msCache).toFixed(1));
    await page.waitForSelector('table.runs tbody tr');

    // Stop a long run: it ends, says so, and saves nothing.
    const before = await page.locator('table.runs tbody tr').count();
    await open(page, TINY.replace('steps=30', 'steps=5000'));
    await page.click('[data-testid="run"]');
    await page.waitForFunction(() => /training: step [1-9]/.test(document.body.textContent ?? ''), undefined, { timeout: 30_000 });
    await page.click('[data-testid="stop"]');
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 30_000 });
    await expect.poll(() => page.textContent('body')).toMatch(/Stopped/);
    expect(await page.locator('table.runs tbody tr').count()).toBe(before);

    // Absurd settings from a link: kv heads that do not divide the heads are refused with a warning, and the
    // page falls back to settings that can run.
    await open(page, TINY.replace('kvHeads=1', 'kvHeads=3'));
    await expect.poll(() => page.textContent('body')).toMatch(/Link settings:[^.]*must divide the query heads/);
    const s = await page.evaluate(() => (window as any).__prodlab.lab.settings);
    expect(s.heads % s.kvHeads).toBe(0);
    expect(await page.isDisabled('[data-testid="run"]')).toBe(false);
    expect(errors).toEqual([]);
  }, 150_000);

  it('speculative trains a target and a draft from its link and decodes the target’s own tokens, with the numbers it measured on screen', async () => {
    const page = await env.browser.newPage();
    const errors = watchErrors(page);
    await open(page, 'seed=2&chars=20000&layers=1&dModel=16&draftLayers=1&draftDModel=8&heads=2&context=16&batch=4&steps=10&lr=0.01&tokens=24&gamma=3', 'speculative');
    await page.click('[data-testid="run"]');
    await page.waitForSelector('[data-has-result="yes"] [data-testid="sweep"]', { timeout: 90_000 });
    const r = await result(page);
    expect(r.sweep.map((g: { identical: boolean }) => g.identical)).toEqual([true, true, true, true]);
    expect(r.chosen.gamma).toBe(3);
    expect(await text(page, 'alpha')).toBe(r.chosen.alpha.toFixed(3));
    expect(await text(page, 'tokens-per-call')).toBe(r.chosen.tokensPerCall.toFixed(2));
    expect(await text(page, 'expected')).toBe(r.chosen.expected.toFixed(2));
    expect(await text(page, 'speedup')).toBe(r.chosen.speedup.toFixed(2));
    expect(await text(page, 'identical')).toMatch(/identical .* every γ/);
    expect(await text(page, 'text')).toBe(r.plainText);
    expect(errors).toEqual([]);
  }, 120_000);
});
