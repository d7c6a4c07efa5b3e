import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { canRun, openTrainLab, watchErrors, useSite, TINY } from './harness.ts';
import { describeOnnx } from '../../src/lib/onnx/describe.ts';
import { withUnknownOperator } from '../lib/serve/fixtures.ts';

const text = (page: Page, testid: string) => page.textContent(`[data-testid="${testid}"]`).then((t) => (t ?? '').trim());

/** Loads bytes as the learner's own .onnx; returns the message the lab shows. */
async function loadOwn(page: Page, name: string, bytes: Uint8Array, expectOk: boolean): Promise<string> {
  await page.setInputFiles('input[type="file"]', { name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
  const sel = expectOk ? '[data-testid="own-ok"]' : '[data-testid="own-error"]';
  await page.waitForSelector(`${sel}:has-text("${name}")`, { timeout: 60_000 });
  await page.waitForSelector('.lab[data-phase="ready"]');
  return text(page, expectOk ? 'own-ok' : 'own-error');
}

describe.skipIf(!canRun)('ONNX and serving labs in Chromium', () => {
  const env = useSite();

  it('onnx: the exported file loads in the inference worker and matches tfjs; bad files get a clear message and the lab keeps working', async () => {
    const page = await env.browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${env.site.url}#/lab/onnx`);
    await page.waitForSelector('[data-testid="origin"]', { timeout: 120_000 });
    await page.waitForSelector('.lab[data-phase="ready"]');
    expect(await text(page, 'origin')).toMatch(/default MLP was trained just now/);

    await page.click('button:has-text("Check against tfjs")');
    await page.waitForSelector('[data-testid="max-diff"]', { timeout: 60_000 });
    expect(Number(await text(page, 'max-diff'))).toBeLessThan(1e-4);
    expect(await text(page, 'agree')).toBe('16/16');
    expect(await page.locator('.gallery canvas').count()).toBe(16);

    // The download is a real ONNX file of the learner's model, and loads as "your own file".
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Download .onnx (float32")')]);
    const bytes = new Uint8Array(readFileSync((await download.path())!));
    const d = describeOnnx(bytes);
    expect(d.nodes.map((n) => n.op)).toEqual(['Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm']);
    expect(d.parameterCount).toBe(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
    expect(await loadOwn(page, 'mine.onnx', bytes, true)).toMatch(/mine\.onnx loads on wasm.*input \[batch, 784\] float32/);

    // Corrupt, truncated, and an operator the runtime lacks: each a clear message, nothing else disturbed.
    const junk = Uint8Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 255);
    expect(await loadOwn(page, 'junk.onnx', junk, false)).toMatch(/Not a readable ONNX file/);
    expect(await loadOwn(page, 'half.onnx', bytes.slice(0, bytes.length >> 1), false)).toMatch(/Not a readable ONNX file.*truncated/);
    expect(await loadOwn(page, 'fancy.onnx', withUnknownOperator(bytes), false)).toMatch(/cannot run the operator ai\.prodlab\.custom:FancyRelu/);
    // The same client: a failed load leaves its loaded model serving (the bad file went to a fresh worker, since stopped).
    const after = await page.evaluate(async (junkBytes) => {
      const lab = (window as unknown as { __prodlab: { lab: { infer: { load(b: Uint8Array): Promise<unknown>; run(x: Float32Array, d: number[]): Promise<{ dims: number[] }> }; model: { sample: { pixels: Float32Array } } } } }).__prodlab.lab;
      const err = await lab.infer.load(new Uint8Array(junkBytes)).then(() => null, (e: { kind?: string; message: string }) => ({ kind: e.kind, message: e.message }));
      const out = await lab.infer.run(lab.model.sample.pixels.slice(0, 784), [1, 784]);
      return { err, dims: out.dims };
    }, Array.from(junk));
    expect(after.err).toMatchObject({ kind: 'format', message: expect.stringMatching(/Not a readable ONNX file/) });
    expect(after.dims).toEqual([1, 10]);

    await page.click('button:has-text("Check against tfjs")');
    await page.waitForSelector('[data-exercise="bad-file"][data-passed="yes"]', { timeout: 60_000 });
    expect(Number(await text(page, 'max-diff'))).toBeLessThan(1e-4);

    // A timing on wasm, and WebGPU asked for: whichever provider ran, the table says so.
    await page.fill('input[type="number"] >> nth=1', '20');
    await page.click('button:has-text("Time it")');
    await page.waitForSelector('[data-testid="latency"] tbody tr');
    const row = (await page.locator('[data-testid="latency"] tbody tr').first().innerText()).split('\t');
    expect(row[0]).toBe('wasm → wasm');
    expect(Number(row[4])).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('onnx: exports the learner\'s own training run (a CNN) and it matches tfjs', async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    const errors = watchErrors(page);
    await openTrainLab(page, env.site.url, `${TINY.replace('model=mlp', 'model=cnn').replace('epochs=2', 'epochs=1')}&backend=wasm`);
    await page.click('button:has-text("Train")');
    await page.waitForSelector('.lab[data-phase="ready"] [data-testid="test-acc"]', { timeout: 170_000 });
    await page.goto(`${env.site.url}#/lab/onnx`);
    await page.waitForSelector('[data-testid="origin"]', { timeout: 120_000 });
    await page.waitForSelector('.lab[data-phase="ready"]');
    expect(await text(page, 'origin')).toMatch(/Your newest finished training-lab run.*\(cnn, test accuracy/);
    expect(await page.locator('.flow [data-op="Conv"]').count()).toBeGreaterThan(0);
    await page.click('button:has-text("Check against tfjs")');
    await page.waitForSelector('[data-testid="max-diff"]', { timeout: 60_000 });
    expect(Number(await text(page, 'max-diff'))).toBeLessThan(1e-4);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('serving: a modest open-loop load reaches steady state with p99 reported and the queue bounded', async () => {
    const page = await env.browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${env.site.url}#/lab/serving`);
    await page.waitForSelector('[data-testid="registry"]', { timeout: 120_000 });
    await page.waitForSelector('.lab[data-phase="ready"]');
    await page.fill('label:has-text("Offered load") input', '100');
    await page.fill('label:has-text("Duration") input', '6');
    await page.click('button:has-text("Start load test")');
    await page.waitForSelector('[data-testid="steady"]', { timeout: 90_000 });
    const steady = await text(page, 'steady');
    const num = (re: RegExp) => Number(re.exec(steady)?.[1]);
    // Poisson(100/s) over the 4 s steady window: 400 ± 4·20 requests, every one served.
    expect(num(/(\d+) requests offered/)).toBeGreaterThan(320);
    expect(num(/(\d+) dropped or failed/)).toBe(0);
    expect(num(/p99 ([\d.]+) ms/)).toBeGreaterThan(0);
    expect(num(/p99 ([\d.]+) ms/)).toBeLessThan(1000);
    expect(num(/queue at most (\d+)/)).toBeLessThan(50);
    expect(await page.locator('[data-testid="live"] figure.chart canvas').count()).toBe(3);
    await page.waitForSelector('[data-testid="runs"] tbody tr');

    // Shadow: the int8 export (the registry's default v2) gets a copy of each batch; users get v1's answers.
    await page.check('input[value="shadow"]');
    await page.fill('label:has-text("Duration") input', '4');
    await page.click('button:has-text("Start load test")');
    await page.waitForSelector('[data-testid="runs"] tbody tr >> nth=1', { timeout: 90_000 });
    const shadow = await text(page, 'shadow');
    const agree = Number(/agreed with v1 on ([\d.]+)% of (\d+)/.exec(shadow)?.[1]);
    expect(Number(/of (\d+) requests/.exec(shadow)?.[1])).toBeGreaterThan(100);
    expect(agree).toBeGreaterThan(90);
    expect(Number(/outputs within ([\d.e+-]+)/.exec(shadow)?.[1])).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
