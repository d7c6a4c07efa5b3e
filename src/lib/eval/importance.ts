/**
 * Permutation importance (Breiman 2001; sklearn.inspection.permutation_importance): how much a
 * score drops when one feature's column is shuffled, breaking its link to the target while
 * keeping its distribution. Model-agnostic: it needs only predict.
 */
import { EvalInputError, checkCount, checkFinite, checkSameLength } from './errors';
import { checkMatrix, predictChecked, type Matrix, type PredictFn } from './matrix';
import { mulberry32, permutation } from '../core/rng';

/** A score where higher is better (accuracy, AUC, −MSE). */
export type MetricFn = (yTrue: ArrayLike<number>, yPred: ArrayLike<number>) => number;

export interface PermutationImportanceOptions {
  /** Shuffles per feature. */
  repeats?: number;
  /** Seeds the shuffles; same seed, same importances. */
  seed?: number;
}

export interface PermutationImportance {
  /** The score on unshuffled data. */
  baseline: number;
  /** Mean over repeats of baseline − shuffled score, per feature. */
  importancesMean: Float64Array;
  /** Population standard deviation (ddof 0, as sklearn) over repeats, per feature. */
  importancesStd: Float64Array;
  /** importances[j][r] = baseline − score with feature j shuffled in repeat r. */
  importances: Float64Array[];
}

const DEFAULTS: Required<PermutationImportanceOptions> = { repeats: 5, seed: 0 };

function score(metric: MetricFn, y: ArrayLike<number>, pred: ArrayLike<number>): number {
  const s = metric(y, pred);
  if (!Number.isFinite(s)) throw new EvalInputError(`metric returned ${s}; it must return a finite number.`);
  return s;
}

/**
 * X is a row-major Matrix; predict receives a Matrix of the same shape. Shuffles come from one
 * mulberry32(seed) stream, feature by feature, repeat by repeat.
 */
export function permutationImportance(
  predict: PredictFn,
  X: Matrix,
  y: ArrayLike<number>,
  metric: MetricFn,
  options: PermutationImportanceOptions = {},
): PermutationImportance {
  const { repeats, seed } = { ...DEFAULTS, ...options };
  checkMatrix('X', X);
  checkSameLength(['X rows', 'y'], [{ length: X.rows }, y]);
  checkFinite('y', y);
  checkCount('repeats', repeats, 1);
  const { rows, cols } = X;
  const baseline = score(metric, y, predictChecked(predict, X));
  const rng = mulberry32(seed);
  const work: Matrix = { data: Float64Array.from(X.data), rows, cols };
  const column = new Float64Array(rows);
  const importances: Float64Array[] = [];
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < rows; i++) column[i] = X.data[i * cols + j];
    const imp = new Float64Array(repeats);
    for (let r = 0; r < repeats; r++) {
      const perm = permutation(rows, rng);
      for (let i = 0; i < rows; i++) work.data[i * cols + j] = column[perm[i]];
      imp[r] = baseline - score(metric, y, predictChecked(predict, work));
    }
    for (let i = 0; i < rows; i++) work.data[i * cols + j] = column[i];
    importances.push(imp);
  }
  const importancesMean = Float64Array.from(importances, (imp) => imp.reduce((a, b) => a + b, 0) / repeats);
  const importancesStd = Float64Array.from(importances, (imp, j) =>
    Math.sqrt(imp.reduce((a, b) => a + (b - importancesMean[j]) ** 2, 0) / repeats),
  );
  return { baseline, importancesMean, importancesStd, importances };
}
