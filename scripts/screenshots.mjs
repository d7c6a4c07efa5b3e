// Screenshots of every lab after its default run, at 1280x800 and 390x844 (full page), in
// docs/screenshots/<lab>-<width>.png by default. Slow (every lab's default run, one at a time):
//   npm run build && node scripts/screenshots.mjs [--out dir] [--dark] [lab ids...]
import { mkdirSync } from 'node:fs';
import { runnerImport } from 'vite';

const root = new URL('..', import.meta.url).pathname;
const { module: h } = await runnerImport('/test/e2e/harness.ts', { root, configFile: false, logLevel: 'error' });
const { module: registry } = await runnerImport('/labs/index.ts', { root, configFile: false, logLevel: 'error' });

const args = process.argv.slice(2);
const outDir = args.includes('--out') ? args[args.indexOf('--out') + 1] : `${root}docs/screenshots`;
const dark = args.includes('--dark');
const ids = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--out');
const labs = ids.length ? ids : registry.LABS.map((l) => l.id);
const PRIMARY = '.lab button.primary, .lab [data-testid="run"]';

mkdirSync(outDir, { recursive: true });
const site = await h.serveDist();
const browser = await h.launch();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: dark ? 'dark' : 'light' });
  const page = await context.newPage();
  const errors = h.watchErrors(page);
  for (const id of labs) {
    const t0 = Date.now();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${site.url}#/lab/${id}`);
    await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 120_000 });
    const run = page.locator(PRIMARY).first();
    if (await run.count()) {
      await run.click();
      await page.waitForSelector('.lab[data-phase="running"], .lab[data-phase="stopping"]', { timeout: 10_000 }).catch(() => {});
      await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 600_000 });
    }
    await page.waitForTimeout(500);
    const suffix = dark ? '-dark' : '';
    await page.screenshot({ path: `${outDir}/${id}-1280${suffix}.png`, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: `${outDir}/${id}-390${suffix}.png`, fullPage: true });
    console.log(`${id}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  if (errors.length) console.log('page errors:', errors);
  await context.close();
} finally {
  await browser.close();
  await site.close();
}
