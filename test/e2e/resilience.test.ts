import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { canRun, openTrainLab, watchErrors, TINY, useSite } from './harness.ts';

type Lab = { live: { trainLoss: number[]; valLoss: number[] }; lastRun: any; runs: any[]; phase: string; messages: { kind: string; text: string }[] };
const lab = (page: Page) =>
  page.evaluate(() => {
    const l = (window as any).__prodlab.lab;
    return JSON.parse(JSON.stringify({ live: l.live, lastRun: l.lastRun, runs: l.runs, phase: l.phase, messages: l.messages })) as Lab;
  });
const waitEpochs = (page: Page, n: number) => page.waitForFunction((k) => ((window as any).__prodlab?.lab.live.valLoss.length ?? 0) >= k, n, { timeout: 150_000 });
const waitDone = (page: Page) => page.waitForSelector('[data-testid="test-acc"]', { timeout: 170_000 });
const messages = async (page: Page) => (await page.$$eval('.msg', (els) => els.map((e) => e.textContent ?? ''))).join('\n');

// 1,280 images, batch 64: 20 updates an epoch, 3 epochs. Momentum, so a resumed run is bit-identical.
const RESUMABLE = 'model=mlp&optimizer=momentum&learningRate=0.05&batchSize=64&accumSteps=1&epochs=3&seed=11&trainSize=1280&backend=wasm';

describe.skipIf(!canRun)('runs survive reloads, crashes and lost devices', () => {
  const env = useSite();
  let context: BrowserContext;

  /** The uninterrupted run of RESUMABLE, which every interrupted-and-resumed run must equal. */
  let reference: any;

  /** Epochs finished when the run was interrupted (k); the saved record must hold at least k − 1 of them. */
  async function epochsAtInterrupt(page: Page): Promise<number> {
    await waitEpochs(page, 2);
    return (await lab(page)).live.valLoss.length;
  }

  /** Resume the one interrupted run; it must restart from the checkpoint of epoch ≥ k − 1 and end like the reference. */
  async function resumeAndCompare(page: Page, k: number): Promise<any> {
    const interrupted = page.locator('tr[data-status="interrupted"]');
    await expect.poll(() => interrupted.count()).toBe(1);
    const stored = (await lab(page)).runs.find((r) => r.status === 'interrupted');
    expect(stored.epochsDone).toBeGreaterThanOrEqual(k - 1);
    await interrupted.locator('button:has-text("Resume")').click();
    await expect.poll(() => messages(page)).toMatch(/Resuming from the checkpoint of epoch \d/);
    const from = Number(/Resuming from the checkpoint of epoch (\d+)/.exec(await messages(page))![1]);
    expect(from).toBeGreaterThanOrEqual(k - 1);
    await waitDone(page);
    const resumed = (await lab(page)).lastRun;
    expect(resumed.status).toBe('done');
    expect(resumed.metrics.trainLoss).toEqual(reference.metrics.trainLoss);
    expect(resumed.final.testAcc).toBe(reference.final.testAcc);
    return resumed;
  }

  it('a run interrupted by a reload resumes from its checkpoint and ends identical to an uninterrupted run', async () => {
    context = await env.browser.newContext();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await openTrainLab(page, env.site.url, RESUMABLE);
    await page.click('button:has-text("Train")');
    await waitDone(page);
    reference = (await lab(page)).lastRun;

    await page.click('button:has-text("Train")');
    const k = await epochsAtInterrupt(page);
    await page.reload();
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 90_000 });
    expect(await messages(page)).toMatch(/interrupted by a reload/);
    const resumed = await resumeAndCompare(page, k);
    // Tick both runs: their loss curves are drawn on one chart.
    for (const id of [reference.id, resumed.id]) await page.check(`tr[data-run="${id}"] input[type="checkbox"]`);
    await page.waitForSelector('figure[aria-label="Two runs compared (loss)"] canvas');
    expect(await page.$$eval('figure[aria-label="Two runs compared (loss)"] .u-legend .u-label', (els) => els.map((e) => e.textContent))).toEqual(
      expect.arrayContaining([`${reference.id.slice(-6)} train`, `${resumed.id.slice(-6)} train`]),
    );
    expect(resumed.id).not.toBe(reference.id);
    expect(resumed.status).toBe('done');
    expect(resumed.metrics.step).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(resumed.metrics.trainLoss).toEqual(reference.metrics.trainLoss);
    expect(resumed.final.testAcc).toBe(reference.final.testAcc);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs export to a file and import back with their metrics intact', async () => {
    const page = await context.newPage();
    await openTrainLab(page, env.site.url, RESUMABLE);
    const before = (await lab(page)).runs;
    expect(before.length).toBe(2);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Export all")')]);
    expect(download.suggestedFilename()).toMatch(/^prodlab-runs-\d{4}-\d{2}-\d{2}\.prodlab$/);
    const file = await readFile((await download.path())!);
    for (const r of before) await page.click(`tr[data-run="${r.id}"] button:has-text("Delete")`);
    await expect.poll(async () => (await lab(page)).runs.length).toBe(0);
    await page.setInputFiles('input[type="file"]', { name: 'runs.prodlab', mimeType: 'application/octet-stream', buffer: file });
    await expect.poll(async () => (await lab(page)).runs.length).toBe(2);
    const after = (await lab(page)).runs;
    for (const r of before) {
      const back = after.find((a) => a.id === r.id);
      expect(back.metrics.trainLoss).toEqual(r.metrics.trainLoss);
      expect(back.final?.testAcc).toEqual(r.final?.testAcc);
    }
    // A file that is not a runs export is refused with a message; nothing changes.
    await page.setInputFiles('input[type="file"]', { name: 'junk.prodlab', mimeType: 'application/octet-stream', buffer: Buffer.from('not a runs file') });
    await expect.poll(() => messages(page)).toMatch(/Import failed: .*(not a Prodlab|corrupt|format)/i);
    expect((await lab(page)).runs.length).toBe(2);
    await context.close();
  });

  it('a full storage quota gives a clear message, training goes on, and saved runs stay intact', async () => {
    // Chromium applies a quota override to storage opened after it, so: a fresh context, the override
    // first, and no service worker (its offline cache would take the quota). 4.5 MB holds one small
    // SGD run (three checkpoints of ~0.9 MB) but not two.
    const ctx = await env.browser.newContext({ serviceWorkers: 'block' });
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: env.site.origin, quotaSize: 4_500_000 });
    const settings = 'model=mlp&optimizer=sgd&learningRate=0.05&batchSize=64&epochs=2&seed=3&trainSize=640&backend=wasm';
    await openTrainLab(page, env.site.url, settings);
    await page.click('button:has-text("Train")');
    await waitDone(page);
    const first = (await lab(page)).lastRun;
    expect(await messages(page)).not.toMatch(/storage is full/i);
    await page.click('button:has-text("Train")');
    await waitDone(page);
    const text = await messages(page);
    expect(text).toMatch(/Browser storage is full: .* was not saved\. Earlier runs and checkpoints are intact/);
    // Reported once, not once per update.
    expect(text.match(/storage is full/g)!.length).toBe(1);
    expect((await lab(page)).lastRun.status).toBe('done');
    await page.reload();
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 90_000 });
    // The unsaved run's record may be left 'running' in the full store; marking it interrupted can
    // fail for lack of space, and the lab must start anyway and show it as interrupted.
    expect((await lab(page)).runs.filter((r) => r.status === 'running')).toEqual([]);
    const saved = (await lab(page)).runs.find((r) => r.id === first.id);
    expect(saved.status).toBe('done');
    expect(saved.metrics.trainLoss).toEqual(first.metrics.trainLoss);
    expect(saved.final.testAcc).toBe(first.final.testAcc);
    await ctx.close();
  });

  it('a killed training worker is reported, replaced, and the run resumes from its checkpoint', async () => {
    const ctx = await env.browser.newContext();
    const page = await ctx.newPage();
    await openTrainLab(page, env.site.url, RESUMABLE);
    await page.click('button:has-text("Train")');
    const k = await epochsAtInterrupt(page);
    await page.click('button:has-text("Kill the training worker")');
    await expect.poll(() => messages(page)).toMatch(/training worker was ended.*resume it from the run table/);
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 90_000 });
    const run = await resumeAndCompare(page, k);
    expect(run.epochsDone).toBe(3);

    // Closing the tab mid-run: a new tab finds the run interrupted and resumes it the same way.
    await page.click('button:has-text("Train")');
    const k2 = await epochsAtInterrupt(page);
    await page.close();
    const again = await ctx.newPage();
    await openTrainLab(again, env.site.url, RESUMABLE);
    await resumeAndCompare(again, k2);
    await ctx.close();
  });

  it('a lost WebGPU device stops training cleanly and continues from the last checkpoint on wasm', async () => {
    const ctx = await env.browser.newContext();
    const page = await ctx.newPage();
    const errors = watchErrors(page);
    await openTrainLab(page, env.site.url, `${TINY.replace('epochs=2', 'epochs=3')}&backend=webgpu`);
    await page.click('button:has-text("Train")');
    await waitEpochs(page, 1);
    // The epoch event comes before that epoch's checkpoint is read back from the GPU: lose the device
    // only once the checkpoint exists, or training rightly restarts from epoch 0.
    await page.waitForFunction(() => (window as any).__prodlab.lab.checkpointEpoch >= 1, undefined, { timeout: 60_000 });
    await page.click('button:has-text("Lose the GPU device")');
    await expect.poll(() => messages(page), { timeout: 60_000 }).toMatch(/GPU device was lost .*continuing from the checkpoint of epoch 1 on wasm/);
    await waitDone(page);
    const run = (await lab(page)).lastRun;
    expect(run.status).toBe('done');
    expect(run.backend).toBe('webgpu→wasm');
    // Updates of the interrupted epoch were dropped and redone: steps run 1..30 exactly once.
    expect(run.metrics.step).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(run.metrics.trainLoss.every(Number.isFinite)).toBe(true);
    // WebGPU reports the destroyed device on the console; nothing else may fail.
    expect(errors.filter((e) => !/destroyed|lost/i.test(e))).toEqual([]);
    await ctx.close();
  });
});

describe.skipIf(!canRun)('bad input', () => {
  const env = useSite();

  it('a corrupt dataset file gives a clear message and the rest of the site keeps working', async () => {
    // page.route cannot see requests a service worker answers: keep it out of this test.
    const ctx = await env.browser.newContext({ serviceWorkers: 'block' });
    const page = await ctx.newPage();
    await page.route('**/fashion-mnist-subset.parquet', (r) => r.fulfill({ status: 200, body: Buffer.from('PAR1 this is not parquet at all') }));
    await page.goto(`${env.site.url}#/lab/train?${TINY}`);
    await page.waitForSelector('.lab[data-phase="error"]', { timeout: 60_000 });
    expect(await messages(page)).toMatch(/Parquet/);
    await page.click('nav a:has-text("Labs")');
    await page.waitForSelector('[data-lab="train"]');
    await ctx.close();
  });

  it('absurd settings in a link are ignored with a note, and absurd settings typed in are refused at the control', async () => {
    const page = await env.browser.newPage();
    await openTrainLab(page, env.site.url, 'learningRate=-5&epochs=1000000000&batchSize=0&model=resnet&seed=9');
    const text = await messages(page);
    expect(text).toMatch(/learningRate=-5/);
    expect(text).toMatch(/epochs=1000000000: Epochs must be between 1 and 50/);
    expect(text).toMatch(/model=resnet/);
    expect(await page.inputValue('input[name="seed"]')).toBe('9');
    expect(await page.inputValue('input[name="epochs"]')).toBe('3');
    await page.fill('input[name="batchSize"]', '0');
    await page.press('input[name="batchSize"]', 'Tab');
    await expect.poll(() => page.textContent('[role="alert"]')).toMatch(/Batch Size must be between 1 and 1024, got 0/);
    expect(await page.isDisabled('button:has-text("Train")')).toBe(true);
    // The URL keeps the last valid settings, so a shared link never carries the bad value.
    expect(new URL(page.url()).hash).not.toMatch(/batchSize=0/);
    await page.close();
  });
});
