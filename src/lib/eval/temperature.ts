/**
 * Temperature scaling (Guo et al. 2017): divide the logit by one fitted T > 0, p = σ(z / T). T > 1
 * softens an overconfident model, T < 1 sharpens an underconfident one; the ranking (and so the AUC)
 * never changes. For a binary logit this is Platt scaling with the intercept fixed at 0.
 */
import { sigmoid } from './matrix';
import { EvalInputError, checkBothClasses, checkFinite, checkNonEmpty, checkSameLength, type Labels } from './errors';

export type TemperatureCalibrator = ((logit: number) => number) & { readonly temperature: number };


/** Fit T by Newton's method on β = 1/T minimising the cross-entropy Σ ℓ(y, σ(β·z)) (convex in β). */
export function temperatureScaling(logits: ArrayLike<number>, yTrue: Labels): TemperatureCalibrator {
  checkNonEmpty('logits', logits);
  checkSameLength(['logits', 'yTrue'], [logits, yTrue]);
  checkFinite('logits', logits);
  checkBothClasses('yTrue', yTrue);
  let beta = 1;
  for (let it = 0; it < 100; it++) {
    let g = 0;
    let h = 0;
    for (let i = 0; i < logits.length; i++) {
      const p = sigmoid(beta * logits[i]);
      g += (p - yTrue[i]) * logits[i];
      h += p * (1 - p) * logits[i] * logits[i];
    }
    if (!(h > 0)) throw new EvalInputError('every logit is 0; temperature scaling has nothing to scale.');
    const step = g / h;
    beta -= step;
    if (!(beta > 0)) throw new EvalInputError('the fitted temperature is not positive: the scores rank the classes backwards.');
    if (Math.abs(step) < 1e-12 * Math.max(1, beta)) break;
  }
  const temperature = 1 / beta;
  const f = (z: number) => {
    if (Number.isNaN(z)) throw new EvalInputError('logit is NaN; temperature scaling maps numbers to probabilities.');
    return sigmoid(z / temperature);
  };
  return Object.assign(f, { temperature });
}

/** Mean negative log-likelihood of softmax(z / T) for n rows of `classes` logits (row-major). */
export function softmaxNll(logits: ArrayLike<number>, classes: number, labels: ArrayLike<number>, temperature = 1): number {
  const n = labels.length;
  let s = 0;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[i * classes + c] / temperature);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[i * classes + c] / temperature - max);
    s += max + Math.log(sum) - logits[i * classes + labels[i]] / temperature;
  }
  return s / n;
}

/**
 * Temperature scaling for a multiclass classifier: the T > 0 minimising the mean NLL of
 * softmax(z / T), by Newton's method on β = 1/T. With p = softmax(βz), d NLL/dβ = mean(E_p[z] − z_y)
 * and d² NLL/dβ² = mean(Var_p[z]) ≥ 0: convex in β, so Newton from β = 1 converges.
 */
export function multiclassTemperature(logits: ArrayLike<number>, classes: number, labels: ArrayLike<number>): number {
  const n = labels.length;
  checkNonEmpty('labels', labels);
  if (logits.length !== n * classes) throw new EvalInputError(`logits has ${logits.length} values; ${n} rows of ${classes} classes need ${n * classes}.`);
  checkFinite('logits', logits);
  let spread = 0;
  for (let i = 0; i < n; i++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let c = 0; c < classes; c++) {
      lo = Math.min(lo, logits[i * classes + c]);
      hi = Math.max(hi, logits[i * classes + c]);
    }
    spread = Math.max(spread, hi - lo);
  }
  if (spread === 0) throw new EvalInputError('all logits are equal within each row; there is nothing to scale.');
  let beta = 1;
  const p = new Float64Array(classes);
  for (let it = 0; it < 100; it++) {
    let g = 0;
    let h = 0;
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let c = 0; c < classes; c++) max = Math.max(max, beta * logits[i * classes + c]);
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += (p[c] = Math.exp(beta * logits[i * classes + c] - max));
      let mean = 0;
      let sq = 0;
      for (let c = 0; c < classes; c++) {
        const z = logits[i * classes + c];
        mean += (p[c] / sum) * z;
        sq += (p[c] / sum) * z * z;
      }
      g += mean - logits[i * classes + labels[i]];
      h += sq - mean * mean;
    }
    if (!(h > 0)) {
      // Every softmax is one-hot in float64: no curvature to step with. Wrong answers at full
      // confidence (g > 0) want a higher temperature; otherwise any larger β is as good.
      if (g > 0) {
        beta /= 2;
        continue;
      }
      break;
    }
    // Newton step, halved while it would make β non-positive.
    let step = g / h;
    while (beta - step <= 0) step /= 2;
    beta -= step;
    if (Math.abs(step) < 1e-12 * Math.max(1, beta)) break;
  }
  return 1 / beta;
}
