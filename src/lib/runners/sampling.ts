/**
 * The sampling lab's run, for the simulation worker.
 *
 * Part 1, estimates over repeated draws: a population of customers (segment, visits, yearly
 * spend, arriving as a stream ordered by signup, where early customers spend more), and the mean
 * spend estimated `draws` times by each sampler. Bias, variance and RMSE per sampler.
 *
 * Part 2, a rare-positive problem: Gaussian classes at a positive rate the learner sets, a
 * logistic model fitted six ways (as is, undersampled, oversampled, SMOTE, class weights, focal
 * loss) and compared on an untouched test set by precision, recall, F1 at 0.5, PR-AUC and ROC-AUC
 * (accuracy shown too, to see how little it says).
 */
import type { Field } from '../core/fields';
import { deriveSeed, mulberry32, type Rng } from '../core/rng';
import { normalSampler } from '../math/random';
import { averagePrecision, prCurve, rocAuc } from '../eval/curves';
import { trainLogistic } from '../math/logistic';
import type { Matrix } from '../eval/matrix';
import { quietContext, type TaskContext, runStage } from '../core/task';
import {
  estimateStats, horvitzThompsonTotal, importanceEstimate, inclusionProbabilities, poissonSample, reservoirSample, sampleWithReplacement,
  simpleRandomSample, stratifiedSample, type EstimateStats,
} from '../data/sampling';
import { balancedSampleWeights, randomOversample, randomUndersample, smote, thresholdMetrics, trainFocalLogistic, type ThresholdMetrics } from '../eval/imbalance';

export interface SamplingSimSettings {
  seed: number;
  population: number;
  sampleSize: number;
  draws: number;
  positiveRate: number;
  trainRows: number;
  separation: number;
  smoteK: number;
  focalGamma: number;
}

export const SAMPLING_SIM_DEFAULTS: SamplingSimSettings = {
  seed: 1, population: 5000, sampleSize: 100, draws: 1000, positiveRate: 0.01, trainRows: 20000, separation: 1.5, smoteK: 5, focalGamma: 2,
};

export const SAMPLERS = ['simple random', 'stratified', 'weighted (HT)', 'reservoir', 'importance (SN)', 'first n (convenience)'] as const;
export const METHODS = ['as is', 'undersample', 'oversample', 'SMOTE', 'class weights', 'focal loss'] as const;
export const SEGMENT_NAMES = ['budget', 'regular', 'premium'] as const;

export function validateSamplingSim(s: SamplingSimSettings): void {
  const int = (k: keyof SamplingSimSettings, lo: number, hi: number) => {
    const v = s[k];
    if (!(Number.isInteger(v) && v >= lo && v <= hi)) throw new RangeError(`${k} must be a whole number in [${lo}, ${hi.toLocaleString('en')}], got ${v}`);
  };
  int('seed', 0, 4294967295);
  int('population', 100, 200_000);
  int('sampleSize', 5, 10_000);
  if (s.sampleSize > s.population / 2) throw new RangeError(`sampleSize must be at most half the population (${Math.floor(s.population / 2)}), got ${s.sampleSize}`);
  int('draws', 10, 20_000);
  if (s.draws * s.population > 50_000_000) throw new RangeError(`draws × population is ${(s.draws * s.population).toLocaleString('en')}; keep it under 50,000,000 so a run stays under a minute`);
  if (!(s.positiveRate >= 0.001 && s.positiveRate <= 0.5)) throw new RangeError(`positiveRate must lie in [0.001, 0.5], got ${s.positiveRate}`);
  int('trainRows', 500, 100_000);
  if (s.trainRows * s.positiveRate < 10) throw new RangeError(`positiveRate × trainRows gives ${Math.round(s.trainRows * s.positiveRate)} positives; at least 10 are needed`);
  if (!(s.separation >= 0 && s.separation <= 5)) throw new RangeError(`separation must lie in [0, 5], got ${s.separation}`);
  int('smoteK', 1, 50);
  if (!(s.focalGamma >= 0 && s.focalGamma <= 10)) throw new RangeError(`focalGamma must lie in [0, 10], got ${s.focalGamma}`);
}

export interface Population {
  segment: Int32Array;
  visits: Float64Array;
  spend: Float64Array;
}

/** N customers in stream (signup) order: segments 50/35/15%, visits ~ 1 + Poisson, spend ∝ visits, early customers spending up to 1.8×. */
export function makePopulation(N: number, rng: Rng): Population {
  const normal = normalSampler(rng);
  const segment = new Int32Array(N);
  const visits = new Float64Array(N);
  const spend = new Float64Array(N);
  const rate = [4, 8, 16];
  const basket = [20, 45, 110];
  for (let i = 0; i < N; i++) {
    const u = rng();
    const h = u < 0.5 ? 0 : u < 0.85 ? 1 : 2;
    segment[i] = h;
    // Poisson by inversion of exponential gaps (rates are small).
    let k = 0;
    for (let t = -Math.log(1 - rng()); t < rate[h]; t -= Math.log(1 - rng())) k++;
    visits[i] = 1 + k;
    const loyalty = 1 + 0.8 * (1 - i / N);
    spend[i] = Math.round(visits[i] * basket[h] * loyalty * Math.exp(0.35 * normal() - 0.06) * 100) / 100;
  }
  return { segment, visits, spend };
}

export interface ImbalanceMethodResult extends ThresholdMetrics {
  prAuc: number;
  rocAuc: number;
  /** Training rows after resampling, and positives among them. */
  trainRows: number;
  trainPositives: number;
  /** PR curve, thinned to at most 200 points. */
  prRecall: Float64Array;
  prPrecision: Float64Array;
}

export interface SamplingSimResult {
  truth: number;
  samplers: string[];
  /** estimates[s][r]: sampler s, draw r. */
  estimates: Float64Array[];
  stats: EstimateStats[];
  /** Mean realised sample size per sampler (Poisson sampling's varies). */
  meanSize: Float64Array;
  population: Population;
  /** Units drawn in the first few draws, for SQL: draw, sampler index, unit, design weight. */
  samples: { draw: Int32Array; sampler: Int32Array; unit: Int32Array; weight: Float64Array };
  methods: string[];
  imbalance: ImbalanceMethodResult[];
  testRows: number;
  testPositives: number;
}

/** Draws kept for the SQL table. */
const KEEP_DRAWS = 20;

function thin(x: Float64Array, y: Float64Array, max = 200): { x: Float64Array; y: Float64Array } {
  if (x.length <= max) return { x, y };
  const idx = Array.from({ length: max }, (_, k) => Math.round((k * (x.length - 1)) / (max - 1)));
  return { x: Float64Array.from(idx, (i) => x[i]), y: Float64Array.from(idx, (i) => y[i]) };
}

/** Two Gaussian classes in 6 dimensions; positives shifted by `separation` along a fixed direction, with a second, smaller positive cluster. */
function makeRare(n: number, rate: number, separation: number, rng: Rng): { X: Matrix; y: Float64Array } {
  const normal = normalSampler(rng);
  const d = 6;
  const dir = [1, 0.8, 0.6, 0.4, 0.2, 0];
  const norm = Math.hypot(...dir);
  const data = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const pos = rng() < rate ? 1 : 0;
    y[i] = pos;
    const alt = pos && rng() < 0.3;
    for (let j = 0; j < d; j++) {
      const shift = pos ? (alt ? (j === 5 ? separation * 1.5 : 0) : (separation * dir[j]) / norm * 1.6) : 0;
      data[i * d + j] = normal() + shift;
    }
  }
  return { X: { data, rows: n, cols: d }, y };
}

export async function simulateSampling(s: SamplingSimSettings, ctx: TaskContext = quietContext): Promise<SamplingSimResult> {
  validateSamplingSim(s);
  const pop = makePopulation(s.population, mulberry32(deriveSeed(s.seed, 1)));
  const N = s.population;
  const n = s.sampleSize;
  const truth = pop.spend.reduce((a, b) => a + b, 0) / N;
  const pi = inclusionProbabilities(pop.visits, n);
  const units = Array.from({ length: N }, (_, i) => i);
  const estimates = SAMPLERS.map(() => new Float64Array(s.draws));
  const sizes = new Float64Array(SAMPLERS.length);
  const keep = { draw: [] as number[], sampler: [] as number[], unit: [] as number[], weight: [] as number[] };
  const record = (r: number, k: number, idx: ArrayLike<number>, w: (j: number) => number) => {
    sizes[k] += idx.length / s.draws;
    if (r >= KEEP_DRAWS) return;
    for (let j = 0; j < idx.length; j++) {
      keep.draw.push(r);
      keep.sampler.push(k);
      keep.unit.push(idx[j]);
      keep.weight.push(w(j));
    }
  };
  const rng = mulberry32(deriveSeed(s.seed, 2));
  const steps = s.draws + METHODS.length;
  for (let r = 0; r < s.draws; r++) {
    // 0: simple random sample, mean.
    const srs = simpleRandomSample(N, n, rng);
    let t = 0;
    for (const i of srs) t += pop.spend[i];
    estimates[0][r] = t / n;
    record(r, 0, srs, () => N / n);
    // 1: stratified by segment, Σ (N_h/n_h)·y / N.
    const st = stratifiedSample(pop.segment, n, rng);
    t = 0;
    for (let j = 0; j < st.indices.length; j++) t += st.weights[j] * pop.spend[st.indices[j]];
    estimates[1][r] = t / N;
    record(r, 1, st.indices, (j) => st.weights[j]);
    // 2: Poisson sampling with π ∝ visits, Horvitz–Thompson.
    const ps = poissonSample(pi, rng);
    estimates[2][r] = horvitzThompsonTotal(pop.spend, pi, ps) / N;
    record(r, 2, ps, (j) => 1 / pi[ps[j]]);
    // 3: Algorithm R over the signup-ordered stream.
    const res = reservoirSample(units, n, rng);
    t = 0;
    for (const i of res) t += pop.spend[i];
    estimates[3][r] = t / n;
    record(r, 3, res, () => N / n);
    // 4: n draws with replacement from q ∝ visits, weights p/q ∝ 1/visits, self-normalised.
    const is = sampleWithReplacement(pop.visits, n, rng);
    const e = importanceEstimate(Array.from(is, (i) => pop.spend[i]), Array.from(is, (i) => 1 / pop.visits[i]));
    estimates[4][r] = e.selfNormalised;
    record(r, 4, is, (j) => 1 / pop.visits[is[j]]);
    // 5: the first n customers of the stream (what a hurried analyst takes).
    t = 0;
    for (let i = 0; i < n; i++) t += pop.spend[i];
    estimates[5][r] = t / n;
    record(r, 5, units.slice(0, n), () => N / n);
    if (r % 50 === 49) await ctx.tick((r + 1) / steps);
  }
  const stats = estimates.map((e) => estimateStats(e, truth));

  // Part 2: imbalance.
  const data = makeRare(s.trainRows * 2, s.positiveRate, s.separation, mulberry32(deriveSeed(s.seed, 3)));
  const half = s.trainRows * data.X.cols;
  const Xtr: Matrix = { data: data.X.data.subarray(0, half), rows: s.trainRows, cols: data.X.cols };
  const ytr = data.y.subarray(0, s.trainRows);
  const Xte: Matrix = { data: data.X.data.subarray(half), rows: s.trainRows, cols: data.X.cols };
  const yte = data.y.subarray(s.trainRows);
  let testPositives = 0;
  for (const v of yte) testPositives += v;
  if (testPositives === 0) throw new RangeError('the test set drew no positives; raise positiveRate or trainRows');
  const r2 = mulberry32(deriveSeed(s.seed, 4));
  const imbalance: ImbalanceMethodResult[] = [];
  for (let k = 0; k < METHODS.length; k++) {
    let X = Xtr;
    let y: ArrayLike<number> = ytr;
    let score: Float64Array;
    const method = METHODS[k];
    if (method === 'undersample') ({ X, y } = randomUndersample(Xtr, ytr, 1, r2));
    else if (method === 'oversample') ({ X, y } = randomOversample(Xtr, ytr, 1, r2));
    else if (method === 'SMOTE') ({ X, y } = smote(Xtr, ytr, { k: s.smoteK, ratio: 1 }, r2));
    if (method === 'focal loss') score = trainFocalLogistic(X, y, { gamma: s.focalGamma, alpha: 0.75, l2: 1, iterations: 300, learningRate: 0.05 }).predictProba(Xte);
    else score = trainLogistic(X, y, { l2: 1, sampleWeight: method === 'class weights' ? balancedSampleWeights(y) : undefined }).predictProba(Xte);
    let pos = 0;
    for (let i = 0; i < y.length; i++) pos += y[i];
    const pr = prCurve(yte, score);
    const th = thin(pr.recall, pr.precision);
    imbalance.push({ ...thresholdMetrics(yte, score, 0.5), prAuc: averagePrecision(yte, score), rocAuc: rocAuc(yte, score), trainRows: y.length, trainPositives: pos, prRecall: th.x, prPrecision: th.y });
    await ctx.tick((s.draws + k + 1) / steps);
  }
  return {
    truth,
    samplers: [...SAMPLERS],
    estimates,
    stats,
    meanSize: sizes,
    population: pop,
    samples: { draw: Int32Array.from(keep.draw), sampler: Int32Array.from(keep.sampler), unit: Int32Array.from(keep.unit), weight: Float64Array.from(keep.weight) },
    methods: [...METHODS],
    imbalance,
    testRows: s.trainRows,
    testPositives,
  };
}

/** The lab's defaults. */
export const defaults = SAMPLING_SIM_DEFAULTS;
/** Short keys of the samplers and methods, in the order of SAMPLERS and METHODS. */
export const SAMPLER_KEYS = ['srs', 'stratified', 'ht', 'reservoir', 'importance', 'convenience'] as const;
export const METHOD_KEYS = ['asis', 'under', 'over', 'smote', 'weights', 'focal'] as const;

export const fields: Field[] = [
  { key: 'seed', label: 'Seed', kind: 'number', explain: 'Same seed, same population, same draws, same rare-positive data.', min: 0, max: 4294967295, integer: true },
  { key: 'population', label: 'Population (customers)', kind: 'number', explain: 'Customers in signup order; the quantity estimated is their mean yearly spend.', min: 100, max: 200000, integer: true, group: 'Sampling: estimate the mean spend' },
  { key: 'sampleSize', label: 'Sample size n', kind: 'number', explain: 'Units per sample; variance falls about as 1/n, bias does not fall at all.', min: 5, max: 10000, integer: true },
  { key: 'draws', label: 'Repeated draws', kind: 'number', explain: 'How many samples each sampler draws; their spread is the estimator’s variance.', min: 10, max: 20000, integer: true },
  { key: 'positiveRate', label: 'Positive rate', kind: 'number', explain: 'Share of positives in train and test: at 1% a model that says “no” to all is 99% accurate.', min: 0.001, max: 0.5, group: 'Imbalance: a rare-positive classifier' },
  { key: 'trainRows', label: 'Training rows', kind: 'number', explain: 'Rows in the training set (the test set has as many, never resampled).', min: 500, max: 100000, integer: true },
  { key: 'separation', label: 'Class separation', kind: 'number', explain: 'How far positives sit from negatives: 0 is no signal, 3 is easy.', min: 0, max: 5 },
  { key: 'smoteK', label: 'SMOTE neighbours k', kind: 'number', explain: 'Synthetic positives lie between a positive and one of its k nearest positives.', min: 1, max: 50, integer: true },
  { key: 'focalGamma', label: 'Focal γ', kind: 'number', explain: 'How hard focal loss down-weights easy, confident examples; 0 is cross-entropy.', min: 0, max: 10 },
];

/** Cross-field rules beyond each field's bounds. */
export const validate = (s: SamplingSimSettings): void => validateSamplingSim(s);

export const run = runStage('drawing samples and fitting the imbalance models', simulateSampling);

/** The few numbers kept with a saved run: what the run table, exercises and summary read. */
export interface SamplingDigest {
  [key: string]: number;
}

export function digest(r: SamplingSimResult): SamplingDigest {
  const d: SamplingDigest = { truth: r.truth, testPositives: r.testPositives };
  SAMPLER_KEYS.forEach((k, i) => {
    d[`bias_${k}`] = r.stats[i].bias;
    d[`var_${k}`] = r.stats[i].variance;
    d[`rmse_${k}`] = r.stats[i].rmse;
  });
  METHOD_KEYS.forEach((k, i) => {
    const m = r.imbalance[i];
    d[`precision_${k}`] = m.precision;
    d[`recall_${k}`] = m.recall;
    d[`f1_${k}`] = m.f1;
    d[`prauc_${k}`] = m.prAuc;
    d[`accuracy_${k}`] = m.accuracy;
  });
  return d;
}
