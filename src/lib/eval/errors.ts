/** Input checks shared by every metric: each failure is an EvalInputError naming the argument and the fix. */
import { EvalInputError, checkFinite, checkSameLength } from '../math/errors';

export { EvalInputError, checkSameLength, checkFinite } from '../math/errors';

/** A binary label vector: every entry 0 or 1. */
export type Labels = ArrayLike<number>;

export function checkNonEmpty(name: string, a: ArrayLike<unknown>): void {
  if (a.length === 0) throw new EvalInputError(`${name} is empty; at least one value is needed.`);
}

/** Every entry a probability in [0, 1]. */
export function checkProbabilities(name: string, a: ArrayLike<number>): void {
  for (let i = 0; i < a.length; i++) {
    const p = a[i];
    if (!(p >= 0 && p <= 1)) throw new EvalInputError(`${name}[${i}] is ${p}; probabilities must lie in [0, 1].`);
  }
}

/** Every entry 0 or 1. Returns the number of 1s. */
export function checkBinary(name: string, a: Labels): number {
  let ones = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v === 1) ones++;
    else if (v !== 0) throw new EvalInputError(`${name}[${i}] is ${v}; binary labels must be 0 or 1.`);
  }
  return ones;
}

/** Binary labels that contain both classes (ROC AUC, average precision, calibration fits need both). */
export function checkBothClasses(name: string, a: Labels): number {
  const ones = checkBinary(name, a);
  if (ones === 0 || ones === a.length) {
    throw new EvalInputError(
      `${name} holds only class ${ones === 0 ? 0 : 1}; this metric needs both classes (0 and 1) to be present.`,
    );
  }
  return ones;
}

/** The common preamble: non-empty, same length, binary labels and finite scores. Returns the number of positives. */
export function checkLabelsAndScores(yTrue: Labels, scores: ArrayLike<number>, scoreName = 'scores', bothClasses = true): number {
  checkNonEmpty('yTrue', yTrue);
  checkSameLength(['yTrue', scoreName], [yTrue, scores]);
  checkFinite(scoreName, scores);
  return bothClasses ? checkBothClasses('yTrue', yTrue) : checkBinary('yTrue', yTrue);
}

/** Options bag check: an integer count at least `min`. */
export function checkCount(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new EvalInputError(`${name} is ${v}; it must be an integer ≥ ${min}.`);
}
