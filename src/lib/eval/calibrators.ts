/**
 * Post-hoc calibration maps fitted on a calibration split: isotonic regression (any monotone
 * shape) and Platt scaling (a logistic curve in the score). Each returns a plain function
 * score → probability, with its fitted parameters attached for display.
 */
import { sigmoid } from './matrix';
import { EvalInputError, checkBothClasses, checkFinite, checkNonEmpty, checkSameLength, type Labels } from './errors';

export type IsotonicCalibrator = ((score: number) => number) & {
  /** Increasing distinct scores where the fitted step function is known. */
  readonly x: Float64Array;
  /** Non-decreasing calibrated probabilities at x; between them the map is linear, outside it is clipped. */
  readonly y: Float64Array;
};

export type PlattCalibrator = ((score: number) => number) & {
  /** Slope: p = 1 / (1 + exp(−(a·score + b))). (sklearn's _sigmoid_calibration reports A = −a, B = −b.) */
  readonly a: number;
  /** Intercept. */
  readonly b: number;
};

export interface PlattOptions {
  /**
   * 'platt': fit to Platt's smoothed targets (N₊+1)/(N₊+2) for positives and 1/(N₋+2) for negatives,
   * as Platt (1999) and sklearn's CalibratedClassifierCV(method='sigmoid'); stays finite on separable data.
   * 'hard': fit to the 0/1 labels, plain maximum-likelihood logistic regression on the score.
   */
  targets?: 'platt' | 'hard';
  /** Newton iterations allowed before giving up. */
  maxIter?: number;
}

const PLATT_DEFAULTS: Required<PlattOptions> = { targets: 'platt', maxIter: 100 };

function checkFitInputs(scores: ArrayLike<number>, yTrue: Labels): void {
  checkNonEmpty('scores', scores);
  checkSameLength(['scores', 'yTrue'], [scores, yTrue]);
  checkFinite('scores', scores);
  checkBothClasses('yTrue', yTrue);
}

function checkScore(s: number): void {
  if (Number.isNaN(s)) throw new EvalInputError('score is NaN; a calibrator maps numbers to probabilities.');
}

/**
 * Isotonic calibration, as sklearn's IsotonicRegression(out_of_bounds='clip'): labels of tied
 * scores are averaged first, then pool adjacent violators merges neighbouring blocks until
 * block means are non-decreasing. Prediction interpolates linearly between fitted points.
 */
export function isotonicCalibration(scores: ArrayLike<number>, yTrue: Labels): IsotonicCalibrator {
  checkFitInputs(scores, yTrue);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((i, j) => scores[i] - scores[j]);
  const ux: number[] = [];
  const uy: number[] = [];
  const uw: number[] = [];
  for (const i of order) {
    const last = ux.length - 1;
    if (last >= 0 && ux[last] === scores[i]) {
      uy[last] += yTrue[i];
      uw[last]++;
    } else {
      ux.push(scores[i]);
      uy.push(yTrue[i]);
      uw.push(1);
    }
  }
  // Pool adjacent violators over blocks (mean, weight, number of distinct scores covered).
  const mean: number[] = [];
  const weight: number[] = [];
  const span: number[] = [];
  for (let k = 0; k < ux.length; k++) {
    let m = uy[k] / uw[k];
    let w = uw[k];
    let c = 1;
    while (mean.length > 0 && mean[mean.length - 1] >= m) {
      const pw = weight.pop() as number;
      const pm = mean.pop() as number;
      m = (pm * pw + m * w) / (pw + w);
      w += pw;
      c += span.pop() as number;
    }
    mean.push(m);
    weight.push(w);
    span.push(c);
  }
  const x = Float64Array.from(ux);
  const y = new Float64Array(ux.length);
  for (let blk = 0, k = 0; blk < mean.length; blk++) for (let c = 0; c < span[blk]; c++) y[k++] = mean[blk];

  const f = (s: number): number => {
    checkScore(s);
    const last = x.length - 1;
    if (s <= x[0]) return y[0];
    if (s >= x[last]) return y[last];
    let lo = 0;
    let hi = last;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (x[mid] <= s) lo = mid;
      else hi = mid;
    }
    return y[lo] + ((s - x[lo]) * (y[hi] - y[lo])) / (x[hi] - x[lo]);
  };
  return Object.assign(f, { x, y });
}

/** log(1 + eᶻ) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * Platt scaling: p = σ(a·s + b) fitted by Newton's method (IRLS) on the cross-entropy
 * Σ t·log(1 + e^−z) + (1 − t)·log(1 + e^z), z = a·s + b, with step halving when the loss rises.
 * Scores are standardised inside the fit for conditioning; a and b are reported on the original scale.
 */
export function plattCalibration(scores: ArrayLike<number>, yTrue: Labels, options: PlattOptions = {}): PlattCalibrator {
  const { targets, maxIter } = { ...PLATT_DEFAULTS, ...options };
  checkFitInputs(scores, yTrue);
  const n = scores.length;
  let nPos = 0;
  let mu = 0;
  for (let i = 0; i < n; i++) {
    nPos += yTrue[i];
    mu += scores[i];
  }
  const nNeg = n - nPos;
  mu /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (scores[i] - mu) ** 2;
  const sd = Math.sqrt(v / n);

  const tPos = targets === 'platt' ? (nPos + 1) / (nPos + 2) : 1;
  const tNeg = targets === 'platt' ? 1 / (nNeg + 2) : 0;
  const t = Float64Array.from({ length: n }, (_, i) => (yTrue[i] === 1 ? tPos : tNeg));
  const meanT = (nPos * tPos + nNeg * tNeg) / n;
  if (sd === 0) return makePlatt(0, Math.log(meanT / (1 - meanT)));
  if (targets === 'hard') checkOverlap(scores, yTrue);

  const s = Float64Array.from(scores, (x) => (x - mu) / sd);
  const loss = (a: number, b: number) => {
    let l = 0;
    for (let i = 0; i < n; i++) {
      const z = a * s[i] + b;
      l += t[i] * softplus(-z) + (1 - t[i]) * softplus(z);
    }
    return l;
  };
  // Start at the base rate, as Platt does.
  let a = 0;
  let b = Math.log((nPos + 1) / (nNeg + 1));
  let current = loss(a, b);
  let converged = false;
  for (let iter = 0; iter < maxIter && !converged; iter++) {
    let ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(a * s[i] + b);
      const r = p - t[i];
      const w = p * (1 - p);
      ga += r * s[i];
      gb += r;
      haa += w * s[i] * s[i];
      hab += w * s[i];
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    let step = 1;
    let next = loss(a - da, b - db);
    while (next > current && step > 1e-10) {
      step /= 2;
      next = loss(a - step * da, b - step * db);
    }
    a -= step * da;
    b -= step * db;
    current = Math.min(current, next);
    converged = Math.abs(step * da) + Math.abs(step * db) < 1e-13 * (1 + Math.abs(a) + Math.abs(b));
  }
  if (!converged) {
    throw new EvalInputError(
      `Platt scaling did not converge in ${maxIter} Newton steps; the classes are nearly separable by score. Use targets: 'platt'.`,
    );
  }
  return makePlatt(a / sd, b - (a * mu) / sd);
}

/** With 0/1 targets the maximum-likelihood slope is infinite when a threshold separates the classes. */
function checkOverlap(scores: ArrayLike<number>, yTrue: Labels): void {
  let minPos = Infinity, maxPos = -Infinity, minNeg = Infinity, maxNeg = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    if (yTrue[i] === 1) {
      minPos = Math.min(minPos, scores[i]);
      maxPos = Math.max(maxPos, scores[i]);
    } else {
      minNeg = Math.min(minNeg, scores[i]);
      maxNeg = Math.max(maxNeg, scores[i]);
    }
  }
  if (maxNeg <= minPos || maxPos <= minNeg) {
    throw new EvalInputError(
      "Platt scaling with targets: 'hard' has no finite fit: a threshold on the score separates the classes. Use targets: 'platt'.",
    );
  }
}

function makePlatt(a: number, b: number): PlattCalibrator {
  const f = (s: number): number => {
    checkScore(s);
    return sigmoid(a * s + b);
  };
  return Object.assign(f, { a, b });
}
