/**
 * Logistic regression by Newton–Raphson (IRLS) with a small ridge penalty, for the few features of
 * the uplift lab. Each step solves (XᵀWX + λI)Δ = Xᵀ(y − p) − λβ, W = diag(p(1 − p)); the intercept
 * (column 0) is not penalised.
 */
import { choleskySolve } from './linalg';
import { sigmoid } from './sigmoid';

export { sigmoid };

const fail = (message: string): never => {
  throw new RangeError(message);
};

export interface LogisticOptions {
  /** Ridge penalty λ on the non-intercept weights; default 1e-4. */
  l2?: number;
  /** Newton steps; default 25 (it converges in well under 10 on these data). */
  iterations?: number;
}

/** Fit weights β (length d) for rows of X (n×d row-major, column 0 the intercept's 1s) and 0/1 labels y. */
export function fitLogistic(X: Float64Array, y: ArrayLike<number>, d: number, options: LogisticOptions = {}): Float64Array {
  const n = y.length;
  if (X.length !== n * d) fail(`X has ${X.length} values, expected ${n}×${d}`);
  if (n < d) fail(`logistic regression needs at least ${d} rows, got ${n}`);
  const l2 = options.l2 ?? 1e-4;
  const beta = new Float64Array(d);
  for (let it = 0; it < (options.iterations ?? 25); it++) {
    const H = new Float64Array(d * d);
    const g = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const row = i * d;
      let z = 0;
      for (let j = 0; j < d; j++) z += X[row + j] * beta[j];
      const p = sigmoid(z);
      const w = Math.max(p * (1 - p), 1e-10);
      const r = y[i] - p;
      for (let j = 0; j < d; j++) {
        g[j] += X[row + j] * r;
        for (let k = 0; k <= j; k++) H[j * d + k] += w * X[row + j] * X[row + k];
      }
    }
    for (let j = 0; j < d; j++) {
      for (let k = 0; k < j; k++) H[k * d + j] = H[j * d + k];
      if (j > 0) {
        H[j * d + j] += l2 * n;
        g[j] -= l2 * n * beta[j];
      }
    }
    const step = choleskySolve(H, g, d) ?? fail('logistic regression: the design matrix is singular (a feature may be constant)');
    let size = 0;
    for (let j = 0; j < d; j++) {
      beta[j] += step[j];
      size = Math.max(size, Math.abs(step[j]));
    }
    if (size < 1e-10) break;
  }
  return beta;
}

export function predictLogistic(beta: ArrayLike<number>, row: ArrayLike<number>): number {
  let z = 0;
  for (let j = 0; j < beta.length; j++) z += beta[j] * row[j];
  return sigmoid(z);
}
