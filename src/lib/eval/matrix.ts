/** The dense row-major table that model-agnostic explainers pass to a model's predict function. */
import { EvalInputError, checkFinite } from './errors';
import type { Matrix } from '../math/matrix';

export type { Matrix } from '../math/matrix';
export { linearDecision, checkMatrix } from '../math/matrix';

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

/** Call predict and check it returned one finite number per row. */
export function predictChecked(predict: PredictFn, X: Matrix): ArrayLike<number> {
  const out = predict(X);
  if (out.length !== X.rows) throw new EvalInputError(`predict returned ${out.length} values for ${X.rows} rows.`);
  checkFinite('predict(X)', out);
  return out;
}

export { sigmoid } from '../math/sigmoid';
