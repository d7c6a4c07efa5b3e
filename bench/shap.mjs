// The `shap` section of `npm run bench` (issue 6): Kernel SHAP explanations per second in the
// evaluation worker of the built site, in headless Chromium, with the same code in Node as a reference.
//
// The explain runner is called through the lab's own sim engine client
// (`lab.sim.call((api) => api.run('explain', …))` on window.__prodlab.lab), so nothing is saved. The
// figure is the lab's own timer around its global-SHAP loop (ExplainResult.shapPerSecond): 8
// features, every coalition enumerated (254), the logistic model, `background` training rows.
import { runnerImport } from 'vite';

const root = new URL('..', import.meta.url).pathname;

export const SHAP = { backgrounds: [20, 50, 100], rows: 200, repetitions: 5 };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d;

export async function benchShap({ browser, site, freshPage, log }) {
  const explain = (await runnerImport('/src/lib/runners/explain.ts', { root, configFile: false, logLevel: 'error' })).module;
  const { quietContext } = (await runnerImport('/src/lib/core/task.ts', { root, configFile: false, logLevel: 'error' })).module;
  const EXPLAIN_DEFAULTS = explain.defaults;
  const runExplain = (s) => explain.run(quietContext, s);
  const { page, errors, close } = await freshPage(browser);
  await page.goto(`${site.url}#/lab/explain`);
  await page.waitForSelector('.lab[data-phase="ready"]', { timeout: 60_000 });
  await page.waitForFunction(() => window.__prodlab?.lab?.meta?.id === 'explain', null, { timeout: 60_000 });
  const worker = {};
  for (const background of SHAP.backgrounds) {
    const settings = { ...EXPLAIN_DEFAULTS, background, shapRows: SHAP.rows };
    worker[background] = [];
    // r < 0 are warm-ups (start the worker, JIT), not recorded.
    for (let r = -2; r < SHAP.repetitions; r++) {
      const out = await page.evaluate(async (s) => {
        try {
          const o = await window.__prodlab.lab.sim.call((api) => api.run('explain', s));
          return { perSecond: o.shapPerSecond, rows: o.global.rows };
        } catch (e) {
          return { error: e.message };
        }
      }, settings);
      if (out.error) throw new Error(`The explain run failed: ${out.error}`);
      if (out.rows !== SHAP.rows) throw new Error(`The explain run explained ${out.rows} rows, not ${SHAP.rows}`);
      if (r >= 0) worker[background].push(out.perSecond);
    }
  }
  if (errors.length) throw new Error(`Explain lab page errors: ${errors.join('; ')}`);
  await close();

  // Node: the same lab function on the main thread (after the page has closed).
  const node = {};
  for (const background of SHAP.backgrounds) {
    node[background] = [];
    for (let r = -2; r < SHAP.repetitions; r++) {
      const v = runExplain({ ...EXPLAIN_DEFAULTS, background, shapRows: SHAP.rows }).shapPerSecond;
      if (r >= 0) node[background].push(v);
    }
  }

  const figures = [];
  for (const background of SHAP.backgrounds) {
    const w = median(worker[background]);
    const n = median(node[background]);
    log(`shap background ${background}: worker ${round(w)}/s (${worker[background].map((x) => round(x)).join(', ')}), node ${round(n)}/s`);
    figures.push([`shap-explanations-per-sec-background-${background}`, round(w, 1), 'explanations/s', {
      reference: { name: `Node ${process.version}, same runExplain on the main thread`, value: round(n, 1), unit: 'explanations/s' },
      notes: `Kernel SHAP in the sim engine's worker: ${SHAP.rows} test applicants of the explain lab (defaults otherwise: ${EXPLAIN_DEFAULTS.n} applicants, logistic model, seed ${EXPLAIN_DEFAULTS.seed}), 8 features, all 254 coalitions, ${background} background rows (${254 * background} model rows per explanation). The lab's own timer around its global-SHAP loop; median of ${SHAP.repetitions} runs after 2 warm-ups: ${worker[background].map((x) => round(x)).join(', ')}/s. Node: ${node[background].map((x) => round(x)).join(', ')}/s.`,
    }]);
  }
  return { raw: { settings: SHAP, worker, node }, figures };
}
