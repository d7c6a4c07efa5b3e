import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import type { BrowserContext, Page } from 'playwright-core';
import { canRun, watchErrors, useSite } from './harness.ts';
import { describeOnnx } from '../../src/lib/onnx/index.ts';

ort.env.wasm.numThreads = 1;

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
type Lab = { output: any; runs: any[]; base: any; checks: Record<string, { passed: boolean; detail: string }> };
const lab = (page: Page): Promise<Lab> => page.evaluate(() => {
  const l = (window as any).__prodlab.lab;
  return JSON.parse(JSON.stringify({ output: l.output, runs: l.runs, base: l.base, checks: l.checks }));
});

/** The compression labs, in one browser profile: the base model trained on first use is reused, the trade-off view sees what the others saved. */
describe.skipIf(!canRun)('compression labs in Chromium', () => {
  const env = useSite();
  let ctx: BrowserContext;

  async function runDefault(id: string, settings = ''): Promise<{ page: Page; errors: string[]; state: Lab }> {
    ctx ??= await env.browser.newContext({ acceptDownloads: true });
    const page = await ctx.newPage();
    const errors = watchErrors(page);
    await page.goto(`${env.site.url}#/lab/${id}${settings ? `?${settings}` : ''}`);
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 180_000 });
    await page.click('button:has-text("Run")');
    await page.waitForSelector('[data-testid="results"]', { timeout: 240_000 });
    await page.waitForSelector('.lab[data-phase="ready"]');
    await page.waitForFunction(() => (window as any).__prodlab.lab.runs.length > 0);
    return { page, errors, state: await lab(page) };
  }

  it('prune: with no training run yet, trains the default base once, prunes 80%, and shows and saves the numbers it measured', async () => {
    const { page, errors, state } = await runDefault('prune');
    expect(await page.textContent('.msg.info')).toMatch(/default MLP was trained/);
    expect(state.base.trainedNow).toBe(true);
    expect(await page.textContent('[data-testid="base-acc"]')).toBe(pct(state.base.accuracy));
    const rows = state.output.rows;
    expect(rows.map((r: any) => r.label)).toEqual([expect.stringMatching(/^base/), expect.stringMatching(/before fine-tuning/), expect.stringMatching(/fine-tuned 1 epoch/)]);
    // The table shows each row's measured accuracy; the saved variant is the last row.
    const shown = await page.$$eval('.model-rows .acc', (tds) => tds.map((t) => t.textContent));
    expect(shown).toEqual(rows.map((r: any) => pct(r.accuracy)));
    const [saved] = state.runs;
    expect(saved.id).toBe(rows[2].runId);
    expect(saved.variant.technique).toBe('prune');
    expect(saved.variant.accuracy).toBe(rows[2].accuracy);
    expect(1 - saved.variant.nonzero / saved.variant.params).toBeGreaterThan(0.79);
    expect(await page.textContent(`.variants tr[data-run="${saved.id}"] .acc`)).toBe(pct(saved.variant.accuracy));
    // The sweep starts at the base's accuracy (0% pruned) and the global curve falls by 98%.
    const global = state.output.curves.find((c: any) => c.label === 'global threshold');
    expect(global.y[0]).toBe(state.base.accuracy);
    expect(global.y[global.y.length - 1]).toBeLessThan(global.y[0]);
    expect(state.checks['prune-80'].detail).toContain(pct(saved.variant.accuracy));
    expect(errors).toEqual([]);
    await page.close();
  }, 420_000);

  it('prune: the structured experiment builds genuinely smaller layers and an unstructured control with as many nonzero weights', async () => {
    const { page, errors, state } = await runDefault('prune', 'experiment=structured&sparsity=0.5&epochs=1&trainSize=1024');
    expect(state.base.trainedNow).toBe(false); // the default base was saved and is reused
    const [base, , compact, control] = state.output.rows;
    expect(compact.params).toBe(784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10);
    expect(control.params).toBe(base.params);
    expect(Math.abs(control.nonzero - compact.params) / compact.params).toBeLessThan(0.01);
    expect(await page.$$eval('[data-testid="layers"] tbody tr', (trs) => trs.map((t) => [...t.querySelectorAll('td')].map((td) => td.textContent).join(' ')))).toEqual(['dense1 50.0% 128 of 256', 'dense2 50.0% 64 of 128']);
    expect(errors).toEqual([]);
    await page.close();
  }, 420_000);

  it('lowrank: the default rank sweep saves one factorized model per rank with the parameters rank·(in + out) implies', async () => {
    const { page, errors, state } = await runDefault('lowrank');
    const points = state.output.points;
    expect(points.map((p: any) => p.rank)).toEqual([4, 8, 16, 32, 64]);
    for (const p of points) expect(p.params).toBe(p.rank * (784 + 256) + 256 + p.rank * (256 + 128) + 128 + 128 * 10 + 10);
    const shown = await page.$$eval('[data-testid="sweep"] .params', (tds) => tds.map((t) => t.textContent));
    expect(shown).toEqual(points.map((p: any) => p.params.toLocaleString('en')));
    expect(state.output.spectra.map((s: any) => s.singularValues.length)).toEqual([256, 128]);
    expect(state.runs).toHaveLength(5);
    expect(errors).toEqual([]);
    await page.close();
  }, 420_000);

  it('tradeoff: plots every saved model with its Pareto front, exports the chosen one to an .onnx that describeOnnx and ORT-web read', async () => {
    const page = await ctx.newPage();
    const errors = watchErrors(page);
    await page.goto(`${env.site.url}#/lab/tradeoff`);
    await page.waitForFunction(() => ((window as any).__prodlab?.lab.runs.length ?? 0) > 0);
    const { runs } = await lab(page);
    // base + pruned + (compact, control) + 5 ranks.
    expect(runs.map((r: any) => r.variant.technique).sort()).toEqual(['baseline', 'lowrank', 'lowrank', 'lowrank', 'lowrank', 'lowrank', 'prune', 'prune', 'prune']);
    const circles = await page.$$eval('figure.pareto:first-of-type circle', (cs) => cs.map((c) => ({ id: c.getAttribute('data-id'), front: c.getAttribute('data-front') })));
    expect(circles).toHaveLength(runs.length);
    // The size front, checked here by its definition.
    const dominated = (r: any) => runs.some((q: any) => q.id !== r.id && q.variant.bytes <= r.variant.bytes && q.variant.accuracy >= r.variant.accuracy && (q.variant.bytes < r.variant.bytes || q.variant.accuracy > r.variant.accuracy));
    for (const c of circles) expect(c.front === '1', c.id!).toBe(!dominated(runs.find((r: any) => r.id === c.id)));
    // Choose the smallest low-rank model and export it.
    const pick = runs.filter((r: any) => r.variant.technique === 'lowrank').sort((a: any, b: any) => a.variant.params - b.variant.params)[0];
    await page.click(`figure.pareto:first-of-type circle[data-id="${pick.id}"]`);
    await page.waitForSelector('[data-testid="selected"]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="selected"] button:has-text("Export to ONNX")')]);
    expect(download.suggestedFilename()).toMatch(/^prodlab-lowrank-lowrank-.*\.onnx$/);
    const bytes = new Uint8Array(readFileSync((await download.path())!));
    const d = describeOnnx(bytes);
    expect(d.parameterCount).toBe(pick.variant.params);
    expect(await page.textContent('[data-testid="selected"] [data-testid="onnx-params"]')).toBe(pick.variant.params.toLocaleString('en'));
    expect(Number(await page.textContent('[data-testid="selected"] [data-testid="onnx-nodes"]'))).toBe(d.nodes.length);
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', new Float32Array(2 * 784).fill(0.5), [2, 784]) });
    expect(out[session.outputNames[0]].dims).toEqual([2, 10]);
    // Deleting a model takes it off the chart.
    await page.click(`.variants tr[data-run="${pick.id}"] button:has-text("Delete")`);
    await page.waitForFunction((n) => document.querySelectorAll('figure.pareto:first-of-type circle').length === n, runs.length - 1);
    expect(errors).toEqual([]);
    await page.close();
    await ctx.close();
  }, 240_000);

  it('a killed compress worker: the run fails with a message, the lab stays usable, and the next run starts a fresh worker', async () => {
    const c = await env.browser.newContext();
    const page = await c.newPage();
    const errors = watchErrors(page);
    await page.goto(`${env.site.url}#/lab/lowrank?ranks=4,8&epochs=3&trainSize=4096`);
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 180_000 });
    await page.click('button:has-text("Run")');
    await page.waitForFunction(() => /fine-tuning/.test((window as any).__prodlab.lab.progress.stage), null, { timeout: 60_000 });
    await page.evaluate(() => (window as any).__prodlab.lab.client.kill());
    await page.waitForSelector('.lab[data-phase="ready"]');
    expect(await page.textContent('.msg.error')).toMatch(/compression worker was ended/);
    await page.fill('input[name="ranks"]', '4');
    await page.press('input[name="ranks"]', 'Tab');
    await page.fill('input[name="epochs"]', '0');
    await page.press('input[name="epochs"]', 'Tab');
    await page.click('button:has-text("Run")');
    await page.waitForSelector('[data-testid="results"]', { timeout: 120_000 });
    await page.waitForSelector('.lab[data-phase="ready"]');
    const { output } = await lab(page);
    expect(output.points.map((p: any) => p.rank)).toEqual([4]);
    expect(errors).toEqual([]);
    await c.close();
  }, 300_000);
});
