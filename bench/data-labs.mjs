// The leakage and sampling labs' compute, in plain Node: `node bench/data-labs.mjs [repetitions]`.
// - Whole lab runs at their defaults (simulateLeakage with logistic regression and with k-NN,
//   simulateSampling), median wall time.
// - Class-weighted logistic regression (trainLogistic with balanced sample weights, Newton) against
//   scikit-learn's LogisticRegression(class_weight='balanced', lbfgs) on the same rows, fitted and
//   timed by bench/imbalance_reference.py under /usr/bin/python3; coefficients compared too.
// Writes bench/results/data-labs.json. The TypeScript is loaded through Vite's module runner.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import { runnerImport } from 'vite';

const REPS = Number(process.argv[2] ?? 5);
const root = new URL('..', import.meta.url).pathname;
const load = async (p) => (await runnerImport(p, { root, configFile: false, logLevel: 'error' })).module;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d;
const time = async (f, reps = REPS) => {
  await f(); // warm-up
  const ms = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await f();
    ms.push(performance.now() - t0);
  }
  return ms;
};

const { simulateLeakage, LEAKAGE_SIM_DEFAULTS } = await load('/src/lib/runners/leakage.ts');
const { simulateSampling, SAMPLING_SIM_DEFAULTS } = await load('/src/lib/runners/sampling.ts');
const { trainLogistic } = await load('/src/lib/math/logistic.ts');
const { balancedSampleWeights } = await load('/src/lib/eval/imbalance.ts');
const { mulberry32 } = await load('/src/lib/core/rng.ts');
const { normalSampler } = await load('/src/lib/math/random.ts');

const loadBefore = os.loadavg().map((x) => round(x, 2));
const figures = {};
figures.leakageLogisticMs = await time(() => simulateLeakage(LEAKAGE_SIM_DEFAULTS));
figures.leakageKnnMs = await time(() => simulateLeakage({ ...LEAKAGE_SIM_DEFAULTS, model: 'knn', leakDuplicates: 1 }), 1);
figures.samplingMs = await time(() => simulateSampling(SAMPLING_SIM_DEFAULTS));

// 20,000 rows, 6 features, 1% positives: the sampling lab's imbalance problem size.
const n = 20000, d = 6;
const rng = mulberry32(11);
const normal = normalSampler(rng);
const X = new Float64Array(n * d);
const y = new Float64Array(n);
for (let i = 0; i < n; i++) {
  y[i] = rng() < 0.01 ? 1 : 0;
  for (let j = 0; j < d; j++) X[i * d + j] = normal() + y[i] * (1.5 - 0.2 * j);
}
const w = balancedSampleWeights(y);
let model;
figures.weightedLogisticMs = await time(() => { model = trainLogistic({ data: X, rows: n, cols: d }, y, { l2: 1, sampleWeight: w }); });

let sklearn = { skipped: '/usr/bin/python3 with scikit-learn not found' };
if (spawnSync('/usr/bin/python3', ['-c', 'import sklearn'], { encoding: 'utf8' }).status === 0) {
  const dir = await mkdtemp(`${os.tmpdir()}/prodlab-data-labs-`);
  try {
    await writeFile(`${dir}/X.f64`, Buffer.from(X.buffer));
    await writeFile(`${dir}/y.f64`, Buffer.from(y.buffer));
    sklearn = JSON.parse(execFileSync('/usr/bin/python3', [`${root}bench/imbalance_reference.py`, dir, String(n), String(d), String(REPS)], { encoding: 'utf8' }).trim().split('\n').pop());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
const maxCoefDiff = sklearn.coef ? Math.max(...sklearn.coef.map((c, j) => Math.abs(c - model.weights[j])), Math.abs(sklearn.intercept - model.intercept)) : null;

const report = {
  date: new Date().toISOString(),
  machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version, loadAverage1m5m15m: { before: loadBefore, after: os.loadavg().map((x) => round(x, 2)) } },
  results: {
    leakageLabRunLogisticMs: round(median(figures.leakageLogisticMs)),
    leakageLabRunKnnMs: round(median(figures.leakageKnnMs)),
    samplingLabRunMs: round(median(figures.samplingMs)),
    weightedLogisticFitMs: round(median(figures.weightedLogisticMs), 1),
    sklearnWeightedLogisticFitMs: sklearn.medianMs !== undefined ? round(sklearn.medianMs, 1) : null,
    ratioSklearnOverOurs: sklearn.medianMs !== undefined ? round(sklearn.medianMs / median(figures.weightedLogisticMs), 2) : null,
    maxCoefficientDifference: maxCoefDiff,
    sklearn: sklearn.version ?? sklearn.skipped,
  },
  raw: { ...figures, sklearnMs: sklearn.ms },
};
await mkdir(`${root}bench/results`, { recursive: true });
await writeFile(`${root}bench/results/data-labs.json`, `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report.results, null, 2));
