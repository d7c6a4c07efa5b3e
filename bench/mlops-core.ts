/**
 * The Node side of the `mlops` bench section (loaded through vite's runnerImport): TPE's quality
 * against random search and Optuna 3.1 (its committed reference values), Hyperband and the median
 * rule against full-budget random search on the two-spirals network, the flow runner and hashing,
 * and the runs table at 10,000 runs (flatten, search, Arrow, and a SQL query in native DuckDB on
 * the same table written to Parquet, as a stand-in until DuckDB-wasm measures it in phase 2).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tableToIPC } from 'apache-arrow';
import { deriveSeed } from '../src/lib/core/rng.ts';
import * as parquetWasm from 'parquet-wasm';
import { mannWhitneyU, runStudy, TEST_FUNCTIONS, hyperband, runBudgetStudy, mlpObjective, MLP_SPACE, runFlow, MemoryFlowCache, VirtualClock, sha256, hashValue, runRow, searchRuns, runsToArrow, trainingFlow } from '../src/lib/mlops/index.ts';

import type { RunRecord } from '../src/lib/store/types.ts';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const root = new URL('..', import.meta.url).pathname;
type Log = (...a: unknown[]) => void;

async function tpe(log: Log) {
  const refs = JSON.parse(readFileSync(`${root}test/lib/mlops/refs/refs.json`, 'utf8'));
  const { trials, seeds, functions } = refs.studies;
  const out: Record<string, unknown> = {};
  for (const name of ['branin', 'hartmann6', 'quadratic'] as const) {
    const f = TEST_FUNCTIONS[name];
    const runs: Record<string, { best: number[]; ms: number[] }> = {};
    for (const [label, sampler, score] of [['tpe', 'tpe', 'optuna-3.1'], ['tpeDensity', 'tpe', 'density'], ['random', 'random', undefined]] as const) {
      const best: number[] = [];
      const ms: number[] = [];
      for (const seed of seeds) {
        const t0 = performance.now();
        const r = await runStudy({ objective: f.objective(seed), space: f.space, sampler, trials, seed, ...(score ? { tpe: { score } } : {}) });
        ms.push(performance.now() - t0);
        best.push(r.best.value);
      }
      runs[label] = { best, ms };
    }
    const o = functions[name];
    out[name] = {
      medianBest: { tpe: median(runs.tpe.best), tpeDensity: median(runs.tpeDensity.best), random: median(runs.random.best), optunaTpe: median(o.tpe), optunaRandom: median(o.random) },
      mannWhitneyTpeWorseThanOptuna: mannWhitneyU(runs.tpe.best, o.tpe, 'greater').p,
      mannWhitneyDensityWorseThanOptuna: mannWhitneyU(runs.tpeDensity.best, o.tpe, 'greater').p,
      mannWhitneyTpeBetterThanRandom: mannWhitneyU(runs.tpe.best, runs.random.best, 'less').p,
      studyMs: { tpe: median(runs.tpe.ms), random: median(runs.random.ms) },
      best: { tpe: runs.tpe.best, tpeDensity: runs.tpeDensity.best, random: runs.random.best },
    };
    log(`tpe ${name}:`, JSON.stringify((out[name] as { medianBest: unknown }).medianBest));
  }
  return { trials, seeds: seeds.length, functions: out };
}

async function earlyStopping(log: Log) {
  const seeds = [1, 2, 3, 4, 5];
  const R = 27;
  const trials = 30;
  const rows = [];
  for (const seed of seeds) {
    const task = { rows: 2000, noise: 0.08, seed };
    const t0 = performance.now();
    const full = await runBudgetStudy({ objective: mlpObjective(task), space: MLP_SPACE, seed, maxResource: R, sampler: 'random', trials, pruner: 'none' });
    const t1 = performance.now();
    const med = await runBudgetStudy({ objective: mlpObjective(task), space: MLP_SPACE, seed, maxResource: R, sampler: 'random', trials, pruner: { kind: 'median' } });
    // Hyperband as Li et al. run it: iteration after iteration (fresh configurations each), here until it
    // has spent what full-budget random search spent; its curve is the running best over all iterations.
    const hbCurve = { resource: [] as number[], best: [] as number[] };
    let spent = 0;
    let hbBest = Infinity;
    let iterations = 0;
    let firstIteration = 0;
    while (spent < full.resource) {
      const it = await hyperband({ objective: mlpObjective(task), space: MLP_SPACE, seed: deriveSeed(seed, iterations), maxResource: R, eta: 3 });
      for (let i = 0; i < it.curve.resource.length && spent + it.curve.resource[i] <= full.resource; i++) {
        hbBest = Math.min(hbBest, it.curve.best[i]);
        hbCurve.resource.push(spent + it.curve.resource[i]);
        hbCurve.best.push(hbBest);
      }
      if (iterations === 0) firstIteration = it.resource;
      spent += it.resource;
      iterations++;
    }
    const firstBest = Math.min(...hbCurve.best.filter((_, i) => hbCurve.resource[i] <= firstIteration));
    const hb = { resource: firstIteration, best: { value: firstBest }, curve: { resource: Float64Array.from(hbCurve.resource), best: Float64Array.from(hbCurve.best) } };
    const reach = (c: { resource: Float64Array; best: Float64Array }) => {
      for (let i = 0; i < c.best.length; i++) if (c.best[i] <= full.best.value + 1e-12) return c.resource[i];
      return NaN;
    };
    const row = {
      seed, epochsFull: full.resource, bestFull: full.best.value, epochsMedian: med.resource, bestMedian: med.best.value, reachMedian: reach(med.curve),
      epochsHyperband: hb.resource, bestHyperband: hb.best.value, reachHyperband: reach(hb.curve), hyperbandIterations: iterations, bestHyperbandAtFullSpend: hbBest,
      msPerEpoch: (t1 - t0) / full.resource,
      curves: { full: { epochs: Array.from(full.curve.resource), best: Array.from(full.curve.best) }, hyperband: { epochs: Array.from(hb.curve.resource), best: Array.from(hb.curve.best) } },
    };
    rows.push(row);
    log(`early stopping seed ${seed}: full ${row.epochsFull} ep → ${row.bestFull.toFixed(4)}; median ${row.epochsMedian} ep → ${row.bestMedian.toFixed(4)}; one Hyperband iteration ${row.epochsHyperband} ep → ${row.bestHyperband.toFixed(4)}; Hyperband reached the full best after ${row.reachHyperband} ep (${iterations} iterations, ${hbBest.toFixed(4)} at ${full.resource} ep)`);
  }
  return { maxEpochs: R, eta: 3, trials, seeds: rows };
}

async function flows(log: Log) {
  const inputs = { source: { rows: 4000, seed: 1, defaultRate: 0.2 }, settings: { l2: 1, minAuc: 0.7, maxParityGap: 0.1 } };
  const cold: number[] = [];
  const warm: number[] = [];
  for (let k = 0; k < 5; k++) {
    const cache = new MemoryFlowCache();
    const clock = new VirtualClock();
    let t0 = performance.now();
    await runFlow(trainingFlow(), { cache, clock, inputs });
    cold.push(performance.now() - t0);
    t0 = performance.now();
    await runFlow(trainingFlow(), { cache, clock, inputs });
    warm.push(performance.now() - t0);
  }
  const bytes = new Uint8Array(16 << 20).map((_, i) => (i * 2654435761) >>> 24);
  const ours: number[] = [];
  const node: number[] = [];
  for (let k = 0; k < 3; k++) {
    let t0 = performance.now();
    sha256(bytes);
    ours.push(performance.now() - t0);
    t0 = performance.now();
    createHash('sha256').update(bytes).digest('hex');
    node.push(performance.now() - t0);
  }
  const arr = new Float64Array(1 << 20).map((_, i) => Math.sin(i));
  const hv: number[] = [];
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    hashValue({ x: arr });
    hv.push(performance.now() - t0);
  }
  const mbps = (ms: number) => 16 / 1.048576 / (ms / 1000);
  log(`flow: cold ${median(cold).toFixed(1)} ms, all cached ${median(warm).toFixed(1)} ms; sha256 ${mbps(median(ours)).toFixed(0)} MB/s vs node:crypto ${mbps(median(node)).toFixed(0)} MB/s`);
  return { flowColdMs: cold, flowCachedMs: warm, sha256Ms16MiB: ours, nodeCryptoMs16MiB: node, hashValueMs8MiB: hv };
}

/** 10,000 runs shaped like the site's: training runs with curves, evaluation and serving runs with nested params and results. */
function syntheticRuns(n: number): RunRecord[] {
  const labs = ['train', 'metrics', 'calibration', 'serving', 'prune', 'hpo', 'pipelines', 'ab-test'];
  return Array.from({ length: n }, (_, i) => {
    const lab = labs[i % labs.length];
    const steps = lab === 'train' ? 100 : 0;
    const curve = Array.from({ length: steps }, (_, k) => 2 / (1 + k + (i % 5)));
    const params: Record<string, unknown> = lab === 'train'
      ? { model: i % 2 ? 'cnn' : 'mlp', optimizer: 'adam', learningRate: 0.001 * (1 + (i % 7)), batchSize: 64, epochs: 1 + (i % 5), accumSteps: 1 }
      : lab === 'serving'
        ? { settings: { qps: 50 + (i % 400), mode: i % 3 ? 'canary' : 'v1', seed: i }, steady: { p99: 10 + (i % 50), throughput: 100 + (i % 300) }, holds: i % 2 === 0 }
        : { seed: i, n: 4000, threshold: (i % 10) / 10, defaultRate: 0.2, result: { auc: 0.7 + (i % 30) / 100, ap: 0.3 + (i % 20) / 100, note: 'ok' } };
    return {
      id: `run-${i.toString(36)}`, lab, name: `${lab} ${i}`, params, seed: i % 100, dataHash: `sha-${i % 13}`, backend: 'wasm', appVersion: '0.1.0', status: 'done',
      createdAt: 1.7e12 + i * 1000, updatedAt: 1.7e12 + i * 1000, durationMs: 1000 + (i % 100), epochsDone: steps ? 3 : 0, stepsDone: steps,
      metrics: { step: curve.map((_, k) => k), epoch: curve.map((_, k) => k / 33), trainLoss: curve, trainAcc: curve.map((x) => 1 - x / 2) },
      epochMetrics: steps ? [{ epoch: 3, valLoss: 0.4, valAcc: 0.85 + (i % 10) / 100, timeMs: 1000 }] : [],
      ...(steps ? { final: { testAcc: 0.8 + (i % 17) / 100, testLoss: 0.4, confusion: [] } } : {}),
    } as RunRecord;
  });
}

async function tracking(log: Log, n = 10_000) {
  const runs = syntheticRuns(n);
  const out = { runs: n, rowsMs: [] as number[], searchMs: [] as number[], arrowMs: [] as number[], ipcMs: [] as number[], ipcBytes: 0, parquetBytes: 0, parquet: new Uint8Array() as Uint8Array };
  let table;
  for (let k = 0; k < 5; k++) {
    let t0 = performance.now();
    const rows = runs.map(runRow);
    out.rowsMs.push(performance.now() - t0);
    t0 = performance.now();
    searchRuns(rows, { filter: "lab = 'train' AND metrics.testAcc > 0.9 AND params.model = 'cnn'", orderBy: ['metrics.testAcc DESC'] });
    out.searchMs.push(performance.now() - t0);
    t0 = performance.now();
    table = runsToArrow(rows);
    out.arrowMs.push(performance.now() - t0);
    t0 = performance.now();
    const ipc = tableToIPC(table, 'stream');
    out.ipcMs.push(performance.now() - t0);
    out.ipcBytes = ipc.length;
  }
  const parquet = parquetWasm.writeParquet(parquetWasm.Table.fromIPCStream(tableToIPC(table!, 'stream')));
  out.parquetBytes = parquet.length;
  out.parquet = parquet; // queried in native DuckDB by bench/mlops.mjs (the module runner cannot import it here)
  log(`tracking ${n} runs: rows ${median(out.rowsMs).toFixed(0)} ms, search ${median(out.searchMs).toFixed(1)} ms, Arrow ${median(out.arrowMs).toFixed(0)} ms, IPC ${median(out.ipcMs).toFixed(0)} ms (${(out.ipcBytes / 1e6).toFixed(1)} MB)`);
  return out;
}

export async function measure(log: Log) {
  return { tpe: await tpe(log), early: await earlyStopping(log), flow: await flows(log), tracking: await tracking(log) };
}
