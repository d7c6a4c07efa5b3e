// The `serve` section of `npm run bench` (issue 4), on the built site in headless Chromium:
//
// 1. Batch-1 latency of the exported MLP in onnxruntime-web (wasm, 1 thread: the page is not
//    cross-origin isolated), timed by the ONNX lab's own inference client (InferClient.benchmark: a
//    fresh worker, warm-up, then samples that each fill 2 ms of back-to-back runs, since the page's
//    clock ticks every 0.1 ms), against onnxruntime-node (native CPU, 1 intra-op thread) on the same
//    bytes, timed the same way, after the browser page has closed.
// 2. The serving lab's sustained QPS: open-loop Poisson load at rising QPS through the lab itself
//    (window.__prodlab.lab.run), each QPS repeated; the highest QPS whose median steady-window p99
//    stays under 50 ms with nothing dropped or failed.
import { performance } from 'node:perf_hooks';

export const SERVE = {
  latency: { batch: 1, iterations: 200, warmup: 50, sampleMs: 2, repetitions: 5 },
  /** Serving: lab defaults except the ladder; 10 s a run, steady window = the last 7 s. */
  load: { durationS: 10, maxBatch: 32, maxWaitMs: 2, workersV1: 2, repetitions: 3, ladder: [250, 500, 1000, 2000, 4000, 6000, 8000, 10000, 12000, 16000, 20000] },
  sloMs: 50,
  targets: { webOverNative: 2, qps: 1000 },
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d;

async function openLab(page, site, id, ready) {
  await page.goto(`${site.url}#/lab/${id}`);
  await page.waitForFunction(ready, null, { timeout: 180_000 });
}

/** onnxruntime-node on the same bytes, timed as InferService.benchmark times the web runtime. */
async function nativeLatency(bytes) {
  const ort = (await import('onnxruntime-node')).default;
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1 });
  const { batch, iterations, warmup, sampleMs } = SERVE.latency;
  let s = 12345;
  const input = Float32Array.from({ length: batch * 784 }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32));
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', input, [batch, 784]) };
  for (let i = 0; i < warmup; i++) await session.run(feeds);
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    let n = 0;
    let t = t0;
    do {
      await session.run(feeds);
      n++;
      t = performance.now();
    } while (t - t0 < sampleMs);
    samples.push((t - t0) / n);
  }
  await session.release();
  return median(samples);
}

export async function benchServe({ browser, site, freshPage, log }) {
  const figures = [];
  const raw = {};

  // 1. ORT-web vs onnxruntime-node, batch 1.
  {
    const { page, errors, close } = await freshPage(browser);
    await openLab(page, site, 'onnx', () => window.__prodlab?.lab?.model && window.__prodlab.lab.phase === 'ready');
    const web = [];
    for (let r = 0; r < SERVE.latency.repetitions; r++) {
      const out = await page.evaluate((o) => { const lab = window.__prodlab.lab; return lab.infer.benchmark(lab.model.float32, { ep: 'wasm', graphOptimizationLevel: 'all' }, o); }, SERVE.latency);
      web.push(out.medianMs);
      log(`ORT-web wasm batch 1: median ${round(out.medianMs * 1000, 1)} µs (p95 ${round(out.p95Ms * 1000, 1)} µs, ${round(out.runsPerSample)} runs a sample)`);
    }
    const b64 = await page.evaluate(() => { const b = window.__prodlab.lab.model.float32; let s = ''; for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000)); return btoa(s); });
    const origin = await page.evaluate(() => window.__prodlab.lab.model.origin.detail);
    if (errors.length) throw new Error(`ONNX lab page errors: ${errors.join('; ')}`);
    await close();
    const bytes = new Uint8Array(Buffer.from(b64, 'base64'));
    const native = [];
    for (let r = 0; r < SERVE.latency.repetitions; r++) native.push(await nativeLatency(bytes));
    log(`onnxruntime-node batch 1: ${native.map((x) => round(x * 1000, 1)).join(', ')} µs`);
    const w = median(web);
    const n = median(native);
    raw.latency = { webMs: web, nativeMs: native, bytes: bytes.length, origin, settings: SERVE.latency };
    figures.push(['onnx-mlp-batch1-latency-ort-web-wasm', round(w * 1000, 1), 'µs', {
      reference: { name: 'onnxruntime-node 1.30 CPU, 1 thread, same file', value: round(n * 1000, 1), unit: 'µs' },
      notes: `The exported MLP (784-256-128-10, ${bytes.length} bytes; ${origin}) through InferClient.benchmark in a fresh inference worker, optimisation 'all', batch 1: median over ${SERVE.latency.repetitions} repetitions of the median of ${SERVE.latency.iterations} samples (each ≥ ${SERVE.latency.sampleMs} ms of back-to-back runs) after ${SERVE.latency.warmup} warm-up runs. Each repetition: ${web.map((x) => round(x * 1000, 1)).join(', ')} µs; native: ${native.map((x) => round(x * 1000, 1)).join(', ')} µs. Target (issue 4): ratio ≤ ${SERVE.targets.webOverNative}.`,
    }]);
  }

  // 2. Sustained QPS of the serving lab at p99 < 50 ms.
  {
    const { page, errors, close } = await freshPage(browser);
    await openLab(page, site, 'serving', () => window.__prodlab?.lab?.model && window.__prodlab.lab.phase === 'ready');
    const ladder = [];
    let best = null;
    for (const qps of SERVE.load.ladder) {
      const reps = [];
      for (let r = 0; r < SERVE.load.repetitions; r++) {
        const out = await page.evaluate(({ qps, o, seed }) => window.__prodlab.lab.run({ ...o, qps, seed, mode: 'v1' }).then((x) => x && { steady: x.steady, totals: x.totals, maxLag: Math.max(...x.ticks.map((t) => t.lagMs)) }), { qps, o: SERVE.load, seed: r + 1 });
        if (!out) throw new Error(`The serving lab refused a run at ${qps} QPS: ${await page.evaluate(() => window.__prodlab.lab.messages.at(-1)?.text)}`);
        reps.push(out);
        log(`serve ${qps} QPS rep ${r + 1}: p50 ${round(out.steady.p50, 1)} p99 ${round(out.steady.p99, 1)} ms, served ${round(out.steady.throughput)}/s, ${out.steady.errors} dropped/failed, max queue ${out.steady.maxQueue}, mean batch ${round(out.steady.meanBatch, 1)}`);
      }
      const p99 = median(reps.map((x) => (x.steady.errors > 0 ? Infinity : x.steady.p99)));
      const row = { qps, p99Ms: reps.map((x) => round(x.steady.p99, 2)), medianP99Ms: p99, throughput: reps.map((x) => round(x.steady.throughput)), dropped: reps.map((x) => x.steady.errors), maxQueue: reps.map((x) => x.steady.maxQueue), meanBatch: reps.map((x) => round(x.steady.meanBatch, 1)) };
      ladder.push(row);
      if (p99 < SERVE.sloMs) best = row;
      else break;
    }
    raw.serving = { settings: SERVE.load, ladder };
    if (errors.length) throw new Error(`Serving lab page errors: ${errors.join('; ')}`);
    await close();
    const broke = ladder.find((r) => !(r.medianP99Ms < SERVE.sloMs));
    figures.push(['serving-sustained-qps-p99-under-50ms', best ? best.qps : 0, 'QPS', {
      reference: { name: 'target (issue 4)', value: SERVE.targets.qps, unit: 'QPS' },
      notes: `Serving lab, v1 only: ${SERVE.load.workersV1} inference workers, max batch ${SERVE.load.maxBatch}, max wait ${SERVE.load.maxWaitMs} ms, open-loop Poisson arrivals, ${SERVE.load.durationS} s a run (steady window: the last 7 s), ${SERVE.load.repetitions} seeds per QPS; holds = median p99 < ${SERVE.sloMs} ms and nothing dropped. ${ladder.map((r) => `${r.qps} QPS: p99 ${r.p99Ms.join('/')} ms, served ${r.throughput.join('/')}/s, dropped ${r.dropped.join('/')}, mean batch ${r.meanBatch.join('/')}`).join('; ')}.${broke ? ` First QPS that did not hold: ${broke.qps}.` : ' Every QPS of the ladder held.'}`,
    }]);
    if (best) figures.push([`serving-p99-at-${best.qps}-qps`, round(best.medianP99Ms, 1), 'ms', { notes: `Median over ${SERVE.load.repetitions} seeds of the steady-window p99 at the highest QPS that held.` }]);
  }
  return { raw, figures };
}
