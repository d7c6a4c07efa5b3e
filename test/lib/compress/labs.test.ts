import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../ml/tf-node.ts';
import { syntheticImages } from '../ml/fixtures.ts';
import { buildModel } from '../../../src/lib/ml/models.ts';
import * as tf from '@tensorflow/tfjs-core';
import { kitMeter, stopWhen, type Images } from '../../../src/lib/compress/labs/fit.ts';
import { CompressKit } from '../../../src/lib/compress/kit.ts';
import { fitEpochs } from '../../../src/lib/ml/loop.ts';
import { StoppedError } from '../../../src/lib/core/task.ts';
import { runQuantize, QUANTIZE_DEFAULTS } from '../../../src/lib/compress/labs/quantize-lab.ts';
import { runDistill, DISTILL_DEFAULTS } from '../../../src/lib/compress/labs/distill-lab.ts';
import { histogram, modelBytes } from '../../../src/lib/compress/labs/weights.ts';
import { DEFAULT_FIELDS, toDistillSettings, validateFields } from '../../../src/lib/compress/labs/settings.ts';
import type { ImageSet } from '../../../src/lib/data/fashion.ts';

const images = (s: ImageSet): Images => ({ pixels: Float32Array.from(s.images, (v) => v / 255), labels: s.labels, n: s.n });
const sets = { train: syntheticImages(640, 1), test: syntheticImages(200, 2) };
const data = { train: images(sets.train), test: images(sets.test) };
// The one measurement path: every variant scored on the kit's fixed test set (here the 200 synthetic test images).
const kit = new CompressKit({ train: sets.train, val: sets.test, test: sets.test, hash: 'synthetic' });
const small = new CompressKit({ train: syntheticImages(128, 1), val: syntheticImages(64, 2), test: syntheticImages(64, 2), hash: 'synthetic-small' });

beforeAll(() => useBackend('wasm'));

async function trainedMlp() {
  const m = buildModel('mlp', 5);
  await fitEpochs(m, data.train, [784], { epochs: 2, batchSize: 64, learningRate: 2e-3, seed: 5 });
  return m;
}

describe('compression lab experiments', () => {
  it('modelBytes (storedBytes) counts float32 weights, zeros as a bitmask where smaller, or packed kernel codes plus one float32 scale per tensor or output channel', async () => {
    const m = buildModel('mlp', 1);
    // 784·256 + 256·128 + 128·10 kernel weights, 256 + 128 + 10 biases.
    const k = 784 * 256 + 256 * 128 + 128 * 10, b = 256 + 128 + 10;
    // A fresh model's biases are all zero: each bias vector is stored as its keep-bitmask, ⌈n/8⌉ bytes.
    expect(modelBytes(m)).toBe(4 * k + 256 / 8 + 128 / 8 + Math.ceil(10 / 8));
    const ones = m.getWeights().map((w) => tf.onesLike(w));
    m.setWeights(ones);
    tf.dispose(ones);
    expect(modelBytes(m)).toBe(4 * (k + b));
    expect(modelBytes(m, { bits: 8, granularity: 'tensor' })).toBe(k + 3 * 4 + 4 * b);
    expect(modelBytes(m, { bits: 8, granularity: 'channel' })).toBe(k + 4 * (256 + 128 + 10) + 4 * b);
    expect(modelBytes(m, { bits: 4, granularity: 'tensor' })).toBe(k / 2 + 3 * 4 + 4 * b);
    m.dispose();
  });

  it('histogram(values, limit, bins) puts each value in its bin and out-of-range values in the end bins', () => {
    const h = histogram(Float32Array.from([-2, -0.9, -0.1, 0.1, 0.3, 0.99, 5]), 1, 4);
    expect(h.centers).toEqual([-0.75, -0.25, 0.25, 0.75]);
    expect(h.counts).toEqual([2, 1, 2, 2]);
  });

  it('runQuantize: every variant scored; int8 within a point of float on learnable data; QAT trains through fake-quantized int4 kernels', async () => {
    const base = await trainedMlp();
    const r = await runQuantize(base, [784], data.train, kitMeter(kit), { ...QUANTIZE_DEFAULTS, trainSize: 640, calibrationSize: 64 });
    expect(r.variants.map((v) => v.key)).toEqual(['float32', 'int8-tensor', 'int8-channel', 'static-minmax', 'static-percentile', 'int4-ptq', 'int4-qat', 'float-ft']);
    const acc = (k: string) => r.variants.find((v) => v.key === k)!.accuracy;
    expect(acc('float32')).toBeGreaterThan(0.8);
    expect(Math.abs(acc('int8-channel') - acc('float32'))).toBeLessThanOrEqual(0.01);
    expect(r.qatLosses.length).toBe(10);
    // Calibration: the percentile range lies inside the min–max range.
    for (const x of r.ranges) expect(x.percentile.max).toBeLessThanOrEqual(x.minmax.max);
    // The int8 ONNX file is about a quarter of the float one.
    expect(r.onnx.int8Bytes / r.onnx.floatBytes).toBeLessThan(0.27);
    // Per-channel int8 error never exceeds per-tensor error in any layer.
    r.errors['int8-channel'].forEach((e, i) => expect(e.rms).toBeLessThanOrEqual(r.errors['int8-tensor'][i].rms));
    base.dispose();
  }, 120_000);

  it('runDistill: same seed and settings give the same students; the teacher-free student is the α = 0 run; int4 QAT student is tiny', async () => {
    const teacher = await trainedMlp();
    const s = { ...DISTILL_DEFAULTS, trainSize: 640, epochs: 2, temperatures: [4], alphas: [0.5], qatBits: 4 as const };
    const a = await runDistill({ model: teacher, inputShape: [784], description: 't' }, data.train, kitMeter(kit), s);
    const b = await runDistill({ model: teacher, inputShape: [784], description: 't' }, data.train, kitMeter(kit), s);
    expect(a.students.map((x) => x.key)).toEqual(['alone', 'T4-a0.5', 'qat4-T4-a0.5']);
    expect(a.students.map((x) => x.accuracy)).toEqual(b.students.map((x) => x.accuracy));
    expect(a.students[0].alpha).toBe(0);
    expect(a.students[0].curve.length).toBe(2);
    // 784·32 + 32·10 kernel weights in 4 bits plus a scale per unit, 42 float32 biases; teacher float32.
    expect(a.students[2].bytes).toBe((784 * 32 + 32 * 10) / 2 + 4 * 42 + 4 * 42);
    expect(a.students[2].sizeFraction).toBeCloseTo(a.students[2].bytes / a.teacher.bytes, 12);
    teacher.dispose();
  }, 120_000);

  it('runQuantize and runDistill take a CNN (the learner\'s other model): conv kernels quantized per filter, QAT through conv2d, an MLP student', async () => {
    const cnn = buildModel('cnn', 3);
    const train = small.trainImages();
    await fitEpochs(cnn, train, [28, 28, 1], { epochs: 1, batchSize: 32, learningRate: 1e-3, seed: 3 });
    const q = await runQuantize(cnn, [28, 28, 1], train, kitMeter(small), { ...QUANTIZE_DEFAULTS, trainSize: 128, calibrationSize: 16 });
    expect(q.errors['int8-channel'].map((e) => e.layer)).toEqual(['conv1', 'conv2', 'dense1', 'logits']);
    expect(q.qatLosses.length).toBe(2);
    expect(q.variants.every((v) => Number.isFinite(v.accuracy))).toBe(true);
    const d = await runDistill({ model: cnn, inputShape: [28, 28, 1], description: 'cnn' }, train, kitMeter(small), { ...DISTILL_DEFAULTS, trainSize: 128, epochs: 1, temperatures: [2], alphas: [0.5], selfDistill: true });
    expect(d.students.map((x) => x.key)).toEqual(['alone', 'T2-a0.5', 'self-T2-a0.5']);
    expect(d.students[2].params).toBe(cnn.countParams());
    cnn.dispose();
  }, 180_000);

  it('fitEpochs with stopWhen(control) stops with StoppedError between updates when the control is cancelled', async () => {
    const m = buildModel('mlp', 2);
    const control = { cancelled: false };
    let updates = 0;
    const p = fitEpochs(m, data.train, [784], { epochs: 3, batchSize: 64, learningRate: 1e-3, seed: 1, beforeUpdate: stopWhen(control), onStep: () => { if (++updates === 3) control.cancelled = true; } });
    await expect(p).rejects.toBeInstanceOf(StoppedError);
    expect(updates).toBe(3);
    m.dispose();
  });

  it('distillation settings: lists of T and α are parsed; bad values are refused naming the field', () => {
    expect(toDistillSettings({ ...DEFAULT_FIELDS.distill, temperatures: '1,2,4,8', alphas: '0.3,0.5,0.9' })).toMatchObject({ temperatures: [1, 2, 4, 8], alphas: [0.3, 0.5, 0.9] });
    expect(() => validateFields('distill', { ...DEFAULT_FIELDS.distill, studentUnits: 0 })).toThrow(/Student hidden units must be between 4 and 512/);
    expect(() => validateFields('quantize', { ...DEFAULT_FIELDS.quantize, activationBits: '3' })).toThrow(/Activation bits \(static\) must be one of 8 \| 4/);
  });
});
