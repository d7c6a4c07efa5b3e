import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { uniform, useBackend } from '../ml/tf-node.ts';
import { dequantize, quantize } from '../../../src/lib/ml/quantize.ts';
import { activationSamples, fakeQuantWeights, quantizedApply } from '../../../src/lib/compress/qat.ts';
import { buildModel } from '../../../src/lib/ml/models.ts';

beforeAll(() => useBackend('cpu'));

/** A kernel whose output channels have very different scales, so per-channel and per-tensor differ. */
function kernel(shape: number[], seed: number): Float32Array {
  const out = shape[shape.length - 1];
  return uniform(shape.reduce((a, b) => a * b, 1), seed).map((v, i) => v * (0.05 + (i % out)));
}

describe('fakeQuantWeights', () => {
  for (const bits of [8, 4] as const) {
    for (const [granularity, shape] of [['tensor', [40, 6]], ['channel', [40, 6]], ['channel', [3, 3, 4, 5]]] as const) {
      it(`fakeQuantWeights(${bits}-bit per ${granularity}, [${shape}]) equals dequantize(quantize(w)) of the same scheme`, () => {
        const w = kernel([...shape], bits + shape.length);
        const got = tf.tidy(() => fakeQuantWeights(tf.tensor(w, [...shape]), { bits, granularity }).dataSync());
        const ref = dequantize(quantize(w, { bits, scheme: 'symmetric', ...(granularity === 'channel' ? { axis: shape.length - 1, shape: [...shape] } : {}) }));
        let mismatches = 0;
        for (let i = 0; i < w.length; i++) if (Math.abs(got[i] - ref[i]) > 1e-6 * Math.abs(ref[i]) + 1e-9) mismatches++;
        expect(mismatches).toBe(0);
        // And it really is on a coarse grid: at most 2^bits − 1 distinct values per channel.
        expect(new Set(Array.from(got)).size).toBeLessThanOrEqual((2 ** bits - 1) * (granularity === 'channel' ? shape[shape.length - 1] : 1));
      });
    }
  }

  it('fakeQuantWeights passes the gradient straight through: d/dw Σ c·ŵ(w) = c, though rounding is flat', () => {
    const w = tf.tensor(kernel([12, 4], 7), [12, 4]);
    const c = tf.tensor(uniform(48, 8), [12, 4]);
    for (const granularity of ['tensor', 'channel'] as const) {
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(fakeQuantWeights(x, { bits: 4, granularity }), c)))(w);
      expect(Array.from(g.dataSync())).toEqual(Array.from(c.dataSync()));
      g.dispose();
    }
    tf.dispose([w, c]);
  });
});

describe('quantizedApply', () => {
  it('quantizedApply with an empty plan equals model.apply (MLP and CNN)', () => {
    for (const kind of ['mlp', 'cnn'] as const) {
      const model = buildModel(kind, 3);
      const x = tf.tensor(uniform(2 * 784, 5).map((v) => (v + 1) / 2), kind === 'mlp' ? [2, 784] : [2, 28, 28, 1]);
      const [a, b] = tf.tidy(() => [(model.apply(x) as tf.Tensor).dataSync(), quantizedApply(model, x, {}).dataSync()]);
      a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 5));
      x.dispose();
      model.dispose();
    }
  });

  it('quantizedApply with int8 weights equals a model whose kernels were replaced by dequantize(quantize(kernel))', () => {
    const model = buildModel('cnn', 4);
    const x = tf.tensor(uniform(3 * 784, 6).map((v) => (v + 1) / 2), [3, 28, 28, 1]);
    const fq = tf.tidy(() => quantizedApply(model, x, { weights: { bits: 8, granularity: 'channel' } }).dataSync());
    for (const layer of model.layers) {
      const ws = layer.getWeights();
      if (ws.length === 0) continue;
      const k = ws[0];
      const deq = dequantize(quantize(k.dataSync() as Float32Array, { bits: 8, scheme: 'symmetric', axis: k.shape.length - 1, shape: k.shape }));
      layer.setWeights([tf.tensor(deq, k.shape), ...ws.slice(1)]);
    }
    const ref = tf.tidy(() => (model.apply(x) as tf.Tensor).dataSync());
    ref.forEach((v, i) => expect(fq[i]).toBeCloseTo(v, 4));
    x.dispose();
    model.dispose();
  });

  it('activation fake-quant clips outside the calibrated range: the STE gradient is zero there and passes through inside', () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 1, useBias: false, kernelInitializer: 'ones', name: 'd' })] });
    const x = tf.tensor2d([[0.1, 0.5, 2.0, -3.0]]);
    const plan = { activations: { bits: 8 as const, ranges: { d: { min: -1, max: 1 } } } };
    // Forward: inputs 2 and −3 are clipped to the range ends (1 and −1 up to a code step).
    const y = tf.tidy(() => quantizedApply(model, x, plan).dataSync()[0]);
    expect(y).toBeCloseTo(0.1 + 0.5 + 1 - 1, 1);
    const g = tf.grad((inp: tf.Tensor) => tf.sum(quantizedApply(model, inp, plan)))(x).dataSync();
    expect(Array.from(g)).toEqual([1, 1, 0, 0]);
    model.dispose();
  });

  it('QAT: tf.variableGrads through quantizedApply reaches every kernel and bias of the model', () => {
    const model = buildModel('mlp', 9);
    const x = tf.tensor(uniform(4 * 784, 2).map((v) => (v + 1) / 2), [4, 784]);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const ranges = Object.fromEntries(Object.entries(activationSamples(model, x)).map(([k, v]) => [k, { min: Math.min(...v), max: Math.max(...v) }]));
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(quantizedApply(model, x, { weights: { bits: 4, granularity: 'tensor' }, activations: { bits: 8, ranges } }, true))) as tf.Scalar, vars);
    expect(Object.keys(grads).length).toBe(vars.length);
    for (const v of vars) expect(tf.tidy(() => tf.max(tf.abs(grads[v.name])).dataSync()[0])).toBeGreaterThan(0);
    expect(Object.keys(ranges)).toEqual(['dense1', 'dense2', 'logits']);
    tf.dispose([x, value, ...Object.values(grads)]);
    model.dispose();
  });
});
