/** A dense row-major matrix: what model-agnostic explainers pass to a model's predict function. */

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
