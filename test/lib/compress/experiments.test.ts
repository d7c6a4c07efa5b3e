import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { relMaxDiff, uniform, useBackend } from '../ml/tf-node.ts';
import { buildModel } from '../../../src/lib/ml/models.ts';
import { factorizeDense, factorizeDenseLayers, lowRankFactorize, truncateLowRank } from '../../../src/lib/compress/index.ts';
import { iterativeSchedule, validatePrune, PRUNE_DEFAULTS } from '../../../src/lib/compress/experiments/prune-settings.ts';
import { parseRanks, validateLowRank, LOWRANK_DEFAULTS } from '../../../src/lib/compress/experiments/lowrank-settings.ts';
import { targetLayers, truncationError } from '../../../src/lib/compress/experiments/lowrank.ts';
import { storedBytes } from '../../../src/lib/compress/service.ts';

beforeAll(() => useBackend('cpu'));

function product(a: Float32Array, b: Float32Array, rows: number, k: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let r = 0; r < k; r++) for (let j = 0; j < cols; j++) out[i * cols + j] += a[i * k + r] * b[r * cols + j];
  return out;
}

describe('low-rank sweep pieces', () => {
  const [rows, cols] = [40, 24];
  const w = uniform(rows * cols, 3);
  const full = lowRankFactorize(w, rows, cols, Math.min(rows, cols));

  it('truncateLowRank(full SVD, k) gives the same product a·b as factorizing at rank k directly', () => {
    for (const k of [1, 5, 12, 24]) {
      const t = truncateLowRank(full, rows, cols, k);
      const d = lowRankFactorize(w, rows, cols, k);
      expect(relMaxDiff(product(t.a, t.b, rows, k, cols), product(d.a, d.b, rows, k, cols))).toBeLessThan(1e-5);
    }
    expect(() => truncateLowRank(full, rows, cols, 25)).toThrow(/\[1, 24\]/);
  });

  it('truncationError(σ, k) equals ‖W − W_k‖_F / ‖W‖_F computed from the matrices', () => {
    for (const k of [1, 6, 20]) {
      const { a, b } = truncateLowRank(full, rows, cols, k);
      const p = product(a, b, rows, k, cols);
      let num = 0;
      let den = 0;
      for (let i = 0; i < w.length; i++) {
        num += (w[i] - p[i]) ** 2;
        den += w[i] ** 2;
      }
      expect(truncationError(full.singularValues, k)).toBeCloseTo(Math.sqrt(num / den), 5);
    }
    expect(truncationError([3, 4], 0)).toBe(1);
    expect(truncationError([3, 4], 1)).toBeCloseTo(0.8, 12);
  });

  it('factorizeDenseLayers with precomputed factors equals factorizing each layer on its own', () => {
    const model = buildModel('mlp', 4);
    const k1 = model.getLayer('dense1').getWeights()[0];
    const f = lowRankFactorize(k1.dataSync() as Float32Array, 784, 256, 256);
    const both = factorizeDenseLayers(model, { dense1: { rank: 16, factors: f }, dense2: { rank: 8 } });
    const one = factorizeDense(factorizeDense(model, 'dense1', 16), 'dense2', 8);
    expect(both.layers.map((l) => l.name)).toEqual(['dense1_a', 'dense1_b', 'dense2_a', 'dense2_b', 'logits']);
    const x = tf.randomUniform([3, 784], 0, 1, 'float32', 2);
    expect(relMaxDiff((both.predict(x) as tf.Tensor).dataSync(), (one.predict(x) as tf.Tensor).dataSync())).toBeLessThan(1e-4);
    expect(() => factorizeDenseLayers(model, { nope: { rank: 2 } })).toThrow(/No layer named 'nope'/);
    expect(targetLayers(model, 'hidden')).toEqual(['dense1', 'dense2']);
    expect(targetLayers(model, 'first')).toEqual(['dense1']);
  });
});

describe('compression lab settings', () => {
  it('iterativeSchedule removes the same share of the surviving weights each round and ends at the target', () => {
    const s = iterativeSchedule(0.9, 4);
    expect(s[3]).toBeCloseTo(0.9, 12);
    const survive = [1, ...s.map((x) => 1 - x)];
    for (let i = 1; i < survive.length; i++) expect(survive[i] / survive[i - 1]).toBeCloseTo(0.1 ** 0.25, 12);
  });

  it('validatePrune and validateLowRank name the field at fault; parseRanks sorts and dedupes', () => {
    expect(() => validatePrune({ ...PRUNE_DEFAULTS, sparsity: 1.5 })).toThrow(/Target sparsity must lie in \[0, 0.99\]/);
    expect(() => validatePrune({ ...PRUNE_DEFAULTS, experiment: 'magic' as never })).toThrow(/Experiment must be one of/);
    expect(() => validateLowRank({ ...LOWRANK_DEFAULTS, ranks: '4,x' })).toThrow(/Ranks must be/);
    expect(parseRanks(' 32, 4,8,4 ')).toEqual([4, 8, 32]);
  });

  it('storedBytes counts dense tensors at 4 bytes a weight, tensors with zeros as values plus a 1-bit mask when smaller', () => {
    const model = buildModel('mlp', 1);
    // A fresh MLP: kernels dense (4 bytes each), biases all 0, so each is just its mask: ⌈256/8⌉ + ⌈128/8⌉ + ⌈10/8⌉ bytes.
    expect(storedBytes(model)).toBe(4 * (784 * 256 + 256 * 128 + 128 * 10) + 32 + 16 + 2);
    // Keep every 10th entry of dense1's kernel: 20,071 values (4 bytes) + a mask of 200,704 bits.
    const [k, b] = model.getLayer('dense1').getWeights();
    model.getLayer('dense1').setWeights([tf.tensor(Float32Array.from(k.dataSync(), (v, i) => (i % 10 === 0 ? v : 0)), k.shape), b]);
    expect(storedBytes(model)).toBe(4 * 20071 + 200704 / 8 + 32 + 4 * 256 * 128 + 16 + 4 * 1280 + 2);
  });
});
