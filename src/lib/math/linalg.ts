/**
 * The one linear solve of Prodlab: A x = b for symmetric positive definite A (d × d, row-major) by
 * Cholesky, A + ρI = L·Lᵀ, then L y = b and Lᵀ x = y. Every caller's system is a Gram or Hessian
 * matrix (XᵀWX, the Kernel SHAP normal equations), so SPD is what they have; Cholesky is half the work
 * of Gaussian elimination and needs no pivoting.
 */

export interface CholeskyOptions {
  /** Ridge ρ added to the diagonal before factoring; default 0. */
  ridge?: number;
  /**
   * Relative pivot floor: a pivot (the diagonal of L, squared) at or below tol · max|Aᵢᵢ| counts as
   * singular; default 0 (any positive pivot is accepted).
   */
  tol?: number;
}

/** x with (A + ρI) x = b, or null when A + ρI is not (numerically) positive definite. A and b are not changed. */
export function choleskySolve(A: ArrayLike<number>, b: ArrayLike<number>, d: number, options: CholeskyOptions = {}): Float64Array | null {
  if (A.length !== d * d || b.length !== d) throw new RangeError(`choleskySolve: A has ${A.length} values and b ${b.length}; expected ${d}×${d} and ${d}.`);
  const ridge = options.ridge ?? 0;
  let scale = 0;
  for (let j = 0; j < d; j++) scale = Math.max(scale, Math.abs(A[j * d + j] + ridge));
  const floor = (options.tol ?? 0) * scale;
  const L = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let s = A[j * d + j] + ridge;
    for (let k = 0; k < j; k++) s -= L[j * d + k] ** 2;
    if (!(s > floor)) return null;
    const l = Math.sqrt(s);
    L[j * d + j] = l;
    for (let i = j + 1; i < d; i++) {
      let t = A[i * d + j];
      for (let k = 0; k < j; k++) t -= L[i * d + k] * L[j * d + k];
      L[i * d + j] = t / l;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < i; k++) x[i] -= L[i * d + k] * x[k];
    x[i] /= L[i * d + i];
  }
  for (let i = d - 1; i >= 0; i--) {
    for (let k = i + 1; k < d; k++) x[i] -= L[k * d + i] * x[k];
    x[i] /= L[i * d + i];
  }
  return x;
}
