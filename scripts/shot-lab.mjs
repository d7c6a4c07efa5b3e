// Screenshot a lab of the built site after pressing its run button (a developer's look, not a test).
//   node scripts/shot-lab.mjs <lab id> <query> <out.png> [button text] [wait selector]
import { runnerImport } from 'vite';
const root = new URL('..', import.meta.url).pathname;
const { module: h } = await runnerImport('/test/e2e/harness.ts', { root, configFile: false, logLevel: 'error' });
const [id, query = '', out = '/tmp/shot.png', button = 'Run', waitFor = '[data-testid="results"]'] = process.argv.slice(2);
const site = await h.serveDist();
const browser = await h.launch();
try {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const errors = h.watchErrors(page);
  await page.goto(`${site.url}#/lab/${id}${query ? `?${query}` : ''}`);
  await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 60_000 });
  const t0 = Date.now();
  await page.click(`button:has-text("${button}")`);
  await page.waitForSelector(waitFor, { timeout: 300_000 });
  await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 300_000 });
  console.log('run took', Date.now() - t0, 'ms');
  await page.waitForTimeout(500);
  await page.screenshot({ path: out, fullPage: true });
  console.log(await page.$$eval('.msg', (m) => m.map((x) => x.textContent)));
  console.log('errors', errors);
} finally {
  await browser.close();
  await site.close();
}
