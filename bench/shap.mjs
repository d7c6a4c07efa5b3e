// Kernel SHAP explanations per second, measured where the labs run it: in the evaluation worker of
// the built site, in headless Chromium (the explain lab's own timer around its global-SHAP loop:
// 8 features, every coalition enumerated, background rows as given). Node runs the same code on
// its main thread as a reference, so the two can be compared as a ratio measured in one sitting.
//
//   npm run build && node bench/shap.mjs            # writes bench/results/shap.json
//   import { benchShap } from './shap.mjs'          # from another bench script: returns the results
import { runnerImport } from 'vite';
import { mkdirSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const load = async (path) => (await runnerImport(path, { root, configFile: false, logLevel: 'error' })).module;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median explanations/s over `repeats` runs for each background size, in the browser worker and in Node. */
export async function benchShap({ backgrounds = [20, 50, 100], rows = 200, repeats = 5 } = {}) {
  const harness = await load('/test/e2e/harness.ts');
  const { runExplain, EXPLAIN_DEFAULTS } = await load('/src/lib/eval/experiments/explain.ts');
  const reason = harness.skipReason();
  if (reason) throw new Error(`Kernel SHAP bench needs the browser: ${reason}.`);
  const site = await harness.serveDist();
  const browser = await harness.launch();
  const results = [];
  try {
    const page = await browser.newPage();
    for (const background of backgrounds) {
      const settings = `background=${background}&shapRows=${rows}`;
      await page.goto(`${site.url}#/lab/explain?${settings}`);
      await page.waitForSelector('.lab[data-phase="ready"]');
      const worker = [];
      // r = -1 is a warm-up (JIT compilation), not recorded.
      for (let r = -1; r < repeats; r++) {
        const v =
        await page.evaluate(async () => {
          const lab = window.__prodlab.lab;
          await lab.run(undefined, false);
          return lab.output.result.shapPerSecond;
        });
        if (r >= 0) worker.push(v);
      }
      const node = [];
      for (let r = -1; r < repeats; r++) {
        const v = runExplain({ ...EXPLAIN_DEFAULTS, background, shapRows: rows }).shapPerSecond;
        if (r >= 0) node.push(v);
      }
      results.push({ background, rows, features: 8, coalitions: 254, workerPerSecond: median(worker), nodePerSecond: median(node), workerOverNode: median(worker) / median(node), worker, node });
    }
  } finally {
    await browser.close();
    await site.close();
  }
  return { what: 'Kernel SHAP explanations per second (explain lab, logistic model, exact: all 254 coalitions)', chromium: harness.chromiumPath, date: new Date().toISOString(), results };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = await benchShap();
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/shap.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
  for (const r of out.results) {
    console.log(`background ${String(r.background).padStart(3)}: worker ${r.workerPerSecond.toFixed(0).padStart(5)}/s, node ${r.nodePerSecond.toFixed(0).padStart(5)}/s, worker/node ${r.workerOverNode.toFixed(2)}`);
  }
}
