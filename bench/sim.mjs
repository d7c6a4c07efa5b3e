// The `sim` section of `npm run bench` (issue 5): simulated A/A experiments per second in the
// simulation worker of the built site, in headless Chromium, with the same code in Node as a reference.
//
// The sim engine runs whole lab tasks (SimEngineApi.run(task, settings)), so the pitfalls lab is
// run as the Run button does (`lab.run()` on window.__prodlab.lab) with 10,000 A/A experiments of
// 10,000 users per arm and 20 looks. That run calls simulateAATests once per method for each point of
// its look ladder (1, 2, 3, 5, 10, 20 looks) and reports progress after each call (each call takes
// far longer than the engine's 50 ms report interval, so every one crosses); each report is stamped
// with the page's clock as it arrives, and the difference between the stamps around the 20-look call
// of each method is its time in the worker (plus a message's latency, well under a millisecond on an
// idle page). The stamps are taken by shadowing the lab's `progress` field on the instance (the
// lab's own Comlink progress callback assigns it).
import { runnerImport } from 'vite';

const root = new URL('..', import.meta.url).pathname;

export const SIM = { aaRuns: 10_000, usersPerArm: 10_000, looks: 20, rate: 0.1, alpha: 0.05, seed: 1, repetitions: 5, targetMs: 5000 };
/** The pitfalls lab's look ladder (src/lib/stats/pitfalls.ts) up to SIM.looks. */
const LADDER = [1, 2, 3, 5, 10, 20];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d;

/** One pitfalls lab run in the page; returns the worker's progress stamps and the page's wall time. */
function labRun(page) {
  return page.evaluate(async () => {
    const lab = window.__prodlab.lab;
    const events = [];
    let last = lab.progress;
    const t0 = performance.now();
    Object.defineProperty(lab, 'progress', { configurable: true, get: () => last, set: (p) => { events.push({ ...p, elapsedMs: performance.now() - t0 }); last = p; } });
    try {
      await lab.run();
    } finally {
      delete lab.progress;
    }
    const m = lab.messages.at(-1);
    return { events, wallMs: performance.now() - t0, message: m?.text, ok: m?.kind === 'ok', digest: lab.shown?.params?.result };
  });
}

/** Worker time of each method's 20-look simulation from the progress stamps (null where a stamp is missing). */
function stepTimes(events) {
  const steps = 2 * LADDER.length + 1;
  const at = (k) => (k === 0 ? 0 : events.find((e) => Math.abs(e.fraction - k / steps) < 1e-9)?.elapsedMs);
  const i = LADDER.length - 1;
  const span = (a, b) => (at(a) === undefined || at(b) === undefined ? null : at(b) - at(a));
  return { fixed: span(2 * i, 2 * i + 1), sequential: span(2 * i + 1, 2 * i + 2), total: events.at(-1)?.elapsedMs };
}

export async function benchSim({ browser, site, freshPage, log }) {
  const { page, errors, close } = await freshPage(browser);
  const query = new URLSearchParams({ aaRuns: SIM.aaRuns, usersPerArm: SIM.usersPerArm, looks: SIM.looks, rate: SIM.rate, alpha: SIM.alpha, seed: SIM.seed });
  await page.goto(`${site.url}#/lab/pitfalls?${query}`);
  await page.waitForFunction(() => window.__prodlab?.lab?.phase === 'ready' && window.__prodlab.lab.meta?.id === 'pitfalls', null, { timeout: 60_000 });
  const worker = { fixed: [], sequential: [], total: [], wall: [] };
  let digest;
  // r = -1 is a warm-up (the worker's JIT), not recorded.
  for (let r = -1; r < SIM.repetitions; r++) {
    const out = await labRun(page);
    if (!out.ok) throw new Error(`The pitfalls lab run failed: ${out.message}`);
    const t = stepTimes(out.events);
    if (t.fixed === null || t.sequential === null) throw new Error(`Progress stamps missing around the ${SIM.looks}-look step: ${JSON.stringify(out.events)}`);
    digest = out.digest;
    if (r < 0) continue;
    worker.fixed.push(t.fixed);
    worker.sequential.push(t.sequential);
    worker.total.push(t.total);
    worker.wall.push(out.wallMs);
  }
  if (errors.length) throw new Error(`Pitfalls lab page errors: ${errors.join('; ')}`);
  await close();
  log(`sim worker: fixed ${worker.fixed.map((x) => round(x)).join(', ')} ms; sequential ${worker.sequential.map((x) => round(x)).join(', ')} ms`);

  // Node: the same function, same options, on the main thread (after the page has closed).
  const { simulateAATests } = (await runnerImport('/src/lib/stats/simulate.ts', { root, configFile: false, logLevel: 'error' })).module;
  const node = { fixed: [], sequential: [] };
  const fpr = {};
  for (let r = -1; r < SIM.repetitions; r++) {
    for (const method of ['fixed', 'sequential']) {
      const t0 = performance.now();
      const res = simulateAATests({ runs: SIM.aaRuns, usersPerArm: SIM.usersPerArm, looks: SIM.looks, rate: SIM.rate, alpha: SIM.alpha, method, seed: SIM.seed });
      const ms = performance.now() - t0;
      fpr[method] = res.falsePositiveRate;
      if (r >= 0) node[method].push(ms);
    }
  }
  log(`sim node: fixed ${node.fixed.map((x) => round(x)).join(', ')} ms; sequential ${node.sequential.map((x) => round(x)).join(', ')} ms`);

  const what = `${SIM.aaRuns.toLocaleString('en-US')} A/A experiments of ${SIM.usersPerArm.toLocaleString('en-US')} users per arm, ${SIM.looks} looks, rate ${SIM.rate}, alpha ${SIM.alpha}, seed ${SIM.seed}`;
  const figures = [];
  for (const method of ['fixed', 'sequential']) {
    const label = method === 'fixed' ? 'fixed-horizon z-test at every look' : 'mSPRT (always valid)';
    const w = median(worker[method]);
    const n = median(node[method]);
    figures.push([`sim-aa-${method}-10k-tests-20-looks`, round(w), 'ms', {
      reference: { name: 'target (issue 5): under 5 s', value: SIM.targetMs, unit: 'ms' },
      notes: `${what}, ${label}; each stops at its first significant look (false positive rate ${round(fpr[method], 4)}). Time in the sim engine's worker (between the pitfalls lab's progress reports around this call, stamped on arrival in the page), median of ${worker[method].length} lab runs after a warm-up: ${worker[method].map((x) => round(x)).join(', ')} ms.`,
    }]);
    figures.push([`sim-aa-${method}-experiments-per-sec`, round((SIM.aaRuns / w) * 1000), 'experiments/s', {
      reference: { name: `Node ${process.version}, same simulateAATests call on the main thread`, value: round((SIM.aaRuns / n) * 1000), unit: 'experiments/s' },
      notes: `${what}, ${label}: worker median ${round(w)} ms, Node median ${round(n)} ms (${node[method].map((x) => round(x)).join(', ')} ms, after a warm-up).`,
    }]);
  }
  figures.push(['sim-pitfalls-lab-run', round(median(worker.total)), 'ms', {
    notes: `The whole pitfalls lab run at these settings in the worker (both methods at 1, 2, 3, 5, 10 and 20 looks: 2 x 41 looks' worth of A/A tests, plus 1,000 SRM experiments, Simpson and novelty), median of ${worker.total.length}: ${worker.total.map((x) => round(x)).join(', ')} ms; Run pressed to result saved, in the page: ${worker.wall.map((x) => round(x)).join(', ')} ms.`,
  }]);
  return { raw: { settings: SIM, worker, node, falsePositiveRate: fpr, digest }, figures };
}
