/**
 * Kernel SHAP (Lundberg & Lee 2017): Shapley values of one prediction, with "feature absent"
 * meaning "drawn from a background sample" (interventional). The value of a coalition S is
 * v(S) = mean over background rows b of f(x_S, b_rest). The Shapley values solve the weighted
 * least squares  min Σ_S k(S)·(v(S) − v(∅) − Σ_{j∈S} φ_j)²  subject to Σφ = f(x) − v(∅),
 * with the Shapley kernel k(S) = (M−1) / (C(M,|S|)·|S|·(M−|S|)).
 *
 * Coalitions are chosen as the shap library does: sizes 1 and M−1, then 2 and M−2, ... are
 * enumerated in full while the budget covers them; the rest of the budget samples sizes by their
 * kernel mass and members uniformly, each with its complement. When nSamples ≥ 2^M − 2 every
 * coalition is enumerated and the result is the exact Shapley value.
 */
import { choleskySolve } from '../math/linalg';
import { EvalInputError, checkCount, checkFinite } from './errors';
import { checkMatrix, predictChecked, type Matrix, type PredictFn } from './matrix';
import { mulberry32, type Rng } from '../core/rng';

export interface KernelShapOptions {
  /** Coalitions evaluated; each costs one predict over the background. Default 2M + 2048, as shap's 'auto'. */
  nSamples?: number;
  /** Seeds the coalition sampling (unused when every coalition is enumerated). */
  seed?: number;
}

export interface ShapExplanation {
  /** φ_j per feature; Σφ = fx − baseValue exactly (up to rounding). */
  values: Float64Array;
  /** E[f(background)], the prediction with every feature absent. */
  baseValue: number;
  /** f(x), the prediction explained. */
  fx: number;
  /** true when every coalition was enumerated, so values are the exact Shapley values. */
  exact: boolean;
}

/** Seed when none is given; nSamples defaults to 2M + 2048. */
const DEFAULT_SEED = 0;
/** Values (rows × cols) per predict call, at most: bounds memory when coalitions × background is large. */
const MAX_BATCH_VALUES = 1 << 20;

interface Coalitions {
  /** Membership masks over the varying features, one Uint8Array each. */
  masks: Uint8Array[];
  weights: number[];
  exact: boolean;
}

function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
}

function* combinations(m: number, s: number): Generator<Uint8Array> {
  const idx = Array.from({ length: s }, (_, i) => i);
  for (;;) {
    const mask = new Uint8Array(m);
    for (const i of idx) mask[i] = 1;
    yield mask;
    let k = s - 1;
    while (k >= 0 && idx[k] === m - s + k) k--;
    if (k < 0) return;
    idx[k]++;
    for (let i = k + 1; i < s; i++) idx[i] = idx[i - 1] + 1;
  }
}

function complement(mask: Uint8Array): Uint8Array {
  return mask.map((v) => 1 - v);
}

function chooseCoalitions(m: number, nSamples: number, rng: Rng): Coalitions {
  const nSizes = Math.ceil((m - 1) / 2);
  // Kernel mass of size s together with its mirror size m − s.
  const mass = Array.from({ length: nSizes }, (_, k) => {
    const s = k + 1;
    return ((m - 1) / (s * (m - s))) * (s === m - s ? 1 : 2);
  });
  const total = mass.reduce((a, b) => a + b, 0);
  for (let k = 0; k < nSizes; k++) mass[k] /= total;

  const masks: Uint8Array[] = [];
  const weights: number[] = [];
  let left = nSamples;
  let massLeft = 1;
  let full = 0;
  for (; full < nSizes; full++) {
    const s = full + 1;
    const paired = s !== m - s;
    const count = binomial(m, s) * (paired ? 2 : 1);
    if ((left * mass[full]) / massLeft < count - 1e-8) break;
    const w = mass[full] / count;
    for (const mask of combinations(m, s)) {
      masks.push(mask);
      weights.push(w);
      if (paired) {
        masks.push(complement(mask));
        weights.push(w);
      }
    }
    left -= count;
    massLeft -= mass[full];
  }
  if (full === nSizes) return { masks, weights, exact: true };

  // Sample the remaining sizes in proportion to their kernel mass; duplicates accumulate weight.
  const sampled = new Map<string, { mask: Uint8Array; hits: number }>();
  let hits = 0;
  const add = (mask: Uint8Array, h: number) => {
    const key = mask.join('');
    const e = sampled.get(key);
    if (e) e.hits += h;
    else sampled.set(key, { mask, hits: h });
    hits += h;
  };
  const perm = Array.from({ length: m }, (_, i) => i);
  while (hits < left - 1) {
    let u = rng() * massLeft;
    let k = full;
    while (k < nSizes - 1 && u >= mass[k]) u -= mass[k++];
    const s = k + 1;
    for (let i = 0; i < s; i++) {
      const j = i + Math.floor(rng() * (m - i));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    const mask = new Uint8Array(m);
    for (let i = 0; i < s; i++) mask[perm[i]] = 1;
    // A draw stands for the mass of sizes s and m − s together: one hit each, or two for the
    // self-mirrored size s = m/2, keeping the kernel's proportions between sizes. (shap gives it
    // one. With every coalition present any weights equal within a size and symmetric under
    // s ↔ m − s give the Shapley values, so the choice only moves the sampling variance.)
    if (s !== m - s) {
      add(mask, 1);
      add(complement(mask), 1);
    } else add(mask, 2);
  }
  for (const { mask, hits: h } of sampled.values()) {
    masks.push(mask);
    weights.push((massLeft * h) / hits);
  }
  return { masks, weights, exact: false };
}

/** Solve A φ = b for the Kernel SHAP normal equations (symmetric, positive definite unless too few coalitions). */
function solve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const x = choleskySolve(A, b, n, { tol: 1e-10 });
  if (!x) throw new EvalInputError('Kernel SHAP regression is singular; raise nSamples so more coalitions are evaluated.');
  return x;
}

/** v(S) − v(∅) for each coalition: mean prediction over background rows with the features in S set to x. */
function coalitionValues(
  predict: PredictFn,
  x: ArrayLike<number>,
  background: Matrix,
  varying: number[],
  masks: Uint8Array[],
): Float64Array {
  const { rows: nb, cols } = background;
  const out = new Float64Array(masks.length);
  const perBatch = Math.max(1, Math.floor(MAX_BATCH_VALUES / (nb * cols)));
  for (let start = 0; start < masks.length; start += perBatch) {
    const end = Math.min(masks.length, start + perBatch);
    const data = new Float64Array((end - start) * nb * cols);
    for (let c = start; c < end; c++) {
      const base = (c - start) * nb * cols;
      data.set(background.data, base);
      for (let f = 0; f < varying.length; f++) {
        if (!masks[c][f]) continue;
        const j = varying[f];
        for (let i = 0; i < nb; i++) data[base + i * cols + j] = x[j];
      }
    }
    const pred = predictChecked(predict, { data, rows: (end - start) * nb, cols });
    for (let c = start; c < end; c++) {
      let s = 0;
      for (let i = 0; i < nb; i++) s += pred[(c - start) * nb + i];
      out[c] = s / nb;
    }
  }
  return out;
}

/** SHAP values of predict at x against a background sample (rows of typical inputs; 50–200 is usual). */
export function kernelShap(
  predict: PredictFn,
  x: ArrayLike<number>,
  background: Matrix,
  options: KernelShapOptions = {},
): ShapExplanation {
  checkMatrix('background', background);
  const M = background.cols;
  if (x.length !== M) throw new EvalInputError(`x has ${x.length} features but background has ${M} columns.`);
  checkFinite('x', x);
  const nSamples = options.nSamples ?? 2 * M + 2048;
  checkCount('nSamples', nSamples, 1);
  const rng = mulberry32(options.seed ?? DEFAULT_SEED);

  const bgPred = predictChecked(predict, background);
  let baseValue = 0;
  for (let i = 0; i < bgPred.length; i++) baseValue += bgPred[i];
  baseValue /= bgPred.length;
  const fx = predictChecked(predict, { data: Float64Array.from(x), rows: 1, cols: M })[0];
  const delta = fx - baseValue;

  // A feature whose background column always equals x_j changes no coalition's value: φ_j = 0.
  const varying: number[] = [];
  for (let j = 0; j < M; j++) {
    for (let i = 0; i < background.rows; i++) {
      if (background.data[i * M + j] !== x[j]) {
        varying.push(j);
        break;
      }
    }
  }
  const values = new Float64Array(M);
  const m = varying.length;
  if (m === 0) return { values, baseValue, fx, exact: true };
  if (m === 1) {
    values[varying[0]] = delta;
    return { values, baseValue, fx, exact: true };
  }

  const { masks, weights, exact } = chooseCoalitions(m, nSamples, rng);
  const ey = coalitionValues(predict, x, background, varying, masks);

  // Eliminate φ_last = delta − Σ_{j<last} φ_j, then solve the (m−1)-dim weighted normal equations.
  const d = m - 1;
  const A = new Float64Array(d * d);
  const b = new Float64Array(d);
  const row = new Float64Array(d);
  for (let c = 0; c < masks.length; c++) {
    const z = masks[c];
    const w = weights[c];
    const target = ey[c] - baseValue - z[d] * delta;
    for (let j = 0; j < d; j++) row[j] = z[j] - z[d];
    for (let j = 0; j < d; j++) {
      if (row[j] === 0) continue;
      b[j] += w * row[j] * target;
      for (let k = 0; k < d; k++) A[j * d + k] += w * row[j] * row[k];
    }
  }
  const phi = solve(A, b, d);
  let sum = 0;
  for (let j = 0; j < d; j++) {
    values[varying[j]] = phi[j];
    sum += phi[j];
  }
  values[varying[d]] = delta - sum;
  return { values, baseValue, fx, exact };
}
