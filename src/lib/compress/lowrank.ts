import type * as tfl from '@tensorflow/tfjs-layers';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { buildSequential, chain, exampleShape, specOf, type LayerSpec } from './layers';

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
 * Replace Dense layer `layerName` (kernel in × out) by two: `<name>_a` (in → rank, linear, no bias)
 * and `<name>_b` (rank → out, the original activation and bias). Parameters go from in·out + out to
 * rank·(in + out) + out, a saving when rank < in·out / (in + out).
 */
export function factorizeDense(model: tfl.LayersModel, layerName: string, rank: number): tfl.Sequential {
  const specs: LayerSpec[] = [];
  let found = false;
  for (const layer of chain(model)) {
    const spec = specOf(layer);
    if (layer.name !== layerName) {
      specs.push(spec);
      continue;
    }
    if (spec.className !== 'Dense') throw new Error(`Layer '${layerName}' is a ${spec.className}; only Dense layers can be factorized.`);
    found = true;
    const [kernel, bias] = spec.weights;
    const [rows, cols] = kernel.shape;
    const { a, b } = lowRankFactorize(kernel.data, rows, cols, rank);
    const base = { ...spec.config };
    delete base.batchInputShape;
    specs.push({ className: 'Dense', config: { ...base, name: `${layerName}_a`, units: rank, activation: 'linear', useBias: false }, weights: [{ shape: [rows, rank], data: a }] });
    specs.push({ className: 'Dense', config: { ...base, name: `${layerName}_b`, units: cols }, weights: bias ? [{ shape: [rank, cols], data: b }, bias] : [{ shape: [rank, cols], data: b }] });
  }
  if (!found) throw new Error(`No layer named '${layerName}' in model '${model.name}'.`);
  return buildSequential(`${model.name}_lowrank`, exampleShape(model), specs);
}
