// The `compress` section of `npm run bench` (issue 4): inference latency of a dense model, the same
// model with ~78% of its weights zeroed (unstructured), and a compacted model with as many weights
// (structured pruning of 75% of the hidden units), in the compression worker of the built site.
//
// It runs the pruning lab's structured experiment with no fine-tuning (`lab.run()` on
// window.__prodlab.lab, as the Run button does), which times the three models round-robin in the
// worker (CompressKit.latencies: 30 samples of >= 5 ms bursts each, batch 1 and batch 32). The base
// is the lab's default MLP (784-256-128-10, trained on first use). Repeated REPS times; medians of
// the per-run ratios are reported, since a shared machine moves absolute times run to run.
const REPS = 5;
const SETTINGS = 'experiment=structured&sparsity=0.75&epochs=0';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d;

export async function benchCompress({ browser, site, freshPage, log }) {
  const { page, errors, close } = await freshPage(browser);
  await page.goto(`${site.url}#/lab/prune?${SETTINGS}`);
  await page.waitForFunction(() => window.__prodlab?.lab?.phase === 'ready', null, { timeout: 300_000 });
  const runs = [];
  for (let r = 0; r < REPS; r++) {
    const rows = await page.evaluate(async () => {
      const lab = window.__prodlab.lab;
      await lab.run();
      return JSON.parse(JSON.stringify(lab.output?.rows ?? null));
    });
    if (!rows || rows.length !== 3) throw new Error(`The pruning lab's structured run failed: ${await page.evaluate(() => window.__prodlab.lab.messages.at(-1)?.text)}`);
    const [dense, compact, sparse] = rows;
    runs.push({ dense, compact, sparse });
    log(`compress run ${r + 1}: batch-32 dense ${round(dense.batch32Ms, 3)} ms, unstructured ${round(sparse.batch32Ms, 3)} ms, compacted ${round(compact.batch32Ms, 3)} ms`);
  }
  if (errors.length) throw new Error(`Pruning lab page errors: ${errors.join('; ')}`);
  await close();
  const { dense, compact, sparse } = runs[0];
  const what = `default MLP ${dense.params.toLocaleString('en-US')} params; unstructured: ${sparse.nonzero.toLocaleString('en-US')} nonzero in the same dense shapes; compacted: ${compact.params.toLocaleString('en-US')} params`;
  const figures = [];
  for (const b of ['1', '32']) {
    const key = `batch${b}Ms`;
    const each = (k) => runs.map((r) => r[k][key]);
    figures.push([`compress-latency-dense-batch${b}`, round(median(each('dense')), 4), 'ms', { notes: `${what}. Median over ${REPS} lab runs of each run's median: ${each('dense').map((x) => round(x, 4)).join(', ')} ms.` }]);
    for (const [k, label] of [['sparse', 'unstructured (zeros, dense kernels)'], ['compact', 'compacted (structured)']]) {
      const ratios = runs.map((r) => r.dense[key] / r[k][key]);
      figures.push([`compress-speedup-${k}-batch${b}`, round(median(ratios), 2), 'x dense', {
        notes: `${label} vs dense, batch ${b}, timed round-robin in the same run: median of ${REPS} runs' ratios ${ratios.map((x) => round(x, 2)).join(', ')}; its times ${each(k).map((x) => round(x, 4)).join(', ')} ms.`,
      }]);
    }
  }
  return { raw: { settings: SETTINGS, runs }, figures };
}
