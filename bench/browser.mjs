// The built site in headless Chromium, for the benchmarks: the same static server, subpath and
// Chromium flags (WebGPU on SwiftShader) as the browser tests, loaded from test/e2e/harness.ts.
import { runnerImport } from 'vite';
import { gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const { module: harness } = await runnerImport('/test/e2e/harness.ts', { root, configFile: false, logLevel: 'error' });

export const { serveDist, launch, chromiumPath, skipReason } = harness;

/** A fresh browser context (empty cache, no service worker) per measurement. */
export async function freshPage(browser) {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors, close: () => context.close() };
}

/** Open the training lab and wait until it is ready; returns ms from navigation start (the page's own clock). */
export async function openTrainLab(page, base, query = '') {
  await page.goto(`${base}#/lab/train${query ? `?${query}` : ''}`);
  await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 120_000 });
  return page.evaluate(() => performance.now());
}

/**
 * Gzipped bytes of every JavaScript response the page fetches while `go` runs (entry, static
 * imports, modulepreloads, and anything else it loads), each body compressed with zlib level 9.
 */
export async function recordScripts(page, go) {
  const seen = [];
  const onResponse = async (res) => {
    const url = res.url();
    const type = res.headers()['content-type'] ?? '';
    if (!/javascript/.test(type) && !/\.m?js(\?|$)/.test(url)) return;
    seen.push(res.body().then((body) => ({ url, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length })).catch(() => null));
  };
  page.on('response', onResponse);
  await go();
  page.off('response', onResponse);
  return (await Promise.all(seen)).filter(Boolean);
}
