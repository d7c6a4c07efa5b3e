// A layout and accessibility audit of the built site (a developer's measurement, not a test):
// per lab, the page width at 390x844 (anything over 390 scrolls sideways), where the primary
// action's bottom edge is at 1280x800 (over 800 means below the fold), and axe-core's serious and
// critical violations in light and dark mode. With --run the lab's default run is made first
// (slow: one lab at a time), so the run tables and results are on the page when measured.
//   npm run build && node scripts/ux-audit.mjs [--run] [--dist dir] [--out file.json] [lab ids...]
// --dist audits another build (say, main's, copied aside) for a before/after comparison.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import sirv from 'sirv';
import { runnerImport } from 'vite';
import { AxeBuilder } from '@axe-core/playwright';

const root = new URL('..', import.meta.url).pathname;
const { module: h } = await runnerImport('/test/e2e/harness.ts', { root, configFile: false, logLevel: 'error' });
const { module: registry } = await runnerImport('/labs/index.ts', { root, configFile: false, logLevel: 'error' });

const args = process.argv.slice(2);
const run = args.includes('--run');
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const out = option('--out');
const dist = option('--dist');
const named = args.filter((a, i) => !a.startsWith('--') && !['--out', '--dist'].includes(args[i - 1]));
const ids = named.length ? named : registry.LABS.map((l) => l.id);

const PRIMARY = '.lab button.primary, .lab [data-testid="run"]';

/** A plain static server for another build folder. */
async function serve(dir) {
  const files = sirv(dir, { dev: true });
  const server = createServer((req, res) => files(req, res, () => { res.statusCode = 404; res.end(); }));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

async function axeCount(page) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  return { count: bad.reduce((n, v) => n + v.nodes.length, 0), rules: bad.map((v) => `${v.id}×${v.nodes.length}`) };
}

const site = dist ? await serve(dist) : await h.serveDist();
const browser = await h.launch();
const rows = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  for (const id of ids) {
    const page = await context.newPage();
    const row = { id };
    try {
      await page.goto(`${site.url}#/lab/${id}`);
      await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 120_000 });
      await page.waitForTimeout(300);
      // A lab with no run button (the trade-off view draws saved models) has no y.
      const primary = page.locator(PRIMARY).first();
      const box = (await primary.count()) ? await primary.boundingBox() : null;
      row.runBottomY = box ? Math.round(box.y + box.height) : null;
      if (run && box) {
        await page.locator(PRIMARY).first().click();
        await page.waitForSelector('.lab[data-phase="running"], .lab[data-phase="stopping"]', { timeout: 10_000 }).catch(() => {});
        await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 600_000 });
        await page.waitForTimeout(500);
      }
      row.axeLight = await axeCount(page);
      await page.emulateMedia({ colorScheme: 'dark' });
      row.axeDark = await axeCount(page);
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForTimeout(300);
      row.width390 = await page.evaluate(() => document.documentElement.scrollWidth);
    } catch (e) {
      row.error = String(e.message ?? e).split('\n')[0];
    }
    await page.close();
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  await context.close();
} finally {
  await browser.close();
  await site.close();
}
const over = rows.filter((r) => r.width390 > 390).length;
const below = rows.filter((r) => r.runBottomY > 800).length;
const axe = rows.reduce((n, r) => n + (r.axeLight?.count ?? 0) + (r.axeDark?.count ?? 0), 0);
console.log(`labs ${rows.length}: wider than 390 px: ${over}; run button below the fold at 1280x800: ${below}; axe serious+critical nodes (light+dark): ${axe}`);
if (out) writeFileSync(out, JSON.stringify(rows, null, 1));
