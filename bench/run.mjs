// `npm run bench` (after `npm run build`): the figures of BENCHMARKS.md, measured on the built site
// in headless Chromium through the real training worker, against PyTorch on the same machine.
// Also the simulation worker (A/A experiments per second, bench/sim.mjs) and the evaluation worker
// (Kernel SHAP explanations per second, bench/shap.mjs), each against the same code in Node.
// Writes bench/results/latest.json and prints a Markdown table. Takes about 6 minutes on 2 cores.
//
//   node bench/run.mjs [--skip=torch,accuracy,...]   sections: shell, lab, throughput, accuracy, sim, shap, etl, drift, compress, serve, torch, quantdistill, mlops, distributed, distributed-labs
// (mlops: TPE vs Optuna, Hyperband vs random search, flows, the 10,000-run table; Node only, bench/mlops.mjs)
// (distributed, distributed-labs: all-reduce between worker_threads, data-parallel speed-up, the distributed labs' default
//  runs; Node only, bench/distributed.mjs; they also write bench/results/distributed.json)
// (compress: dense vs unstructured vs compacted inference latency in the compression worker, bench/compress.mjs)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import { serveDist, launch, skipReason, freshPage, openTrainLab, recordScripts } from './browser.mjs';
import { writeFashionArrays } from './data.mjs';
import { benchSim } from './sim.mjs';
import { benchShap } from './shap.mjs';
import { benchEtl } from './etl.mjs';
import { benchCompress } from './compress.mjs';
import { benchQuantDistill } from './quantdistill.mjs';
import { benchServe } from './serve.mjs';
import { benchDrift } from './drift.mjs';
import { benchMlops } from './mlops.mjs';
import { benchDistributed, benchDistributedLabs, writeDistributedResults } from './distributed.mjs';

const root = new URL('..', import.meta.url).pathname;
const skip = new Set((process.argv.find((a) => a.startsWith('--skip='))?.slice(7) ?? '').split(',').filter(Boolean));
const SYSTEM_PYTHON = '/usr/bin/python3';
const TORCH_THREADS = 2;

/** Budgets from the foundation issue. */
const TARGETS = { shellGzipKB: 150, labInteractiveMs: 2000, wasmOverTorch: 0.5, testAcc: 0.85 };

/**
 * Timed work per backend, sized so the whole bench fits in ~5 minutes here: SwiftShader (WebGPU
 * emulated on the CPU) and the cpu backend are 5-150x slower than wasm, so they get few updates.
 * Warm-up updates are untimed: they compile shaders and create the optimizer's slots.
 */
const THROUGHPUT = [
  { model: 'mlp', backend: 'wasm', batchSize: 128, warmup: 5, updates: 30, repetitions: 5 },
  { model: 'cnn', backend: 'wasm', batchSize: 128, warmup: 2, updates: 8, repetitions: 3 },
  { model: 'mlp', backend: 'webgpu', batchSize: 128, warmup: 2, updates: 3, repetitions: 3 },
  { model: 'cnn', backend: 'webgpu', batchSize: 128, warmup: 1, updates: 1, repetitions: 3 },
  { model: 'mlp', backend: 'cpu', batchSize: 128, warmup: 1, updates: 3, repetitions: 3 },
  { model: 'cnn', backend: 'cpu', batchSize: 128, warmup: 1, updates: 1, repetitions: 3 },
];

/** The lab's defaults (src/lib/ml/config.ts): Adam, lr 1e-3, batch 64, 9,000 images, seed 42. */
const LAB_DEFAULTS = { optimizer: 'adam', learningRate: 0.001, batchSize: 64, accumSteps: 1, seed: 42, trainSize: 9000, backend: 'wasm' };
/**
 * Candidates for "time to 85% test accuracy", cheapest first: the first that reaches it is reported.
 * Test accuracy is measured once, after the last epoch, so each candidate is a whole run.
 */
const TIME_TO_85 = [
  { model: 'cnn', epochs: 3 },
  { model: 'cnn', epochs: 3, learningRate: 0.003 },
  { model: 'cnn', epochs: 5 },
];
/** The setting BENCHMARKS.md recommends for the lab's "85% within 3 epochs" exercise (it clears 85% on seeds 1, 2 and 42 here). */
const RECOMMENDED_85 = { model: 'cnn', epochs: 3, learningRate: 0.003 };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d;
const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

const results = [];
const raw = {};
function record(name, value, unit, extra = {}) {
  const r = { name, value, unit, ...extra };
  if (r.reference) r.ratio = round(value / r.reference.value, 3);
  results.push(r);
  log(name, value, unit, r.ratio !== undefined ? `(ratio ${r.ratio})` : '');
  return r;
}

// ---- browser ----

async function shellSize(browser, site) {
  const { page, close } = await freshPage(browser);
  const scripts = await recordScripts(page, async () => {
    await page.goto(site.url, { waitUntil: 'networkidle' });
    await page.waitForSelector('[data-lab="train"]');
  });
  await close();
  const kb = scripts.reduce((s, f) => s + f.gzip, 0) / 1024;
  raw.shell = scripts.map((f) => ({ file: f.url.slice(site.url.length), bytes: f.bytes, gzip: f.gzip }));
  record('app-shell-js-gzip', round(kb, 1), 'KB', {
    reference: { name: 'target (issue 2)', value: TARGETS.shellGzipKB, unit: 'KB' },
    notes: `All JavaScript the home page fetches (${scripts.length} files), each response body gzipped (zlib level 9). No lab or engine chunk.`,
  });
}

async function labInteractive(browser, site, query = '') {
  const times = [];
  for (let i = 0; i < 3; i++) {
    const { page, errors, close } = await freshPage(browser);
    // Time stamped in the page itself, by a MutationObserver, the moment the lab reports ready.
    await page.addInitScript(() => {
      new MutationObserver((_, obs) => {
        if (document.querySelector('.lab[data-phase="ready"]')) {
          window.__readyAt = performance.now();
          obs.disconnect();
        }
      }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-phase'] });
    });
    await openTrainLab(page, site.url, query);
    times.push(await page.evaluate(() => window.__readyAt));
    if (errors.length) throw new Error(`Training lab page errors: ${errors.join('; ')}`);
    await close();
  }
  const auto = !query;
  raw[auto ? 'labInteractiveMs' : 'labInteractiveWasmMs'] = times;
  record(auto ? 'train-lab-interactive' : 'train-lab-interactive-backend-wasm', round(median(times)), 'ms', {
    reference: { name: 'target (issue 2)', value: TARGETS.labInteractiveMs, unit: 'ms' },
    notes: `Median of ${times.length} fresh page loads of #/lab/train${auto ? '' : `?${query}`} (empty cache): navigation start until .lab[data-phase="ready"] (worker started, 5.4 MB dataset fetched and decoded, ${auto ? 'backend auto: wasm and webgpu probed' : 'backend chosen in the link: no probe'}). Each: ${times.map((t) => round(t)).join(', ')} ms.`,
  });
}

async function throughput(page) {
  const out = {};
  for (const plan of THROUGHPUT) {
    const t0 = Date.now();
    const r = await page.evaluate((o) => window.__prodlab.lab.client.call((api) => api.benchmark(o)), { ...plan, optimizer: 'adam' });
    out[`${plan.model}-${plan.backend}`] = { ...plan, ...r };
    log(`${plan.model} on ${plan.backend}: ${round(r.medianSamplesPerSec)} samples/s (${r.samplesPerSec.map((x) => round(x)).join(', ')}) in ${round((Date.now() - t0) / 1000, 1)} s`);
  }
  raw.throughput = out;
  return out;
}

async function trainRun(page, patch) {
  const config = { ...LAB_DEFAULTS, ...patch };
  const r = await page.evaluate(async (c) => {
    const lab = window.__prodlab.lab;
    lab.update(c);
    const t0 = performance.now();
    await lab.start();
    const run = lab.lastRun;
    return { wallMs: performance.now() - t0, status: run.status, backend: run.backend, testAcc: run.final?.testAcc, valAcc: run.epochMetrics.map((e) => e.valAcc), epochMs: run.epochMetrics.map((e) => e.timeMs) };
  }, config);
  if (r.status !== 'done') throw new Error(`Run ${JSON.stringify(config)} ended ${r.status}`);
  log(`${describe(config)}: test accuracy ${round(100 * r.testAcc, 2)}% in ${round(r.wallMs / 1000, 1)} s on ${r.backend}`);
  return { config, ...r };
}

const describe = (c) => `${c.model} ${c.optimizer} lr ${c.learningRate} batch ${c.batchSize} x ${c.epochs} epochs, ${c.trainSize} images, seed ${c.seed}`;

async function accuracy(page) {
  const runs = [];
  for (const model of ['mlp', 'cnn']) runs.push(await trainRun(page, { model, epochs: 3 }));
  let hit = runs.find((r) => r.config.model === 'cnn' && r.testAcc >= TARGETS.testAcc && matches(r.config, TIME_TO_85[0]));
  for (const c of TIME_TO_85.slice(1)) {
    if (hit) break;
    const r = await trainRun(page, c);
    runs.push(r);
    if (r.testAcc >= TARGETS.testAcc) hit = r;
  }
  const recommended = runs.find((r) => matches(r.config, RECOMMENDED_85)) ?? await trainRun(page, RECOMMENDED_85);
  if (!runs.includes(recommended)) runs.push(recommended);
  raw.accuracyRuns = runs;
  return { runs, hit, recommended };
}

const matches = (config, patch) => Object.entries(patch).every(([k, v]) => config[k] === v);

const BROWSER_SECTIONS = ['shell', 'lab', 'throughput', 'accuracy', 'sim', 'shap', 'etl', 'drift', 'compress', 'serve'];

async function browserSections() {
  // Node-only runs (quantdistill, mlops, distributed) need no browser and no build.
  if (BROWSER_SECTIONS.every((s) => skip.has(s))) return { machine: {}, tput: {}, acc: null };
  const reason = skipReason();
  if (reason) throw new Error(`The browser benchmarks cannot run: ${reason}.`);
  const site = await serveDist();
  const browser = await launch();
  const machine = { chromium: browser.version() };
  try {
    if (!skip.has('shell')) await shellSize(browser, site);
    if (!skip.has('lab')) {
      await labInteractive(browser, site);
      await labInteractive(browser, site, 'backend=wasm');
    }
    const { page, errors, close } = await freshPage(browser);
    await openTrainLab(page, site.url, 'backend=wasm');
    Object.assign(machine, await page.evaluate(() => {
      const caps = window.__prodlab.lab.caps;
      return { crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency, webgpuAdapter: caps?.webgpu.adapter ?? caps?.webgpu.reason, wasmSimd: caps?.wasm.simd, wasmThreads: caps?.wasm.threads };
    }));
    const tput = skip.has('throughput') ? {} : await throughput(page);
    const acc = skip.has('accuracy') ? null : await accuracy(page);
    if (errors.length) throw new Error(`Training lab page errors: ${errors.join('; ')}`);
    await close();
    // The experiment and evaluation workers, each in its own fresh page (their Node references run after it closes).
    const workers = { site, browser, freshPage, log };
    for (const [section, bench] of [['sim', benchSim], ['shap', benchShap], ['etl', benchEtl], ['drift', benchDrift], ['compress', benchCompress], ['serve', benchServe]]) {
      if (skip.has(section)) continue;
      const { raw: r, figures } = await bench(workers);
      raw[section] = r;
      for (const f of figures) record(...f);
    }
    return { machine, tput, acc };
  } finally {
    await browser.close();
    await site.close();
  }
}

// ---- PyTorch, after the browser has closed so the two never share the cores ----

function torchAvailable() {
  if (!existsSync(SYSTEM_PYTHON)) return `${SYSTEM_PYTHON} does not exist`;
  const r = spawnSync(SYSTEM_PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `Debian's python3-torch is not installed for ${SYSTEM_PYTHON} (${r.stderr.trim().split('\n').pop()})`;
}

async function torchReference(tput) {
  const missing = torchAvailable();
  if (missing) {
    log(`PyTorch reference SKIPPED: ${missing}.`);
    return { skipped: missing };
  }
  const dir = await mkdtemp(`${os.tmpdir()}/prodlab-bench-`);
  try {
    await writeFashionArrays(dir);
    // Same batch, warm-up, updates and repetitions as the wasm measurement of each model.
    const plan = {};
    for (const m of ['mlp', 'cnn']) {
      const w = tput[`${m}-wasm`] ?? THROUGHPUT.find((p) => p.model === m && p.backend === 'wasm');
      plan[m] = { batch: w.batchSize, updates: w.updates, warmup: w.warmup, reps: Math.max(w.repetitions, 3) };
    }
    const run = (threads, accuracyEpochs) => {
      const out = execFileSync(SYSTEM_PYTHON, [`${root}bench/torch_reference.py`, dir, '--threads', String(threads), '--plan', JSON.stringify(plan), '--accuracy-epochs', String(accuracyEpochs)], { encoding: 'utf8', maxBuffer: 1 << 24 });
      return JSON.parse(out.trim().split('\n').pop());
    };
    const main = run(TORCH_THREADS, 3);
    log(`PyTorch ${main.torch}, ${main.threads} threads: mlp ${round(main.throughput.mlp.medianSamplesPerSec)}, cnn ${round(main.throughput.cnn.medianSamplesPerSec)} samples/s`);
    const single = run(1, 0);
    log(`PyTorch 1 thread: mlp ${round(single.throughput.mlp.medianSamplesPerSec)}, cnn ${round(single.throughput.cnn.medianSamplesPerSec)} samples/s`);
    raw.torch = { [`threads${TORCH_THREADS}`]: main, threads1: single };
    return { main, single };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---- figures ----

function throughputFigures(tput, torch) {
  for (const [key, t] of Object.entries(tput)) {
    const extra = { notes: `tfjs 4.22 ${t.backend === 'webgpu' ? 'webgpu on SwiftShader (software Vulkan: no GPU here)' : t.backend}${t.backend === 'wasm' ? ' (SIMD, 1 thread: the page is not cross-origin isolated)' : ''}, Adam, batch ${t.batchSize}; median of ${t.samplesPerSec.length} repetitions of ${t.updates} updates after ${t.warmup} warm-up: ${t.samplesPerSec.map((x) => round(x)).join(', ')}.` };
    if (t.backend === 'wasm' && torch?.main) {
      // The reference is PyTorch's faster setting here. Two OpenMP threads lose badly whenever
      // another process holds a core (this machine is shared), so one thread is often faster.
      const two = torch.main.throughput[t.model];
      const one = torch.single.throughput[t.model];
      const best = two.medianSamplesPerSec >= one.medianSamplesPerSec ? { r: two, n: torch.main.threads } : { r: one, n: 1 };
      extra.reference = { name: `PyTorch ${torch.main.torch} CPU, ${best.n} thread${best.n > 1 ? 's' : ''} (the faster of 1 and ${torch.main.threads} here)`, value: round(best.r.medianSamplesPerSec), unit: 'samples/s' };
      const each = (r) => r.samplesPerSec.map((x) => round(x)).join(', ');
      extra.notes += ` PyTorch, same batches and counts: ${torch.main.threads} threads ${round(two.medianSamplesPerSec)} samples/s (${each(two)}; ratio ${round(t.medianSamplesPerSec / two.medianSamplesPerSec, 3)}), 1 thread ${round(one.medianSamplesPerSec)} samples/s (${each(one)}; ratio ${round(t.medianSamplesPerSec / one.medianSamplesPerSec, 3)}).`;
      if (t.model === 'mlp') extra.notes += ` Target (issue 2): ratio >= ${TARGETS.wasmOverTorch}.`;
    }
    record(`train-${key}-samples-per-sec`, round(t.medianSamplesPerSec), 'samples/s', extra);
  }
}

function accuracyFigures(acc, torch) {
  if (!acc) return;
  for (const r of acc.runs.slice(0, 2)) {
    const ref = torch?.main?.accuracy?.[r.config.model];
    record(`test-acc-${r.config.model}-3-epochs-lab-defaults`, round(r.testAcc, 4), 'fraction', {
      ...(ref ? { reference: { name: `PyTorch ${torch.main.torch}, same data and settings (init and shuffles differ)`, value: round(ref.testAcc, 4), unit: 'fraction' } } : {}),
      notes: `${describe(r.config)} on ${r.backend}: ${round(r.wallMs / 1000, 1)} s wall, validation accuracy per epoch ${r.valAcc.map((v) => round(v, 3)).join(', ')}.`,
    });
  }
  const rec = acc.recommended;
  record('test-acc-cnn-3-epochs-lr-0.003', round(rec.testAcc, 4), 'fraction', {
    notes: `The lab defaults with the CNN and learning rate 0.003: ${describe(rec.config)} on ${rec.backend}, ${round(rec.wallMs / 1000, 1)} s wall, validation accuracy per epoch ${rec.valAcc.map((v) => round(v, 3)).join(', ')}.`,
  });
  if (acc.hit) {
    const h = acc.hit;
    record('time-to-85-test-acc-wasm', round(h.wallMs / 1000, 1), 's', {
      notes: `${describe(h.config)} on ${h.backend} reached ${round(100 * h.testAcc, 2)}% test accuracy after ${h.config.epochs} epochs. Wall time from Train to the final test accuracy, including per-epoch validation and checkpoints. Test accuracy is measured after the last epoch only, so candidates (${TIME_TO_85.map((c) => JSON.stringify(c)).join(', ')}) are tried cheapest first.`,
    });
  } else {
    record('time-to-85-test-acc-wasm', null, 's', { notes: `No candidate reached 85%: ${acc.runs.map((r) => `${describe(r.config)} → ${round(100 * r.testAcc, 2)}%`).join('; ')}.` });
  }
}

function markdown(rows) {
  const fmt = (v, u) => (v === null ? '—' : `${v.toLocaleString('en-US')} ${u}`);
  const lines = ['| Figure | Value | Reference | Ratio |', '|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.name} | ${fmt(r.value, r.unit)} | ${r.reference ? `${fmt(r.reference.value, r.reference.unit)} (${r.reference.name})` : ''} | ${r.ratio ?? ''} |`);
  return lines.join('\n');
}

const started = Date.now();
const loadBefore = os.loadavg().map((x) => round(x, 2));
const { machine, tput, acc } = await browserSections();
const torch = skip.has('torch') ? { skipped: '--skip=torch' } : await torchReference(tput);
throughputFigures(tput, torch);
accuracyFigures(acc, torch);
if (torch.skipped) log(`No PyTorch ratios: ${torch.skipped}.`);
// Quantization and distillation (issue 4): QAT's cost per update, int8 vs float32 ONNX in onnxruntime-node. Node only, after the browser.
if (!skip.has('quantdistill')) {
  const { raw: r, figures } = await benchQuantDistill({ log });
  raw.quantdistill = r;
  for (const f of figures) record(...f);
}
// MLOps (issue 16): search quality and early stopping, flows, the runs table. Node only.
if (!skip.has('mlops')) {
  const { raw: r, figures } = await benchMlops({ log });
  raw.mlops = r;
  for (const f of figures) record(...f);
}

// Distributed training (issue 13): Node only, after the browser and PyTorch.
const distributed = {};
for (const [section, bench] of [['distributed', benchDistributed], ['distributed-labs', benchDistributedLabs]]) {
  if (skip.has(section)) continue;
  const { raw: r, figures } = await bench({ log });
  raw[section] = r;
  distributed[section] = { raw: r, figures };
  for (const f of figures) record(...f);
}

const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
const report = {
  date: new Date().toISOString(),
  commit,
  durationSec: round((Date.now() - started) / 1000),
  machine: {
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    memoryGB: round(os.totalmem() / 2 ** 30, 1),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    gpu: 'none (WebGPU runs on SwiftShader, a CPU emulation)',
    // Other work on a shared machine shows here: above the core count, the figures are noisy.
    loadAverage1m5m15m: { before: loadBefore, after: os.loadavg().map((x) => round(x, 2)) },
    ...machine,
    torch: torch.main ? { version: torch.main.torch, python: torch.main.python, threads: torch.main.threads } : { skipped: torch.skipped },
  },
  results,
  raw,
};
await mkdir(`${root}bench/results`, { recursive: true });
if (Object.keys(distributed).length) await writeDistributedResults({ date: report.date, commit, machine: report.machine, ...distributed });
await writeFile(`${root}bench/results/latest.json`, `${JSON.stringify(report, null, 2)}\n`);
console.log(markdown(results));
log(`wrote bench/results/latest.json in ${report.durationSec} s`);
