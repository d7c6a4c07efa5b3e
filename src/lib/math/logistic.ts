/**
 * The one logistic regression of Prodlab: binary, fitted by Newton's method (IRLS) with step halving.
 * It minimises
 *   J(w, b) = Σᵢ sᵢ·ℓ(tᵢ, pᵢ) + (l2/2)·‖w‖² + fairness·S·(p̄₀ − p̄₁)²,   pᵢ = σ(xᵢ·w + b),
 * where ℓ is the cross-entropy, sᵢ the sample weights (S their sum), tᵢ the targets (0/1, or soft
 * targets for label smoothing) and p̄_g the mean predicted probability in group g. With
 * fairness = 0 this is sklearn's LogisticRegression(C = 1/l2) with sample_weight; the intercept is
 * not penalised (test/lib/eval/logistic.test.ts checks it against sklearn and scipy). The fairness
 * term is a demographic-parity penalty (a squared gap in mean score, in the spirit of Kamishima et
 * al. 2012's prejudice remover); its Hessian is taken as the Gauss–Newton 2·fairness·S·d·dᵀ,
 * d = ∇(p̄₀ − p̄₁), which keeps every Newton system positive definite.
 */
import { choleskySolve } from './linalg';
import { EvalInputError, checkFinite, checkSameLength } from './errors';
import { checkMatrix, linearDecision, type Matrix } from './matrix';
import { sigmoid } from './sigmoid';

export { sigmoid };

export interface LogisticOptions {
  /** L2 penalty on the weights (sklearn's 1/C). */
  l2?: number;
  /** Sample weights (reweighing); default all 1. */
  sampleWeight?: ArrayLike<number>;
  /** Label smoothing ε: targets become y·(1 − ε) + ε/2. */
  labelSmoothing?: number;
  /** Weight of the demographic-parity penalty; needs groups. */
  fairness?: number;
  /** Group (0 or 1) of each row, for the fairness penalty. */
  groups?: ArrayLike<number>;
  /** Newton iterations allowed. */
  maxIter?: number;
  /** Stop when the largest gradient entry, divided by S, falls below this. */
  tol?: number;
}

export interface LogisticModel {
  weights: Float64Array;
  intercept: number;
  iterations: number;
  /** The objective J at the solution. */
  objective: number;
  /** P(y = 1 | x) per row. */
  predictProba(X: Matrix): Float64Array;
  /** x·w + b per row. */
  decision(X: Matrix): Float64Array;
}

const DEFAULTS = { l2: 1, labelSmoothing: 0, fairness: 0, maxIter: 100, tol: 1e-10 };

/** log(1 + eᶻ) without overflow. */
const softplus = (z: number) => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

export function trainLogistic(X: Matrix, y: ArrayLike<number>, options: LogisticOptions = {}): LogisticModel {
  const o = { ...DEFAULTS, ...options };
  checkMatrix('X', X);
  checkSameLength(['X rows', 'y'], [{ length: X.rows }, y]);
  const { rows: n, cols: m } = X;
  let ones = 0;
  for (let i = 0; i < n; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new EvalInputError(`y[${i}] is ${y[i]}; labels must be 0 or 1.`);
    ones += y[i];
  }
  if (ones === 0 || ones === n) throw new EvalInputError(`y holds only class ${ones ? 1 : 0}; logistic regression needs both classes.`);
  if (!(o.l2 >= 0)) throw new EvalInputError(`l2 is ${o.l2}; it must be ≥ 0.`);
  if (!(o.labelSmoothing >= 0 && o.labelSmoothing < 1)) throw new EvalInputError(`labelSmoothing is ${o.labelSmoothing}; it must lie in [0, 1).`);
  if (!(o.fairness >= 0)) throw new EvalInputError(`fairness is ${o.fairness}; it must be ≥ 0.`);
  const s = o.sampleWeight ? Float64Array.from(o.sampleWeight) : new Float64Array(n).fill(1);
  if (s.length !== n) throw new EvalInputError(`sampleWeight has ${s.length} values but X has ${n} rows.`);
  checkFinite('sampleWeight', s);
  if (s.some((v) => v < 0)) throw new EvalInputError('sampleWeight has a negative entry; weights must be ≥ 0.');
  const S = s.reduce((a, b) => a + b, 0);
  if (!(S > 0)) throw new EvalInputError('sampleWeight sums to 0; at least one row must count.');

  const eps = o.labelSmoothing;
  const t = Float64Array.from({ length: n }, (_, i) => y[i] * (1 - eps) + eps / 2);
  const fair = o.fairness > 0;
  const g = fair ? groupMasks(o.groups, n) : null;

  // Parameters θ = (w₀..w_{m−1}, b); row i of the design is (xᵢ, 1).
  const d = m + 1;
  let theta = new Float64Array(d);
  theta[m] = Math.log((ones + 0.5) / (n - ones + 0.5));
  const z = new Float64Array(n);
  const computeZ = (th: Float64Array, out: Float64Array) => {
    for (let i = 0; i < n; i++) {
      let v = th[m];
      const base = i * m;
      for (let j = 0; j < m; j++) v += X.data[base + j] * th[j];
      out[i] = v;
    }
  };
  const objective = (th: Float64Array, zz: Float64Array): number => {
    let J = 0;
    for (let i = 0; i < n; i++) J += s[i] * (t[i] * softplus(-zz[i]) + (1 - t[i]) * softplus(zz[i]));
    for (let j = 0; j < m; j++) J += (o.l2 / 2) * th[j] * th[j];
    if (g) J += o.fairness * S * groupGap(zz, g) ** 2;
    return J;
  };

  computeZ(theta, z);
  let J = objective(theta, z);
  const grad = new Float64Array(d);
  const H = new Float64Array(d * d);
  const dGap = new Float64Array(d);
  let iter = 0;
  for (; iter < o.maxIter; iter++) {
    grad.fill(0);
    H.fill(0);
    dGap.fill(0);
    for (let i = 0; i < n; i++) {
      const p = sigmoid(z[i]);
      const r = s[i] * (p - t[i]);
      const w = s[i] * p * (1 - p);
      const base = i * m;
      for (let j = 0; j < d; j++) {
        const xj = j < m ? X.data[base + j] : 1;
        grad[j] += r * xj;
        for (let k = 0; k <= j; k++) H[j * d + k] += w * xj * (k < m ? X.data[base + k] : 1);
      }
      if (g) {
        const c = (g.is0[i] ? 1 / g.n0 : -1 / g.n1) * p * (1 - p);
        if (g.is0[i] || g.is1[i]) for (let j = 0; j < d; j++) dGap[j] += c * (j < m ? X.data[base + j] : 1);
      }
    }
    for (let j = 0; j < m; j++) {
      grad[j] += o.l2 * theta[j];
      H[j * d + j] += o.l2;
    }
    if (g) {
      const gap = groupGap(z, g);
      const k2 = 2 * o.fairness * S;
      for (let j = 0; j < d; j++) {
        grad[j] += k2 * gap * dGap[j];
        for (let k = 0; k <= j; k++) H[j * d + k] += k2 * dGap[j] * dGap[k];
      }
    }
    for (let j = 0; j < d; j++) for (let k = 0; k < j; k++) H[k * d + j] = H[j * d + k];
    let gmax = 0;
    for (let j = 0; j < d; j++) gmax = Math.max(gmax, Math.abs(grad[j]));
    if (gmax / S < o.tol) break;
    const step = solveNewton(H, grad, d);
    let a = 1;
    let next = theta;
    const zNext = new Float64Array(n);
    let Jn = Infinity;
    for (; a > 1e-12; a /= 2) {
      next = theta.map((v, j) => v - a * step[j]);
      computeZ(next, zNext);
      Jn = objective(next, zNext);
      if (Jn <= J) break;
    }
    if (!(Jn <= J)) break; // no descent left: at the optimum up to rounding
    theta = next;
    z.set(zNext);
    const small = Math.abs(J - Jn) <= 1e-15 * Math.max(1, Math.abs(J));
    J = Jn;
    if (small) break;
  }
  return makeModel(theta.slice(0, m), theta[m], iter, J);
}

interface GroupMasks {
  is0: Uint8Array;
  is1: Uint8Array;
  n0: number;
  n1: number;
}

function groupMasks(groups: ArrayLike<number> | undefined, n: number): GroupMasks {
  if (!groups) throw new EvalInputError('fairness > 0 needs groups: the group (0 or 1) of every row.');
  if (groups.length !== n) throw new EvalInputError(`groups has ${groups.length} values but X has ${n} rows.`);
  const is0 = new Uint8Array(n);
  const is1 = new Uint8Array(n);
  let n0 = 0;
  let n1 = 0;
  for (let i = 0; i < n; i++) {
    if (groups[i] === 0) {
      is0[i] = 1;
      n0++;
    } else if (groups[i] === 1) {
      is1[i] = 1;
      n1++;
    } else throw new EvalInputError(`groups[${i}] is ${groups[i]}; the fairness penalty takes groups 0 and 1.`);
  }
  if (n0 === 0 || n1 === 0) throw new EvalInputError('groups holds a single group; the fairness penalty needs both 0 and 1.');
  return { is0, is1, n0, n1 };
}

/** p̄₀ − p̄₁: mean predicted probability in group 0 minus group 1. */
function groupGap(z: Float64Array, g: GroupMasks): number {
  let a = 0;
  let b = 0;
  for (let i = 0; i < z.length; i++) {
    if (g.is0[i]) a += sigmoid(z[i]);
    else if (g.is1[i]) b += sigmoid(z[i]);
  }
  return a / g.n0 - b / g.n1;
}

/** Solve H x = b for symmetric positive definite H (d × d), with a tiny ridge if needed. */
function solveNewton(H: Float64Array, b: Float64Array, d: number): Float64Array {
  for (let ridge = 0; ; ridge = ridge === 0 ? 1e-10 : ridge * 100) {
    const x = choleskySolve(H, b, d, { ridge });
    if (x) return x;
    if (ridge > 1e6) throw new EvalInputError('the Newton system is singular; check for constant or duplicated columns.');
  }
}

function makeModel(weights: Float64Array, intercept: number, iterations: number, objective: number): LogisticModel {
  const decision = (X: Matrix) => {
    if (X.cols !== weights.length) throw new EvalInputError(`X has ${X.cols} columns but the model was fitted on ${weights.length}.`);
    return linearDecision(X, weights, intercept);
  };
  return { weights, intercept, iterations, objective, decision, predictProba: (X) => decision(X).map(sigmoid) };
}

export interface Standardizer {
  mean: Float64Array;
  sd: Float64Array;
  /** (x − mean)/sd per column; constant columns are centred only. */
  apply(X: Matrix): Matrix;
}

/** Column means and population standard deviations of X (fit them on training rows only). */
export function fitStandardizer(X: Matrix): Standardizer {
  checkMatrix('X', X);
  const { rows, cols } = X;
  const mean = new Float64Array(cols);
  const sd = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += X.data[i * cols + j] / rows;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) sd[j] += (X.data[i * cols + j] - mean[j]) ** 2 / rows;
  for (let j = 0; j < cols; j++) sd[j] = Math.sqrt(sd[j]) || 1;
  const apply = (A: Matrix): Matrix => {
    if (A.cols !== cols) throw new EvalInputError(`X has ${A.cols} columns but the standardizer was fitted on ${cols}.`);
    const data = new Float64Array(A.data.length);
    for (let i = 0; i < A.rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = (A.data[i * cols + j] - mean[j]) / sd[j];
    return { data, rows: A.rows, cols };
  };
  return { mean, sd, apply };
}

/**
 * The same fit for a design whose column 0 is the intercept's 1s (n×d row-major, as the uplift,
 * retraining and feature-store labs build it), with the ridge given per row: l2 here is λ in
 * mean loss + λ/2·‖w‖², i.e. trainLogistic's l2 = λ·n. Returns β = (b, w₁..w_{d−1}).
 */
export function fitLogistic(X: Float64Array, y: ArrayLike<number>, d: number, options: { l2?: number; maxIter?: number } = {}): Float64Array {
  const n = y.length;
  if (!(Number.isInteger(d) && d >= 1) || X.length !== n * d) throw new EvalInputError(`X has ${X.length} values, expected ${n}×${d}`);
  const m = d - 1;
  const data = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    if (X[i * d] !== 1) throw new EvalInputError(`X[${i}, 0] is ${X[i * d]}; column 0 is the intercept and must be 1.`);
    data.set(X.subarray(i * d + 1, (i + 1) * d), i * m);
  }
  const model = trainLogistic({ data, rows: n, cols: m }, y, { l2: (options.l2 ?? 1e-4) * n, ...(options.maxIter !== undefined && { maxIter: options.maxIter }) });
  const beta = new Float64Array(d);
  beta[0] = model.intercept;
  beta.set(model.weights, 1);
  return beta;
}

/** σ(β·row) for β from fitLogistic and a row with the intercept's 1 in column 0. */
export function predictLogistic(beta: ArrayLike<number>, row: ArrayLike<number>): number {
  let z = 0;
  for (let j = 0; j < beta.length; j++) z += beta[j] * row[j];
  return sigmoid(z);
}
