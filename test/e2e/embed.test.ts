import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { canRun, launch, serveDist, servePage, watchErrors, TINY, type Served } from './harness.ts';

describe.skipIf(!canRun)('embedding and static hosting', () => {
  let browser: Browser;
  let site: Served & { setOffline?: (v: boolean) => void };
  let host: Served;
  beforeAll(async () => {
    site = await serveDist('127.0.0.1');
    // The embedder's page lives on another origin (localhost vs 127.0.0.1, another port).
    host = await servePage(`<!doctype html><html><body>
      <h1>My docs</h1>
      <iframe id="frame" title="Prodlab" style="width:100%;height:900px;border:0" src="${site.url}#/lab/train?embed=1&${TINY}&backend=wasm"></iframe>
      <prod-lab id="el" lab="train" params="${TINY}&backend=wasm"></prod-lab>
      <prod-lab id="big" lab="metrics" height="1e9"></prod-lab>
      <prod-lab id="bad" lab="../../evil?x=<b>"></prod-lab>
      <script src="${site.url}embed.js"></script>
    </body></html>`);
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await host?.close();
  });

  it('a lab embeds by iframe and by <prod-lab> from another origin, without the site chrome, and trains', async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(host.url);
    expect(new URL(host.url).origin).not.toBe(site.origin);
    const iframe = page.frameLocator('#frame');
    await iframe.locator('.lab[data-phase="ready"]').waitFor({ timeout: 90_000 });
    expect(await iframe.locator('header .brand').count()).toBe(0);
    expect(await iframe.locator('.embed-title').textContent()).toContain('Train an image classifier');

    const element = page.frameLocator('#el >> iframe');
    await element.locator('.lab[data-phase="ready"]').waitFor({ timeout: 90_000 });
    await element.getByRole('button', { name: 'Train', exact: true }).click();
    await element.locator('[data-testid="test-acc"]').waitFor({ timeout: 120_000 });
    expect(await element.locator('[data-testid="test-acc"]').textContent()).toMatch(/^\d+\.\d%$/);
    // The element sizes its frame to the lab's height, reported by the lab.
    await expect.poll(async () => page.$eval('#el', (el) => (el.shadowRoot!.querySelector('iframe') as HTMLIFrameElement).getBoundingClientRect().height)).toBeGreaterThan(1200);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('<prod-lab> bounds every attribute, and its frame follows the lab\'s reported height down as well as up, ignoring junk', async () => {
    const page = await browser.newPage();
    await page.goto(host.url);
    const frameHeight = (id: string) => page.$eval(`#${id}`, (el) => (el.shadowRoot!.querySelector('iframe') as HTMLIFrameElement).getBoundingClientRect().height);
    // height="1e9" does not make the host page a billion pixels tall: bounded, then the lab's own height.
    expect(await frameHeight('big')).toBeLessThanOrEqual(20_000);
    const big = page.frameLocator('#big >> iframe');
    // Chromium does not render (so never resizes) a frame that is out of view: bring it into view.
    await page.$eval('#big', (el) => el.scrollIntoView());
    await big.locator('.lab[data-phase="ready"]').waitFor({ timeout: 90_000 });
    await expect.poll(() => frameHeight('big'), { timeout: 10_000 }).toBeLessThan(6000);
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(40_000);
    // A malformed lab id is refused in words, and no frame is loaded.
    expect(await page.$eval('#bad', (el) => el.shadowRoot!.textContent)).toMatch(/the lab attribute must be a lab id/);
    expect(await page.$eval('#bad', (el) => (el.shadowRoot!.querySelector('iframe') as HTMLIFrameElement).hasAttribute('src'))).toBe(false);
    // The frame follows the content down as well as up.
    const inner = page.frames().find((f) => f.url().includes('#/lab/metrics'))!;
    // The other frames grow as their labs load and can push this one out of view again, where
    // Chromium stops rendering it (and its ResizeObserver stops firing): scroll it back first.
    await page.$eval('#big', (el) => el.scrollIntoView());
    const before = await frameHeight('big');
    await inner.evaluate(() => {
      const d = Object.assign(document.createElement('div'), { id: 'tall' });
      d.style.height = '3000px';
      document.querySelector('main.embed')!.appendChild(d);
    });
    await expect.poll(() => frameHeight('big'), { timeout: 10_000 }).toBeGreaterThan(before + 2500);
    await page.$eval('#big', (el) => el.scrollIntoView());
    await inner.evaluate(() => document.getElementById('tall')!.remove());
    await expect.poll(() => frameHeight('big'), { timeout: 10_000 }).toBeLessThan(before + 50);
    // Junk height messages from the lab's frame: a huge number is bounded, a non-number ignored.
    await inner.evaluate(() => parent.postMessage({ type: 'prodlab:height', height: 1e12 }, '*'));
    await expect.poll(() => frameHeight('big'), { timeout: 10_000 }).toBe(20_000);
    await inner.evaluate(() => parent.postMessage({ type: 'prodlab:height', height: '300px', extra: { x: 1 } }, '*'));
    await page.waitForTimeout(200);
    expect(await frameHeight('big')).toBe(20_000);
    await page.close();
  });

  it('the built site works under a subpath, with relative URLs only', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${site.url}#/lab/train?${TINY}`);
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 90_000 });
    const outside = requests.filter((u) => !u.startsWith(site.url) && !u.startsWith('data:') && !u.startsWith('blob:'));
    expect(outside).toEqual([]);
    await page.close();
  });

  it('once loaded, the site works offline: the lab reloads and trains with the server gone', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${site.url}#/lab/train?${TINY}&backend=wasm`);
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 90_000 });
    // Wait for the service worker to finish caching the build.
    await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      if (!reg.active) throw new Error('no active service worker');
    });
    await expect.poll(() => page.evaluate(async () => (await caches.keys()).length > 0 && (await (await caches.open('prodlab-v1')).keys()).length), { timeout: 60_000 }).toBeGreaterThan(15);
    await ctx.setOffline(true);
    await page.reload();
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 90_000 });
    await page.click('button:has-text("Train")');
    await page.waitForSelector('[data-testid="test-acc"]', { timeout: 120_000 });
    await ctx.close();
  });

  it('on a cross-origin isolated host (COOP/COEP), the lab trains on wasm and says it is single-threaded and why', async () => {
    const isolated = await serveDist('127.0.0.1', '/isolated/', { isolate: true });
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${isolated.url}#/lab/train?${TINY}&backend=wasm`);
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 90_000 });
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await page.textContent('[data-testid="backend"]')).toMatch(/single-threaded: this page is cross-origin isolated, but tfjs 4\.22.s threaded wasm build cannot start/);
    await page.click('button:has-text("Train")');
    await page.waitForSelector('[data-testid="test-acc"]', { timeout: 120_000 });
    expect(errors).toEqual([]);
    await page.close();
    await isolated.close();
  });
});
