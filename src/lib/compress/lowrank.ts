import type * as tfl from '@tensorflow/tfjs-layers';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { buildSequential, chain, exampleShape, specOf, type LayerSpec } from '../ml/layers';

export interface LowRank {
  /** rows × rank, row-major: U_k · √Σ_k. */
  a: Float32Array;
  /** rank × cols, row-major: √Σ_k · V_kᵀ. */
  b: Float32Array;
  /** All singular values of w, descending (for a rank sweep's chart). */
  singularValues: Float64Array;
}

/**
 * Truncated SVD w ≈ a · b. By Eckart–Young, a · b is the best rank-k approximation in the Frobenius
 * norm, with error √(Σ_{i>k} σ_i²). √Σ is split between the factors so both have comparable scales
 * when they are fine-tuned as two layers.
 */
export function lowRankFactorize(w: Float32Array, rows: number, cols: number, rank: number): LowRank {
  if (w.length !== rows * cols) throw new RangeError(`A ${rows}×${cols} matrix has ${rows * cols} entries; got ${w.length}.`);
  if (!(Number.isInteger(rank) && rank >= 1 && rank <= Math.min(rows, cols))) throw new RangeError(`Rank must be an integer in [1, ${Math.min(rows, cols)}]; got ${rank}.`);
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, w[i * cols + j]);
  const svd = new SingularValueDecomposition(m, { autoTranspose: true });
  const u = svd.leftSingularVectors;
  const v = svd.rightSingularVectors;
  const s = svd.diagonal;
  const a = new Float32Array(rows * rank);
  const b = new Float32Array(rank * cols);
  for (let r = 0; r < rank; r++) {
    const root = Math.sqrt(s[r]);
    for (let i = 0; i < rows; i++) a[i * rank + r] = u.get(i, r) * root;
    for (let j = 0; j < cols; j++) b[r * cols + j] = root * v.get(j, r);
  }
  return { a, b, singularValues: Float64Array.from(s) };
}

/**
 * The rank-k truncation of a factorization computed at a higher rank: since a = U·√Σ and b = √Σ·Vᵀ
 * with singular values in descending order, the first k columns of a and rows of b are exactly the
 * rank-k factors. One SVD then serves a whole rank sweep.
 */
export function truncateLowRank(f: LowRank, rows: number, cols: number, rank: number): LowRank {
  const have = f.a.length / rows;
  if (!(Number.isInteger(rank) && rank >= 1 && rank <= have)) throw new RangeError(`Rank must be an integer in [1, ${have}]; got ${rank}.`);
  const a = new Float32Array(rows * rank);
  for (let i = 0; i < rows; i++) a.set(f.a.subarray(i * have, i * have + rank), i * rank);
  return { a, b: f.b.slice(0, rank * cols), singularValues: f.singularValues };
}

/** How to factorize one Dense layer: its rank, and optionally factors already computed (at that rank or higher). */
export interface FactorPlan {
  rank: number;
  factors?: LowRank;
}

/**
 * Replace Dense layer `layerName` (kernel in × out) by two: `<name>_a` (in → rank, linear, no bias)
 * and `<name>_b` (rank → out, the original activation and bias). Parameters go from in·out + out to
 * rank·(in + out) + out, a saving when rank < in·out / (in + out).
 */
export function factorizeDense(model: tfl.LayersModel, layerName: string, rank: number): tfl.Sequential {
  return factorizeDenseLayers(model, { [layerName]: { rank } });
}

/** factorizeDense for several Dense layers at once, each with its own rank (and precomputed factors, if given). */
export function factorizeDenseLayers(model: tfl.LayersModel, plan: Record<string, FactorPlan>): tfl.Sequential {
  const specs: LayerSpec[] = [];
  const found = new Set<string>();
  for (const layer of chain(model)) {
    const spec = specOf(layer);
    const p = plan[layer.name];
    if (!p) {
      specs.push(spec);
      continue;
    }
    if (spec.className !== 'Dense') throw new Error(`Layer '${layer.name}' is a ${spec.className}; only Dense layers can be factorized.`);
    found.add(layer.name);
    const [kernel, bias] = spec.weights;
    const [rows, cols] = kernel.shape;
    const { a, b } = p.factors ? truncateLowRank(p.factors, rows, cols, p.rank) : lowRankFactorize(kernel.data, rows, cols, p.rank);
    const base = { ...spec.config };
    delete base.batchInputShape;
    specs.push({ className: 'Dense', config: { ...base, name: `${layer.name}_a`, units: p.rank, activation: 'linear', useBias: false }, weights: [{ shape: [rows, p.rank], data: a }] });
    specs.push({ className: 'Dense', config: { ...base, name: `${layer.name}_b`, units: cols }, weights: bias ? [{ shape: [p.rank, cols], data: b }, bias] : [{ shape: [p.rank, cols], data: b }] });
  }
  const missing = Object.keys(plan).filter((n) => !found.has(n));
  if (missing.length) throw new Error(`No layer named '${missing[0]}' in model '${model.name}'.`);
  return buildSequential(`${model.name}_lowrank`, exampleShape(model), specs);
}
