import type * as tfl from '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { cloneModel } from '../../ml/layers';
import { calibrationRange, type Range } from '../../ml/quantize';
import { activationSamples, type Granularity, type QuantPlan } from '../qat';
import { deriveSeed, mulberry32, permutation } from '../../core/rng';
import { exportOnnx } from '../../onnx/export';
import type { OnProgress } from '../../core/task';
import { fakeQuant, rowsTensor, type Images, type Meter } from './fit';
import type { MeasureEntry, Measured } from '../kit';
import { fitEpochs } from '../../ml/loop';
import type { QuantizeSettings } from './defaults';
import { histogram, layerErrors, quantizeKernelsInPlace, type LayerError, type WeightScheme } from './weights';
import { plural } from '../../core/format';

export { QUANTIZE_DEFAULTS, type QuantizeSettings } from './defaults';

export type VariantKey = 'float32' | 'int8-tensor' | 'int8-channel' | 'static-minmax' | 'static-percentile' | 'int4-ptq' | 'int4-qat' | 'float-ft';

export interface QuantVariant {
  key: VariantKey;
  description: string;
  accuracy: number;
  bytes: number;
  latencyMs: number;
  /** Weight scheme of the kernels (absent: float32). */
  weights?: WeightScheme;
  /** Static variants: the activation ranges they clip to, per layer. */
  activationRanges?: Record<string, Range>;
}

export interface QuantizeResult {
  variants: QuantVariant[];
  /** Per-layer weight error of four schemes. */
  errors: Record<'int8-tensor' | 'int8-channel' | 'int4-tensor' | 'int4-channel', LayerError[]>;
  /** Per layer: histogram of w − ŵ, int8 per tensor against per channel, on one set of bins. */
  histograms: { layer: string; centers: number[]; tensor: number[]; channel: number[] }[];
  /** Activation ranges per layer: observed extremes and percentiles. */
  ranges: { layer: string; minmax: Range; percentile: Range }[];
  /** QAT loss per update. */
  qatLosses: number[];
  onnx: { floatBytes: number; int8Bytes: number };
  /** The int8 ONNX file, for an inference runtime. */
  onnxInt8: Uint8Array;
  onnxFloat: Uint8Array;
  /** The quantized models, kernels replaced by their dequantized codes, for saving. */
  models: Partial<Record<VariantKey, tfl.LayersModel>>;
  /** Every variant as the kit measured it (what a saved variant records). */
  measured: Partial<Record<VariantKey, Measured>>;
}

/** The one progress callback of every engine (core/task.ts). */
export type Progress = OnProgress;

/**
 * Every quantization of one trained model, scored on the same test images: weight-only int8 per
 * tensor and per channel (post-training "dynamic" quantization), static int8 with activations
 * calibrated on sample images (min–max against percentile ranges), int4 weights, and int4 with
 * quantization-aware fine-tuning.
 */
export async function runQuantize(base: tfl.LayersModel, inputShape: number[], data: Images, meter: Meter, s: QuantizeSettings, progress: Progress = () => {}): Promise<QuantizeResult> {
  const train = { ...data, n: Math.min(s.trainSize, data.n) };
  const made: (MeasureEntry & { key: VariantKey; description: string; activationRanges?: Record<string, Range> })[] = [];
  const score = async (key: VariantKey, description: string, model: tfl.LayersModel, scheme?: WeightScheme, plan?: QuantPlan, activationRanges?: Record<string, Range>, extraBytes = 0) => {
    meter.checkStop();
    made.push({ key, description, model, scheme, plan, activationRanges, extraBytes });
  };

  progress({ fraction: 0.02, stage: 'the float32 model' });
  await score('float32', 'float32 baseline', cloneModel(base));

  const int8: Record<Granularity, WeightScheme> = { tensor: { bits: 8, granularity: 'tensor' }, channel: { bits: 8, granularity: 'channel' } };
  for (const g of ['tensor', 'channel'] as const) {
    progress({ fraction: 0.08, stage: `int8 weights per ${g}` });
    const m = cloneModel(base);
    quantizeKernelsInPlace(m, int8[g]);
    await score(`int8-${g}`, `dynamic int8: weights int8 per ${g}, activations float`, m, int8[g]);
  }

  progress({ fraction: 0.2, stage: `calibrating activations on ${s.calibrationSize} images` });
  const rows = calibrationRows(train.n, s.calibrationSize, s.seed);
  const samples = tf.tidy(() => rowsTensor(train.pixels, 784, rows, inputShape));
  const acts = activationSamples(base, samples);
  samples.dispose();
  const ranges = Object.entries(acts).map(([layer, v]) => ({ layer, minmax: calibrationRange(v, { method: 'minmax' }), percentile: calibrationRange(v, { method: 'percentile', percentile: s.percentile }) }));
  for (const method of ['minmax', 'percentile'] as const) {
    progress({ fraction: 0.3, stage: `static int8 (${method} ranges)` });
    const m = cloneModel(base);
    quantizeKernelsInPlace(m, int8.channel);
    const r = Object.fromEntries(ranges.map((x) => [x.layer, x[method]]));
    const desc = method === 'minmax' ? 'min–max' : `${s.percentile}th percentile`;
    // Activation codes and their scale/zero point per layer (8 bytes) add nothing to the stored weights but the ranges.
    await score(`static-${method}`, `static: weights int8 per channel, activations int${s.activationBits} with ${desc} ranges from ${rows.length} images`, m, int8.channel, { activations: { bits: s.activationBits, ranges: r } }, r, 8 * ranges.length);
  }

  const int4: WeightScheme = { bits: 4, granularity: s.int4Granularity };
  progress({ fraction: 0.4, stage: `int4 weights per ${s.int4Granularity}` });
  const ptq4 = cloneModel(base);
  quantizeKernelsInPlace(ptq4, int4);
  await score('int4-ptq', `int4 weights per ${s.int4Granularity}, post-training`, ptq4, int4);

  const qat = cloneModel(base);
  const plan: QuantPlan = { weights: int4 };
  const { losses } = await fitEpochs(qat, train, inputShape, {
    epochs: s.qatEpochs, batchSize: 64, learningRate: s.qatLearningRate, seed: s.seed, forward: fakeQuant(plan), beforeUpdate: () => meter.checkStop(),
    onStep: (p) => progress({ fraction: 0.45 + 0.25 * p.progress, stage: `quantization-aware fine-tuning (int4), loss ${p.loss.toFixed(3)}` }),
  });
  quantizeKernelsInPlace(qat, int4);
  await score('int4-qat', `int4 weights per ${s.int4Granularity}, quantization-aware fine-tuning ${plural(s.qatEpochs, 'epoch')} on ${train.n} images`, qat, int4);

  // The control: the same fine-tuning without quantization. QAT's gain over int4 PTQ counts only
  // where it exceeds what this extra training alone gives the float model.
  const ft = cloneModel(base);
  await fitEpochs(ft, train, inputShape, {
    epochs: s.qatEpochs, batchSize: 64, learningRate: s.qatLearningRate, seed: s.seed, beforeUpdate: () => meter.checkStop(),
    onStep: (p) => progress({ fraction: 0.7 + 0.2 * p.progress, stage: 'float fine-tuning with the same budget (control)' }),
  });
  await score('float-ft', `float32 fine-tuned like QAT (control): ${plural(s.qatEpochs, 'epoch')} on ${train.n} images`, ft);

  // One measurement of all eight, their latencies timed round-robin: like with like.
  progress({ fraction: 0.9, stage: 'measuring every variant on the test images' });
  const ms = await meter.measure(made);
  const variants: QuantVariant[] = made.map((v, i) => ({ key: v.key, description: v.description, accuracy: ms[i].accuracy, bytes: ms[i].bytes, latencyMs: ms[i].latency.batch1Ms, weights: v.scheme, activationRanges: v.activationRanges }));
  const models = Object.fromEntries(made.map((v) => [v.key, v.model])) as QuantizeResult['models'];
  const measured = Object.fromEntries(made.map((v, i) => [v.key, ms[i]])) as QuantizeResult['measured'];

  progress({ fraction: 0.93, stage: 'weight errors and ONNX files' });
  const schemes = { 'int8-tensor': int8.tensor, 'int8-channel': int8.channel, 'int4-tensor': { bits: 4, granularity: 'tensor' }, 'int4-channel': { bits: 4, granularity: 'channel' } } as const;
  const errors = Object.fromEntries(Object.entries(schemes).map(([k, sc]) => [k, layerErrors(base, sc).stats])) as QuantizeResult['errors'];
  const et = layerErrors(base, int8.tensor);
  const ec = layerErrors(base, int8.channel);
  const histograms = et.stats.map((st, i) => {
    const ht = histogram(et.errors[i], st.max, 41);
    return { layer: st.layer, centers: ht.centers, tensor: ht.counts, channel: histogram(ec.errors[i], st.max, 41).counts };
  });
  const onnxFloat = exportOnnx(base);
  const onnxInt8 = exportOnnx(base, { weights: 'int8' });
  return { variants, errors, histograms, ranges, qatLosses: losses, onnx: { floatBytes: onnxFloat.length, int8Bytes: onnxInt8.length }, onnxInt8, onnxFloat, models, measured };
}

/** A seeded choice of calibration images. */
export function calibrationRows(n: number, size: number, seed: number): Int32Array {
  return permutation(n, mulberry32(deriveSeed(seed, 77))).slice(0, Math.min(size, n));
}
