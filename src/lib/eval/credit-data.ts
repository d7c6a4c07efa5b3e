/**
 * A seeded, credit-style tabular data set whose every bias has a known cause. Applicants in the two
 * groups of the protected attribute have the same distribution of legitimate features, so their true
 * default rates are equal by construction; any gap a metric finds comes from one of three switches:
 *   - labelBias: a fraction of group-1 applicants who in truth repaid are recorded as defaults
 *     (historical decisions written into the labels);
 *   - labelNoise: a fraction of all recorded labels flipped at random (clerical error);
 *   - proxyStrength: how strongly the "neighbourhood" feature reveals the group. It carries no
 *     information about repayment beyond the group itself.
 * The true probability, the clean label and which rows were biased or flipped are kept, so a lab
 * can compare what a model learnt with what is true.
 *
 * Label y = 1 means "defaulted" (the event a credit model flags). Approval is ŷ = 0.
 */
import { EvalInputError } from './errors';
import { sigmoid, type Matrix } from './matrix';
import { deriveSeed, mulberry32, type Rng } from '../core/rng';
import { gaussian } from '../math/random';

/** Column order of CreditData.X. */
export const CREDIT_FEATURES = [
  'income',
  'debtRatio',
  'creditYears',
  'latePayments',
  'loanAmount',
  'employmentYears',
  'neighbourhood',
  'group',
] as const;
export type CreditFeature = (typeof CREDIT_FEATURES)[number];

/** Units and meaning, for tables and the model card. */
export const CREDIT_FEATURE_INFO: Record<CreditFeature, string> = {
  income: 'yearly income, thousands',
  debtRatio: 'monthly debt payments / income',
  creditYears: 'years since first credit line',
  latePayments: 'late payments in the last 2 years',
  loanAmount: 'amount asked for, thousands',
  employmentYears: 'years with current employer',
  neighbourhood: 'neighbourhood score 0–1 (a proxy for group; no effect on repayment)',
  group: 'protected attribute (0 or 1)',
};

export interface CreditOptions {
  /** Applicants generated. */
  n?: number;
  /** Seeds everything; same options and seed, same data on every engine. */
  seed?: number;
  /** Share of applicants in group 1. */
  groupShare?: number;
  /** Mean true default probability, hit by solving for the intercept. */
  defaultRate?: number;
  /** Fraction of group-1 true repayers recorded as defaults, in [0, 1). */
  labelBias?: number;
  /** Fraction of recorded labels flipped at random, in [0, 0.5). */
  labelNoise?: number;
  /** 0: neighbourhood independent of group; 1: it nearly reveals the group. */
  proxyStrength?: number;
}

export interface CreditData {
  /** n × 8, columns CREDIT_FEATURES, raw units. */
  X: Matrix;
  /** Recorded labels: the ones a model is trained and scored on. */
  y: Uint8Array;
  /** Clean labels drawn from pTrue, before bias and noise. */
  yTrue: Uint8Array;
  /** The true default probability of each applicant (depends on legitimate features only). */
  pTrue: Float64Array;
  group: Uint8Array;
  /** 1 where labelBias turned a repayer into a recorded default. */
  biased: Uint8Array;
  /** 1 where labelNoise flipped the recorded label. */
  flipped: Uint8Array;
  options: Required<CreditOptions>;
}

export const CREDIT_DEFAULTS: Required<CreditOptions> = {
  n: 4000,
  seed: 1,
  groupShare: 0.4,
  defaultRate: 0.2,
  labelBias: 0.15,
  labelNoise: 0.05,
  proxyStrength: 0.7,
};

/** True log-odds of default per standardised legitimate feature (income and tenure lower risk). */
const TRUE_WEIGHTS = { income: -0.9, debtRatio: 1.1, creditYears: -0.5, latePayments: 0.8, loanAmount: 0.4, employmentYears: -0.3 };

function poisson(lambda: number, rng: Rng): number {
  const l = Math.exp(-lambda);
  let k = 0;
  let p = rng();
  while (p > l) {
    k++;
    p *= rng();
  }
  return k;
}


export function checkCreditOptions(o: Required<CreditOptions>): void {
  const bad = (name: string, v: number, range: string) => new EvalInputError(`${name} is ${v}; it must be ${range}.`);
  if (!Number.isInteger(o.n) || o.n < 200 || o.n > 200_000) throw bad('n', o.n, 'an integer from 200 to 200,000');
  if (!Number.isInteger(o.seed)) throw bad('seed', o.seed, 'an integer');
  if (!(o.groupShare >= 0.05 && o.groupShare <= 0.95)) throw bad('groupShare', o.groupShare, 'between 0.05 and 0.95');
  if (!(o.defaultRate >= 0.01 && o.defaultRate <= 0.6)) throw bad('defaultRate', o.defaultRate, 'between 0.01 and 0.6');
  if (!(o.labelBias >= 0 && o.labelBias < 1)) throw bad('labelBias', o.labelBias, 'in [0, 1)');
  if (!(o.labelNoise >= 0 && o.labelNoise < 0.5)) throw bad('labelNoise', o.labelNoise, 'in [0, 0.5)');
  if (!(o.proxyStrength >= 0 && o.proxyStrength <= 1)) throw bad('proxyStrength', o.proxyStrength, 'between 0 and 1');
}

/** Generate the data set. Each random stream has its own derived seed, so changing labelNoise does not move the features. */
export function makeCreditData(options: CreditOptions = {}): CreditData {
  const o = { ...CREDIT_DEFAULTS, ...options };
  checkCreditOptions(o);
  const { n } = o;
  const cols = CREDIT_FEATURES.length;
  const feat = mulberry32(deriveSeed(o.seed, 1));
  const labelRng = mulberry32(deriveSeed(o.seed, 2));
  const biasRng = mulberry32(deriveSeed(o.seed, 3));
  const noiseRng = mulberry32(deriveSeed(o.seed, 4));

  const data = new Float64Array(n * cols);
  const group = new Uint8Array(n);
  const logit = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = feat() < o.groupShare ? 1 : 0;
    group[i] = g;
    // Legitimate features: identical distributions in both groups.
    const zIncome = gaussian(feat);
    const income = Math.exp(3.9 + 0.45 * zIncome); // median ≈ 49k
    const debtRatio = Math.min(0.95, Math.max(0.01, 0.32 + 0.12 * gaussian(feat) - 0.03 * zIncome));
    const creditYears = Math.max(0, 9 + 6 * gaussian(feat));
    const latePayments = poisson(0.8, feat);
    const loanAmount = Math.max(1, income * (0.25 + 0.15 * feat()));
    const employmentYears = Math.max(0, Math.min(creditYears + 2, 5 + 4 * gaussian(feat)));
    // Proxy: a noisy mix of the group and noise; its correlation with the group grows with proxyStrength.
    const s = o.proxyStrength;
    const neighbourhood = sigmoid(1.5 * s * (2 * g - 1) + gaussian(feat));
    const row = [income, debtRatio, creditYears, latePayments, loanAmount, employmentYears, neighbourhood, g];
    data.set(row, i * cols);
    logit[i] =
      TRUE_WEIGHTS.income * zIncome +
      TRUE_WEIGHTS.debtRatio * ((debtRatio - 0.32) / 0.12) +
      TRUE_WEIGHTS.creditYears * ((creditYears - 9) / 6) +
      TRUE_WEIGHTS.latePayments * (latePayments - 0.8) +
      TRUE_WEIGHTS.loanAmount * ((loanAmount / income - 0.325) / 0.043) +
      TRUE_WEIGHTS.employmentYears * ((employmentYears - 5) / 4);
  }
  const b0 = solveIntercept(logit, o.defaultRate);
  const pTrue = logit.map((z) => sigmoid(z + b0));
  const yTrue = new Uint8Array(n);
  const y = new Uint8Array(n);
  const biased = new Uint8Array(n);
  const flipped = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    yTrue[i] = labelRng() < pTrue[i] ? 1 : 0;
    let yi = yTrue[i];
    if (group[i] === 1 && yi === 0 && biasRng() < o.labelBias) {
      yi = 1;
      biased[i] = 1;
    }
    if (noiseRng() < o.labelNoise) {
      yi = 1 - yi;
      flipped[i] = 1;
    }
    y[i] = yi;
  }
  return { X: { data, rows: n, cols }, y, yTrue, pTrue, group, biased, flipped, options: o };
}

/** The intercept b with mean σ(z + b) = rate, by bisection (the mean is increasing in b). */
function solveIntercept(z: Float64Array, rate: number): number {
  let lo = -20;
  let hi = 20;
  for (let it = 0; it < 80; it++) {
    const mid = (lo + hi) / 2;
    let m = 0;
    for (let i = 0; i < z.length; i++) m += sigmoid(z[i] + mid);
    if (m / z.length < rate) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * FNV-1a over the features rounded to 1e-6 and the labels: the run's data hash. Rounding first
 * because Math.exp, log and cos may differ in the last bit between JavaScript engines (Node's V8
 * and Chromium's did here), and the hash should name the data, not the engine.
 */
export function creditDataHash(d: CreditData): string {
  let h = 0x811c9dc5;
  const mix = (v: number) => {
    for (let k = 0; k < 4; k++) h = Math.imul(h ^ ((v >>> (8 * k)) & 0xff), 0x01000193) >>> 0;
  };
  for (const v of d.X.data) {
    const q = Math.round(v * 1e6);
    mix(q >>> 0);
    mix(Math.floor(q / 4294967296) >>> 0);
  }
  for (const v of d.y) mix(v);
  return h.toString(16).padStart(8, '0');
}

export interface Split {
  train: Int32Array;
  calibration: Int32Array;
  test: Int32Array;
}

/** Seeded disjoint index split with the given fractions (the rest is test). */
export function splitIndices(n: number, seed: number, trainFrac = 0.6, calibrationFrac = 0.2): Split {
  if (!(trainFrac > 0 && calibrationFrac >= 0 && trainFrac + calibrationFrac < 1)) {
    throw new EvalInputError(`split fractions ${trainFrac} + ${calibrationFrac} must be positive and leave room for a test set.`);
  }
  const rng = mulberry32(deriveSeed(seed, 9));
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  const a = Math.round(n * trainFrac);
  const b = a + Math.round(n * calibrationFrac);
  return { train: idx.slice(0, a), calibration: idx.slice(a, b), test: idx.slice(b) };
}

/** Rows idx of X, keeping only the given columns. */
export function selectRows(X: Matrix, idx: ArrayLike<number>, columns?: ArrayLike<number>): Matrix {
  const cs = columns ?? Int32Array.from({ length: X.cols }, (_, j) => j);
  const out = new Float64Array(idx.length * cs.length);
  for (let r = 0; r < idx.length; r++) {
    const base = idx[r] * X.cols;
    for (let c = 0; c < cs.length; c++) out[r * cs.length + c] = X.data[base + cs[c]];
  }
  return { data: out, rows: idx.length, cols: cs.length };
}

/** take(a, idx)[k] = a[idx[k]]. */
export function take<T extends Uint8Array | Float64Array>(a: T, idx: ArrayLike<number>): T {
  const out = new (a.constructor as new (n: number) => T)(idx.length);
  for (let k = 0; k < idx.length; k++) out[k] = a[idx[k]];
  return out;
}
