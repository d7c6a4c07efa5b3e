import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { chain, WEIGHTED } from '../ml/layers';

export interface PruneResult {
  /** The values with the pruned entries set to 0. */
  values: Float32Array;
  /** 1 where a value is kept, 0 where it was pruned. */
  mask: Uint8Array;
}

/**
 * Indices ordered by |value| ascending; equal magnitudes by index ascending, so ties are broken
 * the same way on every run and backend.
 */
function byMagnitude(values: ArrayLike<number>): Int32Array {
  const order = Int32Array.from({ length: values.length }, (_, i) => i);
  return order.sort((i, j) => Math.abs(values[i]) - Math.abs(values[j]) || i - j);
}

/** How many of n entries a sparsity prunes: round(sparsity · n), so the sparsity is met as exactly as n allows. */
export function prunedCount(n: number, sparsity: number): number {
  if (!(sparsity >= 0 && sparsity <= 1)) throw new RangeError(`Sparsity must lie in [0, 1]; got ${sparsity}.`);
  return Math.round(sparsity * n);
}

/**
 * Unstructured magnitude pruning: zero the round(sparsity · n) entries of smallest |value|
 * (ties: lower index pruned first).
 */
export function magnitudePrune(values: Float32Array, sparsity: number): PruneResult {
  const k = prunedCount(values.length, sparsity);
  const mask = new Uint8Array(values.length).fill(1);
  const order = byMagnitude(values);
  for (let i = 0; i < k; i++) mask[order[i]] = 0;
  return { values: applyMask(values, mask), mask };
}

export function applyMask(values: Float32Array, mask: Uint8Array): Float32Array {
  return values.map((v, i) => (mask[i] ? v : 0));
}

export interface PruneModelOptions {
  /** Fraction of kernel weights to zero, in [0, 1]. */
  sparsity: number;
  /** 'layer': each kernel loses the same fraction; 'global': one magnitude threshold across all kernels. */
  scope: 'layer' | 'global';
  /** Layers to prune (default: every Dense and Conv2D layer). Biases are never pruned. */
  layers?: string[];
}

export interface LayerMask {
  layer: string;
  mask: Uint8Array;
  /** Fraction of this kernel's weights that are zeroed. */
  sparsity: number;
}

/**
 * Magnitude pruning of a model's kernels, in place. Global scope ranks |w| of all chosen kernels
 * together (ties by layer order, then index), so layers with many small weights lose more.
 * Returns the masks, for re-applying after fine-tuning updates (see applyModelMasks).
 */
export function pruneModel(model: tfl.LayersModel, opts: PruneModelOptions): LayerMask[] {
  const targets = chain(model).filter((l) => WEIGHTED.has(l.getClassName()) && (!opts.layers || opts.layers.includes(l.name)));
  const kernels = targets.map((l) => l.getWeights()[0].dataSync() as Float32Array);
  let masks: Uint8Array[];
  if (opts.scope === 'layer') {
    masks = kernels.map((k) => magnitudePrune(k, opts.sparsity).mask);
  } else {
    const total = kernels.reduce((s, k) => s + k.length, 0);
    const all = new Float32Array(total);
    let off = 0;
    for (const k of kernels) {
      all.set(k, off);
      off += k.length;
    }
    const flat = magnitudePrune(all, opts.sparsity).mask;
    off = 0;
    masks = kernels.map((k) => {
      const m = flat.slice(off, off + k.length);
      off += k.length;
      return m;
    });
  }
  const result = targets.map((l, i) => ({ layer: l.name, mask: masks[i], sparsity: zeroFraction(masks[i]) }));
  applyModelMasks(model, result);
  return result;
}

/** Zero the masked kernel entries of a model in place (after an optimizer update, to keep a pruned model pruned). */
export function applyModelMasks(model: tfl.LayersModel, masks: LayerMask[]): void {
  for (const { layer, mask } of masks) {
    const l = model.getLayer(layer);
    const [kernel, ...rest] = l.getWeights();
    const pruned = tf.tidy(() => tf.mul(kernel, tf.tensor(mask, kernel.shape, 'float32')));
    l.setWeights([pruned, ...rest]);
    pruned.dispose();
  }
}

function zeroFraction(mask: Uint8Array): number {
  let z = 0;
  for (const m of mask) if (!m) z++;
  return mask.length === 0 ? 0 : z / mask.length;
}

/** Fraction of exactly-zero entries among a model's Dense and Conv2D kernels. */
export function kernelSparsity(model: tfl.LayersModel): number {
  let zeros = 0;
  let n = 0;
  for (const l of chain(model)) {
    if (!WEIGHTED.has(l.getClassName())) continue;
    const k = l.getWeights()[0].dataSync();
    n += k.length;
    for (const v of k) if (v === 0) zeros++;
  }
  return n === 0 ? 0 : zeros / n;
}
