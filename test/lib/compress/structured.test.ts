import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { relMaxDiff, uniform, useBackend } from '../ml/tf-node.ts';
import { buildModel } from '../../../src/lib/ml/models.ts';
import { cloneModel, compactModel, selectUnits, structuredPrune, unitNorms } from '../../../src/lib/compress/index.ts';

beforeAll(() => useBackend('cpu'));

/** Every layer's output for input x, applying the layers one after another. */
function activations(model: tfl.LayersModel, x: tf.Tensor): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  let h = x;
  for (const l of model.layers) {
    h = l.apply(h) as tf.Tensor;
    out.set(l.name, Float32Array.from(h.dataSync()));
  }
  return out;
}

/** Columns `keep` of a row-major matrix whose rows have `width` entries (the last axis of an activation). */
function columns(a: Float32Array, width: number, keep: number[]): Float32Array {
  const rows = a.length / width;
  return Float32Array.from({ length: rows * keep.length }, (_, i) => a[Math.floor(i / keep.length) * width + keep[i % keep.length]]);
}

/** The original model with the dropped units' kernels and biases zeroed: what compaction must reproduce. */
function zeroDropped(model: tfl.LayersModel, keep: Record<string, number[]>): tfl.LayersModel {
  const z = cloneModel(model);
  for (const [name, kept] of Object.entries(keep)) {
    const l = z.getLayer(name);
    const [k, b] = l.getWeights();
    const n = k.shape[k.shape.length - 1];
    const on = new Set(kept);
    l.setWeights([
      tf.tensor(Float32Array.from(k.dataSync()).map((v, i) => (on.has(i % n) ? v : 0)), k.shape),
      tf.tensor(Float32Array.from(b.dataSync()).map((v, i) => (on.has(i) ? v : 0)), b.shape),
    ]);
  }
  return z;
}

describe('structured pruning', () => {
  it('unitNorms(model, dense1) equals the L2 norm of each kernel column', () => {
    const model = buildModel('mlp', 2);
    const k = model.getLayer('dense1').getWeights()[0];
    const data = k.dataSync();
    const norms = unitNorms(model, 'dense1');
    expect(norms.length).toBe(256);
    for (const j of [0, 17, 255]) {
      let s = 0;
      for (let i = 0; i < 784; i++) s += data[i * 256 + j] ** 2;
      expect(norms[j]).toBeCloseTo(Math.sqrt(s), 5);
    }
    model.dispose();
  });

  it('selectUnits keeps the n − round(f·n) largest-norm units of each hidden layer, not the output layer', () => {
    const model = buildModel('mlp', 2);
    const keep = selectUnits(model, { fraction: 0.75 });
    expect(Object.keys(keep)).toEqual(['dense1', 'dense2']);
    expect(keep.dense1.length).toBe(64);
    expect(keep.dense2.length).toBe(32);
    const norms = unitNorms(model, 'dense1');
    const kept = new Set(keep.dense1);
    const minKept = Math.min(...keep.dense1.map((i) => norms[i]));
    for (let i = 0; i < 256; i++) if (!kept.has(i)) expect(norms[i]).toBeLessThanOrEqual(minKept);
    model.dispose();
  });

  it('compactModel(mlp) is smaller and its kept units compute what they did in the original', () => {
    const model = buildModel('mlp', 5);
    const { model: small, keep } = structuredPrune(model, { fraction: 0.5 });
    expect(small.getLayer('dense1').getWeights()[0].shape).toEqual([784, 128]);
    expect(small.getLayer('dense2').getWeights()[0].shape).toEqual([128, 64]);
    expect(small.getLayer('logits').getWeights()[0].shape).toEqual([64, 10]);
    expect(small.countParams()).toBe(784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10);
    const x = tf.tensor(uniform(4 * 784, 1), [4, 784]);
    // dense1's kept units see the same inputs and weights: equal to the original's columns.
    const full = activations(model, x);
    const comp = activations(small, x);
    expect(relMaxDiff(comp.get('dense1')!, columns(full.get('dense1')!, 256, keep.dense1))).toBeLessThan(1e-6);
    // Downstream, compaction equals the original with the dropped units zeroed.
    const zeroed = activations(zeroDropped(model, keep), x);
    expect(relMaxDiff(comp.get('dense2')!, columns(zeroed.get('dense2')!, 128, keep.dense2))).toBeLessThan(1e-5);
    expect(relMaxDiff(comp.get('logits')!, zeroed.get('logits')!)).toBeLessThan(1e-5);
    x.dispose();
  });

  it('compactModel(cnn) drops filters through pooling and flatten and matches the zeroed original', () => {
    const model = buildModel('cnn', 6);
    const keep = selectUnits(model, { fraction: 0.5, layers: ['conv1', 'conv2', 'dense1'] });
    const small = compactModel(model, keep);
    expect(small.getLayer('conv1').getWeights()[0].shape).toEqual([3, 3, 1, 8]);
    expect(small.getLayer('conv2').getWeights()[0].shape).toEqual([3, 3, 8, 16]);
    expect(small.getLayer('dense1').getWeights()[0].shape).toEqual([7 * 7 * 16, 64]);
    expect(small.countParams()).toBeLessThan(model.countParams() / 3);
    const x = tf.tensor(uniform(3 * 784, 2), [3, 28, 28, 1]);
    const full = activations(model, x);
    const comp = activations(small, x);
    expect(relMaxDiff(comp.get('conv1')!, columns(full.get('conv1')!, 16, keep.conv1))).toBeLessThan(1e-6);
    const zeroed = activations(zeroDropped(model, keep), x);
    expect(relMaxDiff(comp.get('conv2')!, columns(zeroed.get('conv2')!, 32, keep.conv2))).toBeLessThan(1e-5);
    expect(relMaxDiff(comp.get('logits')!, zeroed.get('logits')!)).toBeLessThan(1e-5);
    x.dispose();
  });

  it('compactModel refuses to drop output units and bad indices', () => {
    const model = buildModel('mlp', 1);
    expect(() => compactModel(model, { logits: [0, 1] })).toThrow(/outputs/);
    expect(() => compactModel(model, { dense1: [300] })).toThrow(/indices/);
  });
});
