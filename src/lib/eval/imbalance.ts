/**
 * Tools for a rare-positive problem: resampling the training set (random under- and oversampling,
 * SMOTE), weighting it (class weights), or changing the loss (focal loss). All take a seeded Rng
 * and leave the test set alone: resampling is for fitting, never for measuring.
 *
 * SMOTE (Chawla et al. 2002): for a minority point x, pick one of its k nearest minority
 * neighbours x′ and add x + λ·(x′ − x), λ ~ U(0, 1): a point on the segment between them.
 *
 * Focal loss (Lin et al. 2017) for p = σ(z), p_t = p if y = 1 else 1 − p, α_t = α if y = 1 else 1 − α:
 *   FL = −α_t·(1 − p_t)^γ·ln p_t.
 * γ = 0 with α = ½ is half the cross-entropy; we report α_t-weighted FL with α = −1 meaning "no α"
 * (α_t = 1), so γ = 0 gives the cross-entropy exactly. Its derivative in z, with s = +1 for y = 1
 * and −1 for y = 0 (so dp_t/dz = s·p_t·(1 − p_t)):
 *   dFL/dz = α_t·s·(1 − p_t)^γ·(γ·p_t·ln p_t − (1 − p_t)).
 */
import type { Rng } from '../core/rng';
import { linearDecision, sigmoid, type Matrix } from './matrix';
import { confusionMatrixAt, type ConfusionMatrix } from './threshold';
import { SamplingError, simpleRandomSample } from '../data/sampling';
import { KnnIndex } from '../data/knn';

function classIndices(y: ArrayLike<number>): { pos: number[]; neg: number[] } {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 1) pos.push(i);
    else if (y[i] === 0) neg.push(i);
    else throw new SamplingError(`y[${i}] is ${y[i]}; labels must be 0 or 1`);
  }
  if (!pos.length || !neg.length) throw new SamplingError('the training set needs both classes');
  return { pos, neg };
}

/** Rows of X at the given indices. */
export function takeRows(X: Matrix, idx: ArrayLike<number>): Matrix {
  const out = new Float64Array(idx.length * X.cols);
  for (let k = 0; k < idx.length; k++) out.set(X.data.subarray(idx[k] * X.cols, (idx[k] + 1) * X.cols), k * X.cols);
  return { data: out, rows: idx.length, cols: X.cols };
}

export interface Resampled {
  X: Matrix;
  y: Float64Array;
}

/** Keep every positive and a random subset of negatives so that negatives = ratio × positives (ratio ≥ 1). */
export function randomUndersample(X: Matrix, y: ArrayLike<number>, ratio: number, rng: Rng): Resampled {
  const { pos, neg } = classIndices(y);
  if (!(ratio > 0)) throw new SamplingError(`ratio must be positive, got ${ratio}`);
  const keep = Math.min(neg.length, Math.max(1, Math.round(ratio * pos.length)));
  const pick = simpleRandomSample(neg.length, keep, rng);
  const idx = [...pos, ...Array.from(pick, (j) => neg[j])];
  return { X: takeRows(X, idx), y: Float64Array.from(idx, (i) => y[i]) };
}

/** Repeat positives, drawn with replacement, until positives = negatives / ratio. */
export function randomOversample(X: Matrix, y: ArrayLike<number>, ratio: number, rng: Rng): Resampled {
  const { pos, neg } = classIndices(y);
  if (!(ratio > 0)) throw new SamplingError(`ratio must be positive, got ${ratio}`);
  const target = Math.max(pos.length, Math.round(neg.length / ratio));
  const idx = [...neg, ...pos];
  for (let k = pos.length; k < target; k++) idx.push(pos[Math.floor(rng() * pos.length)]);
  return { X: takeRows(X, idx), y: Float64Array.from(idx, (i) => y[i]) };
}

export interface SmoteResult extends Resampled {
  /** For each synthetic row (appended after the originals): its seed point, the neighbour and λ. */
  synthetic: { from: Int32Array; to: Int32Array; lambda: Float64Array };
}

/** The k nearest rows of `among` to `among[a]` (squared Euclidean, itself excluded), by a k-d tree built once; computed when first asked. */
function nearestWithin(X: Matrix, among: number[], k: number): (a: number) => Int32Array {
  const sub = takeRows(X, among);
  const index = new KnnIndex(sub);
  const cache = new Map<number, Int32Array>();
  return (a) => {
    let nn = cache.get(a);
    if (!nn) {
      nn = Int32Array.from(Array.from(index.query(sub, a, k + 1)).filter((b) => b !== a).slice(0, k), (b) => among[b]);
      cache.set(a, nn);
    }
    return nn;
  };
}

/**
 * SMOTE: add synthetic positives until positives = negatives / ratio. Each comes from a positive
 * drawn in turn (round-robin from a random start) and one of its k nearest positive neighbours.
 */
export function smote(X: Matrix, y: ArrayLike<number>, options: { k?: number; ratio?: number }, rng: Rng): SmoteResult {
  const { pos, neg } = classIndices(y);
  const ratio = options.ratio ?? 1;
  if (!(ratio > 0)) throw new SamplingError(`ratio must be positive, got ${ratio}`);
  if (pos.length < 2) throw new SamplingError('SMOTE needs at least 2 positives to interpolate between');
  const k = Math.min(options.k ?? 5, pos.length - 1);
  if (!(Number.isInteger(k) && k >= 1)) throw new SamplingError(`k must be a whole number ≥ 1, got ${options.k}`);
  const nn = nearestWithin(X, pos, k);
  const extra = Math.max(0, Math.round(neg.length / ratio) - pos.length);
  const m = X.cols;
  const data = new Float64Array((X.rows + extra) * m);
  data.set(X.data);
  const yy = new Float64Array(X.rows + extra);
  for (let i = 0; i < X.rows; i++) yy[i] = y[i];
  const from = new Int32Array(extra);
  const to = new Int32Array(extra);
  const lambda = new Float64Array(extra);
  const start = Math.floor(rng() * pos.length);
  for (let e = 0; e < extra; e++) {
    const a = (start + e) % pos.length;
    const i = pos[a];
    const near = nn(a);
    const j = near[Math.floor(rng() * near.length)];
    const l = rng();
    const row = (X.rows + e) * m;
    for (let c = 0; c < m; c++) data[row + c] = X.data[i * m + c] + l * (X.data[j * m + c] - X.data[i * m + c]);
    yy[X.rows + e] = 1;
    from[e] = i;
    to[e] = j;
    lambda[e] = l;
  }
  return { X: { data, rows: X.rows + extra, cols: m }, y: yy, synthetic: { from, to, lambda } };
}

/** sklearn's class_weight='balanced': w_c = n / (2·n_c), as a weight per row. */
export function balancedSampleWeights(y: ArrayLike<number>): Float64Array {
  const { pos, neg } = classIndices(y);
  const n = y.length;
  const wp = n / (2 * pos.length);
  const wn = n / (2 * neg.length);
  return Float64Array.from({ length: n }, (_, i) => (y[i] === 1 ? wp : wn));
}

/** ln σ(z) without overflow. */
const logSigmoid = (z: number) => (z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z)));

export interface FocalOptions {
  /** Focusing parameter γ ≥ 0: how much confident, correct examples are down-weighted. 0 = cross-entropy. */
  gamma: number;
  /** Weight of the positive class α in (0, 1); omit for none (α_t = 1). */
  alpha?: number;
}

/** Focal loss of one example with logit z and label y, and its derivative in z. */
export function focalLoss(z: number, y: number, o: FocalOptions): { loss: number; grad: number } {
  if (!(o.gamma >= 0)) throw new SamplingError(`gamma must be ≥ 0, got ${o.gamma}`);
  const s = y === 1 ? 1 : -1;
  const logPt = logSigmoid(s * z);
  const q = y === 1 ? sigmoid(-z) : sigmoid(z); // 1 − p_t, computed without cancellation
  const at = o.alpha === undefined ? 1 : y === 1 ? o.alpha : 1 - o.alpha;
  const mod = o.gamma === 0 ? 1 : q ** o.gamma;
  return { loss: -at * mod * logPt, grad: focalGrad(z, y, o.gamma, o.alpha) };
}

/**
 * dFL/dz alone, allocation-free, for the training loop. With u = s·z and e = exp(−|u|), one exp and
 * one log1p give p_t = σ(u), 1 − p_t = σ(−u) and ln p_t; whole γ uses repeated products.
 */
function focalGrad(z: number, y: number, gamma: number, alpha: number | undefined): number {
  const s = y === 1 ? 1 : -1;
  const u = s * z;
  const e = Math.exp(-Math.abs(u));
  const pt = u >= 0 ? 1 / (1 + e) : e / (1 + e);
  const q = u >= 0 ? e / (1 + e) : 1 / (1 + e);
  const logPt = u >= 0 ? -Math.log1p(e) : u - Math.log1p(e);
  const at = alpha === undefined ? 1 : y === 1 ? alpha : 1 - alpha;
  let mod = 1;
  if (Number.isInteger(gamma) && gamma <= 8) for (let k = 0; k < gamma; k++) mod *= q;
  else mod = q ** gamma;
  return at * s * mod * (gamma * pt * logPt - q);
}

export interface FocalFitOptions extends FocalOptions {
  /** L2 penalty on the weights (sum over rows of the loss + l2/2·‖w‖²), as in trainLogistic. */
  l2?: number;
  /** Full-batch Adam steps. */
  iterations?: number;
  learningRate?: number;
}

export interface LinearModel {
  weights: Float64Array;
  intercept: number;
  /** Mean focal loss at the end. */
  loss: number;
  decision(X: Matrix): Float64Array;
  predictProba(X: Matrix): Float64Array;
}

export function linearModel(weights: Float64Array, intercept: number, loss = NaN): LinearModel {
  const decision = (X: Matrix) => linearDecision(X, weights, intercept);
  return { weights, intercept, loss, decision, predictProba: (X) => decision(X).map(sigmoid) };
}

/** Logistic model trained on the focal loss by full-batch Adam (the loss is not convex for γ > 0, so no Newton). */
export function trainFocalLogistic(X: Matrix, y: ArrayLike<number>, o: FocalFitOptions): LinearModel {
  classIndices(y);
  const { rows: n, cols: m } = X;
  const l2 = o.l2 ?? 1;
  const T = o.iterations ?? 300;
  const lr = o.learningRate ?? 0.1;
  const th = new Float64Array(m + 1);
  let ones = 0;
  for (let i = 0; i < n; i++) ones += y[i];
  th[m] = Math.log(ones / (n - ones));
  const mom = new Float64Array(m + 1);
  const vel = new Float64Array(m + 1);
  const g = new Float64Array(m + 1);
  if (!(o.gamma >= 0)) throw new SamplingError(`gamma must be ≥ 0, got ${o.gamma}`);
  for (let t = 1; t <= T; t++) {
    g.fill(0);
    for (let i = 0; i < n; i++) {
      let z = th[m];
      for (let j = 0; j < m; j++) z += X.data[i * m + j] * th[j];
      const gi = focalGrad(z, y[i], o.gamma, o.alpha);
      for (let j = 0; j < m; j++) g[j] += gi * X.data[i * m + j];
      g[m] += gi;
    }
    for (let j = 0; j < m; j++) g[j] += l2 * th[j];
    // Adam on the mean gradient (scale-free in n).
    for (let j = 0; j <= m; j++) {
      const gj = g[j] / n;
      mom[j] = 0.9 * mom[j] + 0.1 * gj;
      vel[j] = 0.999 * vel[j] + 0.001 * gj * gj;
      th[j] -= (lr * (mom[j] / (1 - 0.9 ** t))) / (Math.sqrt(vel[j] / (1 - 0.999 ** t)) + 1e-8);
    }
  }
  const model = linearModel(th.slice(0, m), th[m]);
  const z = model.decision(X);
  let loss = 0;
  for (let i = 0; i < n; i++) loss += focalLoss(z[i], y[i], o).loss;
  model.loss = loss / n;
  return model;
}

export interface ThresholdMetrics extends ConfusionMatrix {
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
}

/** Precision, recall, F1 and accuracy from the confusion matrix at a threshold (score ≥ threshold is flagged); precision is 0 when nothing is flagged. */
export function thresholdMetrics(y: ArrayLike<number>, score: ArrayLike<number>, threshold = 0.5): ThresholdMetrics {
  const cm = confusionMatrixAt(y, score, threshold);
  const precision = cm.tp + cm.fp ? cm.tp / (cm.tp + cm.fp) : 0;
  const recall = cm.tp + cm.fn ? cm.tp / (cm.tp + cm.fn) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { ...cm, precision, recall, f1, accuracy: (cm.tp + cm.tn) / y.length };
}
