/** The dense row-major table that model-agnostic explainers pass to a model's predict function. */
import { EvalInputError, checkFinite } from './errors';

/** rows × cols numbers, row-major: entry (i, j) is data[i * cols + j]. Transferable between workers as is. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** A model seen from outside: one prediction (a score, probability or value) per row. */
export type PredictFn = (X: Matrix) => ArrayLike<number>;

/** Build a Matrix from an array of equal-length rows. */
export function matrixFromRows(rowsIn: ArrayLike<number>[]): Matrix {
  const rows = rowsIn.length;
  const cols = rows > 0 ? rowsIn[0].length : 0;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    if (rowsIn[i].length !== cols) throw new EvalInputError(`row ${i} has ${rowsIn[i].length} values but row 0 has ${cols}.`);
    data.set(rowsIn[i], i * cols);
  }
  return { data, rows, cols };
}

export function checkMatrix(name: string, X: Matrix): void {
  if (!Number.isInteger(X.rows) || !Number.isInteger(X.cols) || X.rows < 1 || X.cols < 1) {
    throw new EvalInputError(`${name} is ${X.rows}×${X.cols}; it needs at least one row and one column.`);
  }
  if (X.data.length !== X.rows * X.cols) {
    throw new EvalInputError(`${name}.data has ${X.data.length} values but rows × cols = ${X.rows * X.cols}.`);
  }
  checkFinite(`${name}.data`, X.data);
}

/** Call predict and check it returned one finite number per row. */
export function predictChecked(predict: PredictFn, X: Matrix): ArrayLike<number> {
  const out = predict(X);
  if (out.length !== X.rows) throw new EvalInputError(`predict returned ${out.length} values for ${X.rows} rows.`);
  checkFinite('predict(X)', out);
  return out;
}

/** The logistic function, without overflow for large |z| (e^z is only taken for z < 0). */
export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

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
