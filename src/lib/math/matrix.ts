/** A dense row-major matrix: what model-agnostic explainers pass to a model's predict function. */
import { EvalInputError, checkFinite } from './errors';

/** rows × cols numbers, row-major: entry (i, j) is data[i * cols + j]. Transferable between workers as is. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** X·w + b for every row of X: a linear model's decision values. */
export function linearDecision(X: Matrix, weights: ArrayLike<number>, intercept: number): Float64Array {
  const out = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    let v = intercept;
    for (let j = 0; j < X.cols; j++) v += X.data[i * X.cols + j] * weights[j];
    out[i] = v;
  }
  return out;
}

/** At least one row and one column, rows × cols values, all finite. */
export function checkMatrix(name: string, X: Matrix): void {
  if (!Number.isInteger(X.rows) || !Number.isInteger(X.cols) || X.rows < 1 || X.cols < 1) {
    throw new EvalInputError(`${name} is ${X.rows}×${X.cols}; it needs at least one row and one column.`);
  }
  if (X.data.length !== X.rows * X.cols) {
    throw new EvalInputError(`${name}.data has ${X.data.length} values but rows × cols = ${X.rows * X.cols}.`);
  }
  checkFinite(`${name}.data`, X.data);
}
