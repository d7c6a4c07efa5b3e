/**
 * Temperature scaling (Guo et al. 2017): divide the logit by one fitted T > 0, p = σ(z / T). T > 1
 * softens an overconfident model, T < 1 sharpens an underconfident one; the ranking (and so the AUC)
 * never changes. For a binary logit this is Platt scaling with the intercept fixed at 0.
 */
import { EvalInputError, checkBothClasses, checkFinite, checkNonEmpty, checkSameLength, type Labels } from './errors';

export type TemperatureCalibrator = ((logit: number) => number) & { readonly temperature: number };

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

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
