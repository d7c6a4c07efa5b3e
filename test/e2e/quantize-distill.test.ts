import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { canRun, openTrainLab, watchErrors, useSite, TINY } from './harness.ts';
import { formatBytes } from '../../src/lib/core/format';

interface SavedVariant { key: string; accuracy: number; bytes: number; technique: string }

/** The variants the page's state read back from IndexedDB (tagged by role, the compression kit's one scheme). */
async function saved(page: Page): Promise<SavedVariant[]> {
  return page.evaluate(() => {
    const lab = (window as unknown as { __prodlab: { lab: { runs: { params: { role: string }; variant: { accuracy: number; bytes: number; technique: string } }[] } } }).__prodlab.lab;
    return lab.runs.map((r) => ({ key: r.params.role, accuracy: r.variant.accuracy, bytes: r.variant.bytes, technique: r.variant.technique }));
  });
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const kb = formatBytes;

describe.skipIf(!canRun)('quantization and distillation labs in Chromium', () => {
  const env = useSite();

  async function open(id: string, settings: string, ctx?: BrowserContext): Promise<{ page: Page; errors: string[] }> {
    const page = await (ctx ?? env.browser).newPage();
    const errors = watchErrors(page);
    await page.goto(`${env.site.url}#/lab/${id}?${settings}`);
    // The page loads the base model as it opens (the default MLP is trained and saved on first use).
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 180_000 });
    return { page, errors };
  }

  async function run(page: Page): Promise<void> {
    await page.click('button:has-text("Run")');
    await page.waitForSelector('.lab[data-phase="running"]');
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 240_000 });
  }

  /** Rows of the results' variant table: key → shown accuracy and bytes. */
  async function rows(page: Page): Promise<Record<string, { acc: string; bytes: number }>> {
    return page.$$eval('[data-testid="variants"] tbody tr', (trs) => Object.fromEntries(trs.map((tr) => [tr.getAttribute('data-key'), { acc: tr.querySelector('.acc')!.textContent!.trim(), bytes: Number(tr.querySelector('.bytes')!.getAttribute('data-bytes')) }])));
  }

  it('quantize: the default variants run end to end, the table shows the saved numbers, int8 is ~4x and int4 ~8x smaller', async () => {
    const { page, errors } = await open('quantize', 'trainSize=600&calibrationSize=64');
    await run(page);
    await page.waitForSelector('[data-testid="results"]');
    expect(await page.locator('.msg.error').count()).toBe(0);
    const shown = await rows(page);
    const runs = await saved(page);
    const keys = ['float32', 'int8-tensor', 'int8-channel', 'static-minmax', 'static-percentile', 'int4-ptq', 'int4-qat', 'float-ft'];
    expect(Object.keys(shown)).toEqual(keys);
    expect(runs.map((r) => r.key).sort()).toEqual([...keys].sort());
    for (const r of runs) {
      expect(shown[r.key].acc).toBe(pct(r.accuracy));
      expect(shown[r.key].bytes).toBe(r.bytes);
      expect(r.technique).toBe(r.key.startsWith('float') ? 'baseline' : 'quantize');
    }
    const f = shown.float32.bytes;
    expect(shown['int8-channel'].bytes / f).toBeGreaterThan(0.25);
    expect(shown['int8-channel'].bytes / f).toBeLessThan(0.26);
    expect(shown['int4-ptq'].bytes / f).toBeGreaterThan(0.125);
    expect(shown['int4-ptq'].bytes / f).toBeLessThan(0.135);
    // A trained model: well above the 10% of chance; int8 per channel within 2 points of float.
    const acc = (k: string) => runs.find((r) => r.key === k)!.accuracy;
    expect(acc('float32')).toBeGreaterThan(0.7);
    expect(Math.abs(acc('int8-channel') - acc('float32'))).toBeLessThan(0.02);
    // Per-layer errors: per-channel int8 never worse than per-tensor, int4 worse than int8.
    const errs = await page.$$eval('[data-testid="layer-errors"] tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td.num'), (td) => parseFloat(td.textContent!))));
    expect(errs.length).toBe(3);
    for (const [t8, c8, t4] of errs) {
      expect(c8).toBeLessThanOrEqual(t8);
      expect(t4).toBeGreaterThan(t8);
    }
    expect(await page.locator('[data-testid="results"] figure.chart canvas').count()).toBe(4);
    // Both ONNX files load in the inference worker (onnxruntime-web) and are timed there.
    await page.waitForSelector('[data-testid="ort-latency"][data-state="done"]', { timeout: 120_000 });
    const medians = await page.$$eval('[data-testid="ort-latency"] tr[data-file] .median', (tds) => tds.map((td) => Number(td.getAttribute('data-ms'))));
    expect(medians.length).toBe(2);
    for (const m of medians) expect(m).toBeGreaterThan(0);
    expect(await page.textContent('[data-testid="ort-ratio"]')).toBe(`${(medians[1] / medians[0]).toFixed(2)}×`);
    const [onnxFloat, onnxInt8] = await Promise.all([page.textContent('[data-testid="onnx-float"]'), page.textContent('[data-testid="onnx-int8"]')]);
    expect(parseFloat(onnxInt8!) / parseFloat(onnxFloat!)).toBeLessThan(0.3);
    // The saved variants are listed, and the int8 exercise reads them.
    expect(await page.locator('.runs tbody tr').count()).toBe(keys.length);
    expect(await page.getAttribute('[data-exercise="int8-free"]', 'data-passed')).toBe('yes');
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('distill: teacher, student alone, distilled, self-distilled and int4-QAT students; the bar and the size fraction match the saved runs', async () => {
    const { page, errors } = await open('distill', 'trainSize=800&epochs=2&temperatures=4&alphas=0.5&selfDistill=yes&qatBits=4');
    await run(page);
    await page.waitForSelector('[data-testid="results"]');
    expect(await page.locator('.msg.error').count()).toBe(0);
    const shown = await rows(page);
    const runs = await saved(page);
    expect(Object.keys(shown)).toEqual(['alone', 'T4-a0.5', 'self-T4-a0.5', 'qat4-T4-a0.5']);
    for (const r of runs) {
      expect(shown[r.key].acc).toBe(pct(r.accuracy));
      expect(r.technique).toBe('distill');
    }
    const teacher = await page.textContent('[data-testid="teacher-acc"]');
    const teacherBytes = shown['self-T4-a0.5'].bytes; // the same architecture as the teacher, float32
    expect(await page.textContent('[data-testid="results"] .stats')).toContain(kb(teacherBytes));
    const small = runs.filter((r) => r.key === 'T4-a0.5' || r.key.startsWith('qat')).sort((a, b) => b.accuracy - a.accuracy)[0];
    expect(await page.textContent('[data-testid="best-acc"]')).toBe(pct(small.accuracy));
    expect(await page.textContent('[data-testid="fraction"]')).toBe(`${(100 * small.bytes / teacherBytes).toFixed(1)}%`);
    const within = small.accuracy >= parseFloat(teacher!) / 100 - 0.05 - 0.0005;
    expect(await page.textContent('[data-testid="bar"]')).toBe(within ? 'within 5 points' : 'more than 5 points behind');
    // An int4 student of 32 units is under 2% of the teacher's bytes.
    expect(shown['qat4-T4-a0.5'].bytes / teacherBytes).toBeLessThan(0.02);
    expect(await page.getAttribute('[data-exercise="self-distill"]', 'data-passed')).toBe('yes');
    expect(await page.getAttribute('[data-exercise="qat-student"]', 'data-passed')).toBe('yes');
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('distill: Stop cancels a run between updates, saves nothing, and the lab runs again; a bad link setting is named and ignored', async () => {
    const { page, errors } = await open('distill', 'epochs=20&trainSize=9000&temperatures=1,2,4,8&alphas=0.3,0.5,0.9&studentUnits=abc');
    expect(await page.textContent('.msg.warn')).toMatch(/Ignored studentUnits=abc/);
    const before = (await saved(page)).length;
    await page.click('button:has-text("Run")');
    await page.waitForFunction(() => /student 1 of/.test(document.querySelector('.progress')?.textContent ?? ''), null, { timeout: 120_000 });
    await page.click('button:has-text("Stop")');
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 30_000 });
    // (An earlier info message may say the default base was trained as the page opened.)
    expect(await page.locator('.msg.info', { hasText: /Stopped: nothing from this run was saved/ }).count()).toBe(1);
    expect((await saved(page)).length).toBe(before);
    // A bad value typed into the form: a clear message and Run disabled; fixing it enables Run again.
    await page.fill('input[name="studentUnits"]', '0');
    await page.dispatchEvent('input[name="studentUnits"]', 'change');
    expect(await page.textContent('.msg.error')).toMatch(/Student hidden units must be between 4 and 512/);
    expect(await page.isDisabled('button:has-text("Run")')).toBe(true);
    await page.fill('input[name="studentUnits"]', '16');
    await page.dispatchEvent('input[name="studentUnits"]', 'change');
    expect(await page.isDisabled('button:has-text("Run")')).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);
  it("distill: the learner's own finished training run becomes the teacher, and the exercise that asks for it reads that run", async () => {
    // One browser context: the training lab's run and the distillation lab share its IndexedDB.
    const ctx = await env.browser.newContext();
    const train = await ctx.newPage();
    await openTrainLab(train, env.site.url, `${TINY}&backend=wasm`);
    await train.click('button:has-text("Train")');
    await train.waitForSelector('.lab[data-phase="ready"] [data-testid="test-acc"]', { timeout: 170_000 });
    const trainAcc = await train.textContent('[data-testid="test-acc"]');
    await train.close();
    const { page, errors } = await open('distill', 'trainSize=500&epochs=1&temperatures=4&alphas=0.5', ctx);
    await run(page);
    const header = await page.textContent('[data-testid="results-base"]');
    expect(header).toMatch(/your training run .*\(mlp, test accuracy/);
    expect(header).toContain(trainAcc!.trim());
    expect(await page.getAttribute('[data-exercise="your-teacher"]', 'data-passed')).toBe('yes');
    expect(errors).toEqual([]);
    await ctx.close();
  }, 300_000);
  it('quantize: a killed worker is reported where it happened, saved variants stay, and the next run starts a fresh worker', async () => {
    const { page, errors } = await open('quantize', 'trainSize=300&calibrationSize=32');
    await run(page);
    const before = (await saved(page)).length;
    expect(before).toBe(8);
    await page.click('button:has-text("Run")');
    await page.waitForFunction(() => /QAT|int8|scoring|calibrating/.test(document.querySelector('.progress')?.textContent ?? ''), null, { timeout: 60_000 });
    await page.evaluate(() => (window as unknown as { __prodlab: { lab: { client: { kill(): void } } } }).__prodlab.lab.client.kill());
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 60_000 });
    expect(await page.textContent('.msg.error')).toMatch(/The compression worker was ended\. The next run starts a fresh one/);
    expect((await saved(page)).length).toBe(before);
    await run(page);
    expect((await saved(page)).length).toBe(before + 8);
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);
  it('distill: a data set that cannot be downloaded is reported, and the lab works once it can be', async () => {
    const ctx = await env.browser.newContext({ serviceWorkers: 'block' });
    let fail = true;
    await ctx.route('**/fashion-mnist-subset.parquet', (r) => (fail ? r.fulfill({ status: 503, body: 'down' }) : r.continue()));
    const { page, errors } = await open('distill', 'trainSize=300&epochs=1&temperatures=4&alphas=0.5', ctx);
    await page.click('button:has-text("Run")');
    await page.waitForSelector('.msg.error', { timeout: 60_000 });
    expect(await page.textContent('.msg.error')).toMatch(/Could not download the dataset .*HTTP 503/);
    expect(await page.getAttribute('.lab', 'data-phase')).toBe('ready');
    fail = false;
    await run(page);
    expect((await saved(page)).length).toBe(2);
    expect(errors.filter((e) => !/503/.test(e))).toEqual([]);
    await ctx.close();
  }, 300_000);
});
