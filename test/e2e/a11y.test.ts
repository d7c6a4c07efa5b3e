import { describe, expect, it } from 'vitest';
import { AxeBuilder } from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';
import { canRun, useSite, watchErrors } from './harness.ts';
import { LABS } from '../../labs/index';

/**
 * axe-core (WCAG 2.1 A and AA rules) on every lab before a run, and on a few representative labs
 * after their default run (a chart lab, a data lab with the SQL panel and timeline, an experiment
 * lab), each in light and dark mode: no serious or critical violation. One browser and one page
 * for all of it (the lab is switched by its hash link and the colour scheme by media emulation),
 * so the file takes about two minutes on a quiet machine. scripts/ux-audit.mjs prints the same
 * counts per lab, with page widths and the run button's position.
 */
const AFTER_RUN = ['metrics', 'ab-test', 'drift'];

async function serious(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.slice(0, 3).map((n) => `${v.id}: ${n.target.join(' ')}`));
}

/** Violations in light and then dark mode, each labelled. */
async function bothThemes(page: Page, label: string): Promise<string[]> {
  const out: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    out.push(...(await serious(page)).map((v) => `${label} (${colorScheme}) ${v}`));
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return out;
}

describe.skipIf(!canRun)('accessibility (axe-core) in Chromium', () => {
  const env = useSite();
  let ctx: BrowserContext;
  let page: Page;

  async function open(id: string): Promise<void> {
    await page.goto(`${env.site.url}#/lab/${id}`);
    await page.waitForSelector(`h1:has-text(${JSON.stringify(LABS.find((l) => l.id === id)!.title)})`, { timeout: 30_000 });
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 120_000 });
  }

  it('the home page and every lab before a run: no serious or critical violations, light or dark', async () => {
    ctx = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await ctx.newPage();
    const errors = watchErrors(page);
    await page.goto(env.site.url);
    await page.waitForSelector('.track [data-lab] .status');
    const found = await bothThemes(page, 'home');
    for (const lab of LABS) {
      await open(lab.id);
      found.push(...(await bothThemes(page, lab.id)));
    }
    expect(found).toEqual([]);
    expect(errors).toEqual([]);
  }, 600_000);

  it(`after the default run (${AFTER_RUN.join(', ')}): no serious or critical violations, light or dark`, async () => {
    page ??= await (ctx ??= await env.browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const found: string[] = [];
    for (const id of AFTER_RUN) {
      await open(id);
      await page.click('[data-testid="run"]');
      await page.waitForSelector('[data-testid="results"]', { timeout: 180_000 });
      await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 180_000 });
      found.push(...(await bothThemes(page, id)));
    }
    expect(found).toEqual([]);
    await ctx.close();
  }, 600_000);
});
