import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { canRun, watchErrors, useSite } from './harness.ts';

const result = (page: Page) => page.evaluate(() => (window as any).__prodlab.lab.result);
const text = (page: Page, id: string) => page.textContent(`[data-testid="${id}"]`);

describe.skipIf(!canRun)('vector search labs in Chromium', () => {
  const env = useSite();

  async function runLab(page: Page, id: string, settings: string): Promise<void> {
    await page.goto(`${env.site.url}#/lab/${id}?${settings}`);
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 30_000 });
    await page.click('button:has-text("Run")');
    await page.waitForSelector('[data-has-result="yes"]', { timeout: 90_000 });
  }

  it('exact, IVF, HNSW and PQ run small settings from their links in the worker and show the numbers they measured', async () => {
    const page = await env.browser.newPage();
    const errors = watchErrors(page);

    await runLab(page, 'vector-exact', 'n=2000&queries=20&dim=16&maxDim=64');
    let r = await result(page);
    expect(await text(page, 'ms-per-query')).toBe(r.msPerQuery.toFixed(3));
    expect(await text(page, 'first-ids')).toBe(Array.from(r.ids.slice(0, 10)).join(', '));
    expect(r.sweep.map((p: { dim: number }) => p.dim)).toEqual([2, 4, 8, 16, 32, 64]);

    await runLab(page, 'vector-ivf', 'n=4000&queries=50&dim=16&nlist=32&trainRows=4000&nprobe=4');
    r = await result(page);
    expect(await text(page, 'recall')).toBe(r.chosen.recall.toFixed(3));
    expect(await text(page, 'min-nprobe')).toBe(String(r.minNprobe95));
    expect(r.curve.at(-1).recall).toBe(1);

    await runLab(page, 'vector-hnsw', 'n=2000&queries=50&dim=16&efConstruction=40&efSearch=32&churn=0.2');
    r = await result(page);
    expect(await text(page, 'recall')).toBe(r.chosen.recall.toFixed(3));
    expect(r.removedReturned).toBe(0);
    expect(await page.locator('[data-testid="route"] li').count()).toBe(r.route.layers.length);

    await runLab(page, 'vector-pq', 'n=6000&queries=40&dim=32&clusters=40&nlist=32&m=8&nbits=6&nprobe=8&rerank=10&trainRows=3000');
    r = await result(page);
    expect(await text(page, 'recall')).toBe(r.recall.toFixed(3));
    expect(await text(page, 'median-ms')).toBe(r.medianMs.toFixed(2));
    expect(r.codeBytes).toBe(6000 * 12);
    await page.waitForSelector('table.runs tbody tr');
    expect(errors).toEqual([]);
  }, 240_000);

  it('hybrid search downloads the WordNet glosses in the worker and shows the nDCG it measured', async () => {
    const page = await env.browser.newPage();
    const errors = watchErrors(page);
    await runLab(page, 'vector-hybrid', 'docs=3000&queries=40&dim=64');
    const r = await result(page);
    expect(r.docs).toBe(3000);
    expect(r.rows.length).toBe(40);
    expect(await text(page, 'ndcg-bm25')).toBe(r.methods.bm25.ndcg.toFixed(3));
    expect(await text(page, 'ndcg-rrf')).toBe(r.methods.rrf.ndcg.toFixed(3));
    expect(await text(page, 'best-alpha')).toBe(String(r.bestAlpha));
    expect(errors).toEqual([]);
  }, 120_000);
});
