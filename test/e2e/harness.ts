/**
 * Browser-test harness: the built site (dist/) served under a subpath by a plain static server
 * with no special headers, and Debian's Chromium driven by playwright-core (TESTING.md has the
 * flags that give it a SwiftShader WebGPU adapter).
 */
import { createServer, type Server } from 'node:http';
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sirv from 'sirv';
import { afterAll, beforeAll } from 'vitest';
import { chromium, type Browser, type Page, type ConsoleMessage } from 'playwright-core';

export const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
export const SUBPATH = '/courses/ml-prod/';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
];

export function findChromium(): string | undefined {
  if (process.env.PRODLAB_CHROMIUM) return existsSync(process.env.PRODLAB_CHROMIUM) ? process.env.PRODLAB_CHROMIUM : undefined;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      const p = execSync(`command -v ${name}`, { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
      if (p) return p;
    } catch {
      /* not this one */
    }
  }
  return undefined;
}

/** CI (and anyone who sets PRODLAB_REQUIRE_BROWSER=1) must run the browser tests; elsewhere they may be skipped. */
export const browserRequired = process.env.CI === 'true' || process.env.PRODLAB_REQUIRE_BROWSER === '1';
export const chromiumPath = findChromium();
export const distBuilt = existsSync(`${DIST}/index.html`);

export function skipReason(): string | undefined {
  if (!chromiumPath) return 'Chromium was not found (apt-get install chromium, or set PRODLAB_CHROMIUM)';
  if (!distBuilt) return 'dist/ is not built (npm run build)';
  return undefined;
}

const reason = skipReason();
if (reason) {
  if (browserRequired) throw new Error(`Browser tests are required here but cannot run: ${reason}.`);
  console.warn(`\n*** Browser tests SKIPPED: ${reason}. Unit tests still ran. ***\n`);
}
export const canRun = !reason;

export interface Served { origin: string; url: string; close(): Promise<void> }

/** Serve dist/ at http://<host>:<port><SUBPATH>, as a plain static host would (no COOP/COEP). */
export async function serveDist(host = '127.0.0.1', subpath = SUBPATH, opts: { isolate?: boolean } = {}): Promise<Served> {
  const files = sirv(DIST, {
    dev: true,
    etag: true,
    // Cross-origin isolation, as a host that sends COOP/COEP would: enables SharedArrayBuffer and wasm threads.
    setHeaders: opts.isolate ? (res) => { res.setHeader('Cross-Origin-Opener-Policy', 'same-origin'); res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp'); } : undefined,
  });
  let offline = false;
  const server = createServer((req, res) => {
    if (offline) {
      req.socket.destroy();
      return;
    }
    if (!req.url?.startsWith(subpath)) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    req.url = '/' + req.url.slice(subpath.length);
    files(req, res, () => {
      res.statusCode = 404;
      res.end('not found');
    });
  });
  return listen(server, host, subpath, (v) => (offline = v));
}

/** Serve one HTML page (an embedder's document) from its own origin. */
export async function servePage(html: string, host = 'localhost'): Promise<Served> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(html);
  });
  return listen(server, host, '/', () => {});
}

async function listen(server: Server, host: string, path: string, setOffline: (v: boolean) => void): Promise<Served & { setOffline: (v: boolean) => void }> {
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as { port: number }).port;
  const origin = `http://${host}:${port}`;
  return {
    origin,
    url: `${origin}${path}`,
    setOffline,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_FLAGS, headless: true });
}

/** Collects console errors and uncaught page errors; tests assert there are none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

/** Open the training lab with settings, wait until it is ready to train. */
export async function openTrainLab(page: Page, base: string, settings: string): Promise<void> {
  await page.goto(`${base}#/lab/train?${settings}`);
  await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 90_000 });
}

/** Small, fast settings for browser tests. */
export const TINY = 'model=mlp&optimizer=adam&learningRate=0.002&batchSize=64&accumSteps=1&epochs=2&seed=7&trainSize=640';

/**
 * For a describe block: the built site served and a browser launched before its tests, both closed
 * after. Read `.site` and `.browser` inside the tests.
 */
export function useSite(): { site: Served; browser: Browser } {
  const handle = {} as { site: Served; browser: Browser };
  beforeAll(async () => {
    handle.site = await serveDist();
    handle.browser = await launch();
  });
  afterAll(async () => {
    await handle.browser?.close();
    await handle.site?.close();
  });
  return handle;
}
