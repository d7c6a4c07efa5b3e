import { describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { canRun, chromiumPath, openTrainLab, watchErrors, CHROMIUM_FLAGS, TINY, useSite } from './harness.ts';

describe.skipIf(!canRun)('training lab in Chromium', () => {
  const env = useSite();

  it('the home page shows a start path and the labs in tracks, with exercises passed per lab', async () => {
    const page = await env.browser.newPage();
    const errors = watchErrors(page);
    await page.goto(env.site.url);
    await page.waitForSelector('.track [data-lab="train"] .status');
    expect(await page.textContent('h1')).toBe('Production ML, hands on');
    expect(await page.textContent('[data-testid="start-here"] li:first-child')).toContain('Train an image classifier');
    expect(await page.textContent('[data-track="training"] h2')).toBe('Training');
    expect(await page.textContent('.track [data-lab="train"] h3')).toContain('Train an image classifier');
    expect(await page.getAttribute('.track [data-lab="train"] .status', 'data-status')).toBe('not started');
    expect(await page.textContent('.track [data-lab="train"] .status')).toMatch(/^0\/\d+ exercises passed$/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('an instructor\'s course.json chooses and orders the labs without a rebuild, and names unknown ids', async () => {
    const ctx = await env.browser.newContext({ serviceWorkers: 'block' });
    const page = await ctx.newPage();
    await page.route('**/course.json', (r) => r.fulfill({ contentType: 'application/json', body: JSON.stringify({ title: 'Week 3', labs: ['bandits', 'train', 'no-such-lab'] }) }));
    await page.goto(env.site.url);
    await page.waitForSelector('.track [data-lab]');
    expect(await page.textContent('h1')).toBe('Week 3');
    expect(await page.$$eval('.track [data-lab]', (els) => els.map((e) => e.getAttribute('data-lab')))).toEqual(['bandits', 'train']);
    expect(await page.textContent('.msg.warn')).toMatch(/lists a lab "no-such-lab" that this site does not have/);
    await ctx.close();
  });

  for (const backend of ['wasm', 'webgpu'] as const) {
    it(`trains a tiny MLP on ${backend}: curves update, results and the run table agree`, async () => {
      const page = await env.browser.newPage();
      const errors = watchErrors(page);
      await openTrainLab(page, env.site.url, `${TINY}&backend=${backend}`);
      expect(await page.getAttribute('[data-backend]', 'data-backend')).toBe(backend);
      // The page only draws: no task on the main thread may block it for 200 ms or more while training.
      await page.evaluate(() => {
        (window as any).__longTasks = [];
        new PerformanceObserver((l) => (window as any).__longTasks.push(...l.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
      });
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
      // Beyond accuracy: calibration and robustness on screen are the run's numbers.
      const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
      expect(await page.textContent('[data-testid="rob-clean"]')).toBe(shown);
      expect(await page.textContent('[data-testid="rob-shift"]')).toBe(pct(run.final.robustness.shift));
      expect(await page.textContent('[data-testid="temperature"]')).toBe(`T = ${run.final.calibration.temperature.toFixed(2)}`);
      expect(await page.textContent('[data-testid="ece-after"]')).toBe(pct(run.final.calibration.eceAfter));
      const longTasks: number[] = await page.evaluate(() => (window as any).__longTasks);
      expect(Math.max(0, ...longTasks)).toBeLessThan(200);
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('the CNN trains on wasm (which lacks Conv2DBackpropFilter; Prodlab supplies it) and on webgpu, with the same losses', async () => {
    // SwiftShader runs convolutions far too slowly to evaluate 3,000 images in a test, so both runs
    // are stopped after 5 updates: enough to compare the two backends' gradients through the losses.
    const settings = 'model=cnn&optimizer=adam&learningRate=0.003&batchSize=32&accumSteps=1&epochs=1&seed=5&trainSize=640';
    const losses: Record<string, number[]> = {};
    for (const backend of ['wasm', 'webgpu']) {
      const page = await env.browser.newPage();
      const errors = watchErrors(page);
      await openTrainLab(page, env.site.url, `${settings}&backend=${backend}`);
      await page.click('button:has-text("Train")');
      await page.waitForFunction(() => (window as any).__prodlab.lab.live.trainLoss.length >= 5, null, { timeout: 150_000 });
      await page.click('button:has-text("Stop")');
      await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 60_000 });
      const run = await page.evaluate(() => JSON.parse(JSON.stringify((window as any).__prodlab.lab.lastRun)));
      expect(run.backend).toBe(backend);
      expect(run.status).toBe('stopped');
      losses[backend] = run.metrics.trainLoss.slice(0, 5);
      expect(errors).toEqual([]);
      await page.close();
    }
    expect(losses.wasm.every(Number.isFinite)).toBe(true);
    expect(losses.wasm[4]).toBeLessThan(losses.wasm[0]);
    // Same seed, same batches: the two backends agree to float32 rounding, update after update.
    for (let i = 0; i < 5; i++) expect(Math.abs(losses.webgpu[i] - losses.wasm[i])).toBeLessThan(1e-3);
  });

  it('same seed, settings and backend reproduce a run: bit-identical on wasm, within 1e-4 on webgpu', async () => {
    const settings = 'model=mlp&optimizer=adam&learningRate=0.002&batchSize=64&accumSteps=1&epochs=1&seed=21&trainSize=640';
    const gaps: Record<string, number> = {};
    for (const backend of ['wasm', 'webgpu']) {
      const page = await env.browser.newPage();
      await openTrainLab(page, env.site.url, `${settings}&backend=${backend}`);
      const losses: number[][] = [];
      for (let i = 0; i < 2; i++) {
        await page.click('button:has-text("Train")');
        await page.waitForSelector('.lab[data-phase="ready"] [data-testid="test-acc"]', { timeout: 170_000 });
        losses.push(await page.evaluate(() => (window as any).__prodlab.lab.lastRun.metrics.trainLoss.slice()));
      }
      gaps[backend] = Math.max(...losses[0].map((v, j) => Math.abs(v - losses[1][j])));
      await page.close();
    }
    console.log(`determinism: max |Δ train loss| between two identical runs: ${JSON.stringify(gaps)}`);
    expect(gaps.wasm).toBe(0);
    expect(gaps.webgpu).toBeLessThan(1e-4);
  });

  it('Pause holds training, Resume continues it, Stop ends the run as stopped', async () => {
    const page = await env.browser.newPage();
    await openTrainLab(page, env.site.url, 'model=mlp&optimizer=adam&learningRate=0.001&batchSize=32&accumSteps=1&epochs=3&seed=1&trainSize=4000&backend=wasm');
    const steps = () => page.evaluate(() => (window as any).__prodlab.lab.live.trainLoss.length as number);
    await page.click('button:has-text("Train")');
    await page.waitForFunction(() => (window as any).__prodlab.lab.live.trainLoss.length >= 5);
    await page.click('button:has-text("Pause")');
    await page.waitForTimeout(300);
    const held = await steps();
    await page.waitForTimeout(1500);
    expect(await steps()).toBe(held);
    expect(await page.textContent('[role="progressbar"] + .detail')).toMatch(/paused/);
    await page.click('button:has-text("Resume")');
    await expect.poll(steps).toBeGreaterThan(held + 3);
    await page.click('button:has-text("Stop")');
    await page.waitForSelector('.lab[data-phase="ready"]');
    const run = await page.evaluate(() => JSON.parse(JSON.stringify((window as any).__prodlab.lab.lastRun)));
    expect(run.status).toBe('stopped');
    expect(run.statusMessage).toMatch(/Stopped by you after \d+ updates/);
    expect(await page.textContent(`tr[data-run="${run.id}"] td:nth-child(3)`)).toBe('stopped');
    await page.close();
  });

  it('without WebGPU, a link asking for webgpu trains on wasm and says why', async () => {
    const plain = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_FLAGS.filter((f) => !/webgpu|vulkan/i.test(f)), headless: true });
    const page = await plain.newPage();
    await openTrainLab(page, env.site.url, `${TINY}&backend=webgpu`);
    expect(await page.getAttribute('[data-backend]', 'data-backend')).toBe('wasm');
    expect(await page.textContent('[data-testid="backend"]')).toMatch(/You chose webgpu, but WebGPU is not available here \(.+\); using wasm instead/);
    expect(await page.textContent('select option[value="webgpu"]')).toMatch(/unavailable/);
    await plain.close();
  });

  it('auto is ready at once on a software adapter, confirms wasm with a probe, and remembers the probe', async () => {
    const ctx = await env.browser.newContext();
    const page = await ctx.newPage();
    await openTrainLab(page, env.site.url, `${TINY}&backend=auto`);
    // Ready at once with a decision from the adapter's report, then confirmed by the probe.
    expect(await page.getAttribute('[data-backend]', 'data-backend')).toBe('wasm');
    await expect.poll(() => page.textContent('[data-testid="backend"]'), { timeout: 30_000 }).toMatch(/auto chose wasm: the WebGPU adapter is a software emulation \(swiftshader\), and the probe confirms it: wasm [\d.]+, webgpu [\d.]+ GFLOP\/s/);
    const first = await page.textContent('[data-testid="backend"]');
    const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('prodlab:probe:')).length);
    expect(stored).toBe(1);
    await page.reload();
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 90_000 });
    // Same numbers: the remembered probe, not a new measurement.
    expect(await page.textContent('[data-testid="backend"]')).toBe(first);
    await ctx.close();
  });

  it('an exercise checks the learner\'s own run and answer, stays passed after a reload, and the home page shows progress', async () => {
    const ctx = await env.browser.newContext();
    const page = await ctx.newPage();
    await openTrainLab(page, env.site.url, 'model=mlp&optimizer=sgd&learningRate=8&batchSize=64&accumSteps=1&epochs=1&seed=3&trainSize=640&backend=wasm');
    const diverge = page.locator('[data-exercise="diverge"]');
    expect(await diverge.getAttribute('data-passed')).toBe('no');
    await page.click('button:has-text("Train")');
    await page.waitForSelector('.lab[data-phase="ready"] tr[data-run]', { timeout: 120_000 });
    await expect.poll(() => diverge.locator('.check').textContent()).toMatch(/with learning rate 8 diverged\. Now state that learning rate and explain it/);
    await diverge.locator('textarea').fill('At learning rate 8 the step is far too large, so every update overshoots the minimum and the loss explodes.');
    await diverge.locator('textarea').blur();
    await expect.poll(() => diverge.getAttribute('data-passed')).toBe('yes');
    await page.reload();
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 90_000 });
    expect(await page.locator('[data-exercise="diverge"]').getAttribute('data-passed')).toBe('yes');
    expect(await page.inputValue('[data-exercise="diverge"] textarea')).toMatch(/overshoots the minimum/);
    await page.goto(env.site.url);
    await page.waitForSelector('.track [data-lab="train"] .status');
    await expect.poll(() => page.getAttribute('.track [data-lab="train"] .status', 'data-status')).toBe('in progress');
    expect(await page.textContent('.track [data-lab="train"] .status')).toMatch(/^1\/\d+ exercises passed$/);
    expect(await page.textContent('[data-track="training"] [data-testid="track-progress"]')).toMatch(/^1\/\d+$/);
    await ctx.close();
  });

  it('the calibration and error-analysis labs show the learner\'s own image classifier from its saved run', async () => {
    const ctx = await env.browser.newContext();
    const page = await ctx.newPage();
    await openTrainLab(page, env.site.url, `${TINY}&backend=wasm`);
    await page.click('button:has-text("Train")');
    await page.waitForSelector('[data-testid="test-acc"]', { timeout: 120_000 });
    const final = await page.evaluate(() => JSON.parse(JSON.stringify((window as any).__prodlab.lab.lastRun.final)));
    await page.goto(`${env.site.url}#/lab/calibration`);
    const cal = page.locator('[data-testid="image-classifier-check"]');
    await expect.poll(() => cal.textContent()).toContain(`T = ${final.calibration.temperature.toFixed(2)}`);
    await page.goto(`${env.site.url}#/lab/error-analysis`);
    const rob = page.locator('[data-testid="image-classifier-check"]');
    await expect.poll(() => rob.textContent()).toContain(`${(100 * final.robustness.shift).toFixed(1)}% shifted by three pixels`);
    await ctx.close();
  });
});
