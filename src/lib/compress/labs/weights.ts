import type * as tfl from '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { chain, WEIGHTED } from '../../ml/layers';
import { dequantize, quantize, quantizedBytes, type Bits } from '../../ml/quantize';
import type { Granularity } from '../qat';

export interface WeightScheme { bits: Bits; granularity: Granularity }

/** Options of quantize() for a kernel under a scheme: symmetric, per tensor or along the last (output) axis. */
const optionsFor = (shape: number[], s: WeightScheme) => ({ bits: s.bits, scheme: 'symmetric' as const, ...(s.granularity === 'channel' ? { axis: shape.length - 1, shape } : {}) });

/** Kernels of the model's Dense/Conv2D layers, with their names and shapes. */
export function kernels(model: tfl.LayersModel): { layer: string; shape: number[]; data: Float32Array }[] {
  return chain(model).filter((l) => WEIGHTED.has(l.getClassName())).map((l) => {
    const k = l.getWeights()[0];
    return { layer: l.name, shape: k.shape.slice(), data: Float32Array.from(k.dataSync()) };
  });
}

/**
 * Bytes of a model's weights as stored, the one size of every compression variant: with a weight
 * scheme, each Dense/Conv2D kernel as packed codes plus its scales (quantizedBytes); every other
 * tensor (and every kernel without a scheme) in float32 as compactly as its zeros allow,
 * min(4·n, 4·nnz + ⌈n/8⌉): dense, or its nonzero values plus a keep-bitmask (a pruned kernel).
 */
export function storedBytes(model: tfl.LayersModel, scheme?: WeightScheme): number {
  let bytes = 0;
  for (const layer of chain(model)) {
    const kernelCoded = !!scheme && WEIGHTED.has(layer.getClassName());
    for (const [i, w] of layer.getWeights().entries()) {
      const d = w.dataSync() as Float32Array;
      if (kernelCoded && i === 0) {
        bytes += quantizedBytes(quantize(Float32Array.from(d), optionsFor(w.shape, scheme!)));
        continue;
      }
      let nnz = 0;
      for (const v of d) if (v !== 0) nnz++;
      bytes += Math.min(4 * d.length, 4 * nnz + Math.ceil(d.length / 8));
    }
  }
  return bytes;
}

/** storedBytes: the name the quantization labs knew it by. */
export const modelBytes = storedBytes;

/** Replace every kernel by dequantize(quantize(kernel)) in place: the weights a weight-only quantized model computes with. */
export function quantizeKernelsInPlace(model: tfl.LayersModel, scheme: WeightScheme): void {
  for (const l of chain(model).filter((x) => WEIGHTED.has(x.getClassName()))) {
    const [k, ...rest] = l.getWeights();
    const deq = dequantize(quantize(Float32Array.from(k.dataSync()), optionsFor(k.shape, scheme)));
    const t = tf.tensor(deq, k.shape);
    l.setWeights([t, ...rest]);
    t.dispose();
  }
}

export interface LayerError {
  layer: string;
  /** Root-mean-square of w − ŵ. */
  rms: number;
  /** Largest |w − ŵ|. */
  max: number;
  /** RMS error relative to the RMS of the weights. */
  relative: number;
}

/** Per-layer error of quantizing each kernel under a scheme, and the raw errors for a histogram. */
export function layerErrors(model: tfl.LayersModel, scheme: WeightScheme): { stats: LayerError[]; errors: Float32Array[] } {
  const stats: LayerError[] = [];
  const errors: Float32Array[] = [];
  for (const k of kernels(model)) {
    const deq = dequantize(quantize(k.data, optionsFor(k.shape, scheme)));
    const e = k.data.map((v, i) => v - deq[i]);
    let se = 0, sw = 0, mx = 0;
    for (let i = 0; i < e.length; i++) {
      se += e[i] * e[i];
      sw += k.data[i] * k.data[i];
      mx = Math.max(mx, Math.abs(e[i]));
    }
    stats.push({ layer: k.layer, rms: Math.sqrt(se / e.length), max: mx, relative: sw > 0 ? Math.sqrt(se / sw) : 0 });
    errors.push(e);
  }
  return { stats, errors };
}

/** Counts of values in `bins` equal bins over [−limit, limit] (values outside go to the end bins), with the bin centres. */
export function histogram(values: Float32Array, limit: number, bins: number): { centers: number[]; counts: number[] } {
  const counts = new Array<number>(bins).fill(0);
  const w = (2 * limit) / bins;
  for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor((v + limit) / w)))]++;
  return { centers: counts.map((_, i) => -limit + (i + 0.5) * w), counts };
}
