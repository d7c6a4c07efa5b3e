// The `mlops` section of `npm run bench` (issue 16), Node only: TPE against random search and
// Optuna 3.1 over 20 seeds, Hyperband and the median rule against full-budget random search on the
// two-spirals network (epochs to reach the same best), the flow runner, SHA-256, and the runs table
// at 10,000 runs. Writes bench/results/mlops.json as well as returning its figures.
//
//   node bench/run.mjs --skip=shell,lab,throughput,accuracy,sim,shap,etl,drift,compress,serve,torch,quantdistill
import { runnerImport } from 'vite';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d;

function optunaTiming(log) {
  if (!existsSync('/usr/bin/python3')) return { skipped: '/usr/bin/python3 does not exist' };
  try {
    const out = execFileSync('/usr/bin/python3', [`${root}bench/optuna_timing.py`, '5'], { encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop());
    log(`Optuna ${r.optuna} TPE on Hartmann-6, 50 trials: ${round(median(r.studyMs))} ms per study`);
    return r;
  } catch (e) {
    return { skipped: `Debian's python3-optuna is not usable (${e.message.split('\n')[0]})` };
  }
}

async function nativeDuck(parquet, log) {
  try {
    const { DuckDBInstance, version } = await import('@duckdb/node-api');
    const { mkdtemp, rm } = await import('node:fs/promises');
    const dir = await mkdtemp(`${os.tmpdir()}/prodlab-runs-`);
    const file = `${dir}/runs.parquet`;
    await writeFile(file, parquet);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const q = async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJS();
    const t0 = performance.now();
    await q(`CREATE TABLE runs AS SELECT * FROM read_parquet('${file}')`);
    const loadMs = performance.now() - t0;
    const sql = "SELECT lab, count(*) AS runs, max(metrics.testAcc) AS best, avg(metrics.auc) AS auc FROM runs WHERE status = 'done' GROUP BY lab ORDER BY runs DESC";
    const ms = [];
    let rows = [];
    for (let k = 0; k < 7; k++) {
      const t = performance.now();
      rows = await q(sql);
      ms.push(performance.now() - t);
    }
    conn.closeSync();
    db.closeSync();
    await rm(dir, { recursive: true, force: true });
    log(`native DuckDB ${version()}: load ${round(loadMs)} ms, GROUP BY over the runs ${round(median(ms), 1)} ms (${rows.length} labs)`);
    return { version: version(), loadMs, queryMs: ms, sql, rows: rows.length };
  } catch (e) {
    return { skipped: e.message };
  }
}

export async function benchMlops({ log }) {
  const loadBefore = os.loadavg().map((x) => round(x, 2));
  const { measure } = (await runnerImport('/bench/mlops-core.ts', { root, configFile: false, logLevel: 'error' })).module;
  const r = await measure(log);
  r.tracking.duck = await nativeDuck(r.tracking.parquet, log);
  delete r.tracking.parquet;
  r.optuna = optunaTiming(log);
  r.loadAverage = { before: loadBefore, after: os.loadavg().map((x) => round(x, 2)) };
  await mkdir(`${root}bench/results`, { recursive: true });
  await writeFile(`${root}bench/results/mlops.json`, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, cores: os.cpus().length, ...r }, null, 1)}\n`);

  const figures = [];
  for (const [name, f] of Object.entries(r.tpe.functions)) {
    figures.push([`tpe-median-best-${name}`, round(f.medianBest.tpe, 4), 'value', {
      reference: { name: `Optuna ${r.optuna.optuna ?? '3.1'} TPESampler, same function, trials and seeds (refs.json)`, value: round(f.medianBest.optunaTpe, 4), unit: 'value' },
      notes: `Median over ${r.tpe.seeds} seeds of the best value after ${r.tpe.trials} trials (lower is better). Random search: ours ${round(f.medianBest.random, 4)}, Optuna ${round(f.medianBest.optunaRandom, 4)}. TPE with true densities (score 'density'): ${round(f.medianBest.tpeDensity, 4)}. One-sided Mann–Whitney p (ours worse than Optuna's TPE): ${round(f.mannWhitneyTpeWorseThanOptuna, 3)}; with true densities: ${round(f.mannWhitneyDensityWorseThanOptuna, 3)}; TPE better than random: ${round(f.mannWhitneyTpeBetterThanRandom, 4)}. Median ms per 50-trial study: TPE ${round(f.studyMs.tpe, 1)}, random ${round(f.studyMs.random, 2)}.`,
    }]);
  }
  const hv = r.tpe.functions.hartmann6.studyMs.tpe;
  if (!r.optuna.skipped) {
    figures.push(['tpe-study-ms-hartmann6', round(hv, 1), 'ms', {
      reference: { name: `Optuna ${r.optuna.optuna} TPESampler (CPython), same study`, value: round(median(r.optuna.studyMs), 1), unit: 'ms' },
      notes: 'Wall time of one 50-trial TPE study on Hartmann-6: ours (TypeScript in Node) against Optuna on the same machine, median of 20 and 5 studies.',
    }]);
  }
  const e = r.early.seeds;
  // Epochs to reach random search's final best, as a share of random search's epochs (never: Infinity).
  const reachShare = (k) => median(e.map((s) => (Number.isFinite(s[k]) ? s[k] / s.epochsFull : Infinity)));
  const fmtShare = (k) => e.map((s) => (Number.isFinite(s[k]) ? round(s[k] / s.epochsFull, 3) : 'never')).join(', ');
  figures.push(['hyperband-reach-share', round(reachShare('reachHyperband'), 3), 'of random search\'s epochs', {
    reference: { name: 'target (issue 16): at most', value: round(1 / 3, 3), unit: 'of its epochs' },
    notes: `Two-spirals network (pure TypeScript; phase 2 repeats this on the training lab's model), R = ${r.early.maxEpochs} epochs, η = ${r.early.eta}; full-budget random search: ${r.early.trials} trials = ${e[0].epochsFull} epochs per seed. Hyperband iterations (${e[0].epochsHyperband} epochs each, fresh configurations) are repeated up to the same spend. Epochs Hyperband needed to reach random search's final best, as a share, per seed ${e.map((s) => s.seed).join(', ')}: ${fmtShare('reachHyperband')} (median ${round(reachShare('reachHyperband'), 3)}). Best after one iteration vs random search's best: ${e.map((s) => `${round(s.bestHyperband, 3)}/${round(s.bestFull, 3)}`).join(', ')}. The median rule: ${fmtShare('reachMedian')} (it spent ${e.map((s) => round(s.epochsMedian / s.epochsFull, 2)).join(', ')} of the epochs in all). ${round(median(e.map((s) => s.msPerEpoch)), 2)} ms per epoch.`,
  }]);
  const f = r.flow;
  figures.push(['flow-training-cold-ms', round(median(f.flowColdMs), 1), 'ms', {
    reference: { name: 'the same flow, every task a cache hit', value: round(median(f.flowCachedMs), 1), unit: 'ms' },
    notes: 'runFlow of the 10-step training flow (4,000 credit rows) on a virtual clock, median of 5; the cached run hashes every input to find its keys.',
  }]);
  figures.push(['sha256-16MiB-ms', round(median(f.sha256Ms16MiB), 1), 'ms', {
    reference: { name: 'node:crypto (OpenSSL)', value: round(median(f.nodeCryptoMs16MiB), 1), unit: 'ms' },
    notes: 'Pure TypeScript SHA-256 (flow cache keys; works where WebCrypto does not), 16 MiB, median of 3.',
  }]);
  const t = r.tracking;
  figures.push(['runs-table-10k-arrow-ms', round(median(t.arrowMs)), 'ms', {
    notes: `${t.runs.toLocaleString('en')} runs: flatten to rows ${round(median(t.rowsMs))} ms, MLflow-filter search ${round(median(t.searchMs), 1)} ms, Arrow table (struct params/metrics) ${round(median(t.arrowMs))} ms, IPC ${round(median(t.ipcMs))} ms (${round(t.ipcBytes / 1e6, 1)} MB), Parquet ${round(t.parquetBytes / 1e6, 2)} MB; medians of 5.`,
  }]);
  if (t.duck && !t.duck.skipped) {
    figures.push(['runs-table-10k-sql-native-duckdb-ms', round(median(t.duck.queryMs), 1), 'ms', {
      reference: { name: 'target (issue 16, in DuckDB-wasm: phase 2)', value: 200, unit: 'ms' },
      notes: `Native DuckDB ${t.duck.version} (stand-in until the duck engine measures it in the browser): "${t.duck.sql}" over the runs table loaded from Parquet (load ${round(t.duck.loadMs)} ms); median of 7.`,
    }]);
  }
  return { raw: r, figures };
}
