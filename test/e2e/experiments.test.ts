import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { canRun, watchErrors, useSite } from './harness.ts';

/** Small settings per lab so the whole file stays well under a minute. */
const LABS: { id: string; settings: string; charts: number; check: (page: Page) => Promise<void> }[] = [
  {
    id: 'ab-test',
    settings: 'experiments=200&extraMetrics=4&seed=3',
    charts: 2,
    check: async (page) => {
      const r = await result(page);
      expect(await text(page, 'users-per-arm')).toBe(r.usersPerArm.toLocaleString('en'));
      expect(await text(page, 'conv-power')).toBe(pct(r.conversionPower));
      expect(await text(page, 'aa-fpr')).toBe(pct(r.aaFalsePositiveRate));
      expect(r.aaPValues.length ?? Object.keys(r.aaPValues).length).toBe(200);
      expect(r.conversionPower).toBeGreaterThan(0.6); // planned 80%, 200 experiments
    },
  },
  {
    id: 'pitfalls',
    settings: 'aaRuns=300&usersPerArm=5000&looks=10&seed=3',
    charts: 3,
    check: async (page) => {
      const r = await result(page);
      const L = r.lookCounts.length;
      expect(await text(page, 'fixed-fpr')).toBe(pct(r.fixedFpr[L - 1]));
      expect(await text(page, 'seq-fpr')).toBe(pct(r.sequentialFpr[L - 1]));
      expect(await text(page, 'srm-detect')).toBe(pct(r.srm.detectionRate));
      expect(r.fixedFpr[L - 1]).toBeGreaterThan(r.sequentialFpr[L - 1]);
    },
  },
  {
    id: 'cuped',
    settings: 'usersPerArm=500&experiments=100&seed=3',
    charts: 2,
    check: async (page) => {
      const r = await result(page);
      expect(await text(page, 'vr')).toBe(pct(r.varianceReduction));
      expect(await text(page, 'cuped-power')).toBe(pct(r.cupedPower));
      expect(Math.abs(r.varianceReduction - 0.49)).toBeLessThan(0.05);
    },
  },
  {
    id: 'bandits',
    settings: 'horizon=2000&seeds=30&seed=3',
    charts: 1,
    check: async (page) => {
      const r = await result(page);
      for (const p of r.policies) {
        const shown = await page.textContent(`[data-policy="${p.policy}"] .regret`);
        expect(shown).toBe(p.meanRegret[p.meanRegret.length - 1].toFixed(1));
      }
      const regret = Object.fromEntries(r.policies.map((p: any) => [p.policy, p.meanRegret[p.meanRegret.length - 1]]));
      expect(regret.thompson).toBeLessThan(regret.uniform);
    },
  },
  {
    id: 'interleaving',
    settings: 'maxQueries=1000&replicates=20&seed=3',
    charts: 1,
    check: async (page) => {
      const r = await result(page);
      const L = r.queries.length;
      expect(await text(page, 'il-power')).toBe(pct(r.interleavingPower[L - 1]));
      expect(await text(page, 'ab-power')).toBe(pct(r.abPower[L - 1]));
    },
  },
  {
    id: 'uplift',
    settings: 'users=6000&seed=3',
    charts: 2,
    check: async (page) => {
      const r = await result(page);
      expect(await text(page, 'qini-t')).toBe(r.qiniAreaT.toFixed(1));
      expect(await text(page, 'best-share')).toBe(pct(r.bestShareT, 0));
      expect(r.qiniAreaT).toBeGreaterThan(0);
    },
  },
];

const pct = (x: number, d = 1) => `${(100 * x).toFixed(d)}%`;
const text = (page: Page, id: string) => page.textContent(`[data-testid="${id}"]`);
const result = (page: Page) => page.evaluate(() => (window as any).__prodlab.lab.result);

describe.skipIf(!canRun)('experimentation labs in Chromium', () => {
  const env = useSite();

  async function open(page: Page, id: string, settings: string): Promise<void> {
    await page.goto(`${env.site.url}#/lab/${id}?${settings}`);
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 30_000 });
  }

  for (const lab of LABS) {
    it(`${lab.id}: the default runs in the worker, draws its charts, shows the numbers it computed and saves the run`, async () => {
      const page = await env.browser.newPage();
      const errors = watchErrors(page);
      await open(page, lab.id, lab.settings);
      await page.click('button:has-text("Run simulation")');
      await page.waitForSelector('[data-has-result="yes"]', { timeout: 30_000 });
      expect(await page.locator('.results figure.chart canvas').count()).toBe(lab.charts);
      await lab.check(page);
      // The run is saved and listed; the summary is computed from it.
      await page.waitForSelector('table.runs tbody tr');
      expect(await page.locator('table.runs tbody tr').count()).toBe(1);
      expect(await page.textContent('.summary')).toMatch(/\d/);
      // Settings are in the URL.
      expect(page.url()).toContain(lab.settings.split('&')[0]);
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('absurd settings get a message at the control, the run is refused, the page keeps working', async () => {
    const page = await env.browser.newPage();
    const errors = watchErrors(page);
    await open(page, 'bandits', 'horizon=500&seeds=5&seed=1');
    await page.fill('input[name="rates"]', '0.5, banana');
    await page.press('input[name="rates"]', 'Tab');
    expect(await page.textContent('[data-error-for="rates"]')).toContain('Rate 2 must lie in [0, 1]');
    expect(await page.isDisabled('button:has-text("Run simulation")')).toBe(true);
    await page.fill('input[name="horizon"]', '-3');
    await page.press('input[name="horizon"]', 'Tab');
    expect(await page.textContent('[data-error-for="horizon"]')).toContain('Users (horizon) must be between 10 and 1,000,000; it is -3.');
    await page.fill('input[name="rates"]', '0.1, 0.2');
    await page.press('input[name="rates"]', 'Tab');
    await page.fill('input[name="horizon"]', '500');
    await page.press('input[name="horizon"]', 'Tab');
    expect(await page.locator('[data-error-for]').count()).toBe(0);
    await page.click('button:has-text("Run simulation")');
    await page.waitForSelector('[data-has-result="yes"]', { timeout: 30_000 });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a long simulation shows progress and stops when asked', async () => {
    const page = await env.browser.newPage();
    const errors = watchErrors(page);
    await open(page, 'interleaving', 'maxQueries=20000&replicates=2000&seed=1');
    await page.click('button:has-text("Run simulation")');
    await page.waitForFunction(() => ((window as any).__prodlab?.lab.progress.fraction ?? 0) > 0, null, { timeout: 20_000 });
    expect(await page.locator('[role="progressbar"]').count()).toBe(1);
    await page.click('button:has-text("Stop")');
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 10_000 });
    expect(await page.textContent('.msg.info')).toContain('Stopped');
    expect(await page.locator('table.runs').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
