import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { uniform, useBackend } from '../ml/tf-node.ts';
import { buildModel } from '../../../src/lib/ml/models.ts';
import { cloneModel, kernelSparsity, magnitudePrune, pruneModel } from '../../../src/lib/compress/index.ts';

beforeAll(() => useBackend('cpu'));

const zeros = (a: ArrayLike<number>) => Array.from(a).filter((v) => v === 0).length;

describe('magnitudePrune', () => {
  it('magnitudePrune(values, s) zeroes exactly round(s·n) entries, the smallest in magnitude', () => {
    const values = uniform(1001, 5);
    for (const s of [0, 0.1, 0.5, 0.731, 0.9, 1]) {
      const { values: out, mask } = magnitudePrune(values, s);
      const k = Math.round(s * values.length);
      expect(zeros(mask)).toBe(k);
      expect(zeros(out)).toBe(k);
      // Every pruned magnitude is ≤ every kept one: checked against a sort done here.
      const sorted = Array.from(values, Math.abs).sort((a, b) => a - b);
      for (let i = 0; i < values.length; i++) {
        if (mask[i]) expect(out[i]).toBe(values[i]);
        if (k > 0 && k < values.length) {
          if (mask[i]) expect(Math.abs(values[i])).toBeGreaterThanOrEqual(sorted[k - 1]);
          else expect(Math.abs(values[i])).toBeLessThanOrEqual(sorted[k]);
        }
      }
    }
  });

  it('magnitudePrune breaks ties by index: among equal magnitudes the lower indices go first', () => {
    const values = Float32Array.from([0.5, -0.5, 0.5, 0.1, 0.5, -0.5]);
    const { mask } = magnitudePrune(values, 0.5);
    expect(Array.from(mask)).toEqual([0, 0, 1, 0, 1, 1]);
  });

  it('magnitudePrune refuses a sparsity outside [0, 1]', () => {
    expect(() => magnitudePrune(new Float32Array(4), 1.5)).toThrow(/\[0, 1\]/);
  });
});

describe('pruneModel', () => {
  it("pruneModel(mlp, scope 'layer') gives every kernel the same sparsity and leaves biases alone", () => {
    const model = buildModel('mlp', 3);
    const layers = model.layers.map((l) => ({ name: l.name, bias: Array.from(l.getWeights()[1].dataSync()) }));
    const masks = pruneModel(model, { sparsity: 0.8, scope: 'layer' });
    expect(masks.map((m) => m.layer)).toEqual(['dense1', 'dense2', 'logits']);
    for (const m of masks) {
      const kernel = model.getLayer(m.layer).getWeights()[0].dataSync();
      expect(zeros(kernel)).toBe(Math.round(0.8 * kernel.length));
      expect(m.sparsity).toBeCloseTo(Math.round(0.8 * kernel.length) / kernel.length, 12);
    }
    for (const l of layers) expect(Array.from(model.getLayer(l.name).getWeights()[1].dataSync())).toEqual(l.bias);
    model.dispose();
  });

  it("pruneModel(mlp, scope 'global') hits the overall sparsity with one threshold across layers", () => {
    const model = buildModel('mlp', 3);
    const before = model.layers.map((l) => Float32Array.from(l.getWeights()[0].dataSync()));
    const total = before.reduce((s, k) => s + k.length, 0);
    const masks = pruneModel(model, { sparsity: 0.7, scope: 'global' });
    expect(kernelSparsity(model)).toBeCloseTo(Math.round(0.7 * total) / total, 12);
    // One threshold: the largest pruned |w| anywhere is ≤ the smallest kept |w| anywhere.
    let maxPruned = 0;
    let minKept = Infinity;
    masks.forEach((m, i) => m.mask.forEach((keep, j) => {
      const a = Math.abs(before[i][j]);
      if (keep) minKept = Math.min(minKept, a);
      else maxPruned = Math.max(maxPruned, a);
    }));
    expect(maxPruned).toBeLessThanOrEqual(minKept);
    // Glorot init gives the wide first layer the smallest weights, so it loses more than the rest.
    expect(masks[0].sparsity).toBeGreaterThan(masks[2].sparsity);
    model.dispose();
  });

  it('pruneModel on a clone leaves the original untouched and the clone computes the masked network', () => {
    const model = buildModel('cnn', 4);
    const pruned = cloneModel(model);
    const masks = pruneModel(pruned, { sparsity: 0.5, scope: 'layer' });
    expect(kernelSparsity(model)).toBe(0);
    expect(masks.map((m) => m.layer)).toEqual(['conv1', 'conv2', 'dense1', 'logits']);
    // Independent check: zero the same entries by hand in another clone and compare outputs.
    const manual = cloneModel(model);
    for (const m of masks) {
      const l = manual.getLayer(m.layer);
      const [k, b] = l.getWeights();
      const data = Float32Array.from(k.dataSync()).map((v, i) => (m.mask[i] ? v : 0));
      l.setWeights([tf.tensor(data, k.shape), b]);
    }
    const x = tf.tensor(uniform(2 * 784, 9), [2, 28, 28, 1]);
    const a = (pruned.predict(x) as tf.Tensor).dataSync();
    const b = (manual.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    tf.dispose([x]);
    [model, pruned, manual].forEach((m) => m.dispose());
  });
});
