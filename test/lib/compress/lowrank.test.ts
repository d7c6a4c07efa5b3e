import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { relMaxDiff, uniform, useBackend } from '../ml/tf-node.ts';
import { buildModel } from '../../../src/lib/ml/models.ts';
import { cloneModel, factorizeDense, lowRankFactorize } from '../../../src/lib/compress/index.ts';
import refs from './refs/refs.json' with { type: 'json' };

beforeAll(() => useBackend('cpu'));

/** ‖w − a·b‖_F in float64. */
function frobeniusError(w: ArrayLike<number>, a: Float32Array, b: Float32Array, rows: number, cols: number, rank: number): number {
  let s = 0;
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      let p = 0;
      for (let r = 0; r < rank; r++) p += a[i * rank + r] * b[r * cols + j];
      s += (w[i * cols + j] - p) ** 2;
    }
  return Math.sqrt(s);
}

describe('lowRankFactorize', () => {
  for (const ref of refs.svd) {
    it(`lowRankFactorize(${ref.rows}×${ref.cols}) has Frobenius error √(Σ discarded σ²) for every rank (Eckart–Young, numpy SVD)`, () => {
      const w = Float32Array.from(ref.w);
      const full = Math.min(ref.rows, ref.cols);
      for (let k = 1; k <= full; k++) {
        const { a, b, singularValues } = lowRankFactorize(w, ref.rows, ref.cols, k);
        expect(a.length).toBe(ref.rows * k);
        expect(b.length).toBe(k * ref.cols);
        const expected = Math.sqrt(ref.singularValues.slice(k).reduce((s, v) => s + v * v, 0));
        const err = frobeniusError(w, a, b, ref.rows, ref.cols, k);
        // float32 factors: an absolute floor of 1e-5 · ‖w‖_F covers their rounding at full rank.
        const norm = Math.sqrt(ref.singularValues.reduce((s, v) => s + v * v, 0));
        expect(Math.abs(err - expected)).toBeLessThanOrEqual(1e-4 * expected + 1e-5 * norm);
        if (k === 1) singularValues.forEach((s, i) => expect(s).toBeCloseTo(ref.singularValues[i], 9));
      }
    });
  }

  it('lowRankFactorize refuses a rank beyond min(rows, cols)', () => {
    expect(() => lowRankFactorize(new Float32Array(6), 2, 3, 3)).toThrow(/Rank/);
  });
});

describe('factorizeDense', () => {
  it('factorizeDense(mlp, dense2, k) has k·(in+out)+out parameters and computes x·(a·b)+bias', async () => {
    const model = buildModel('mlp', 8);
    const k = 16;
    const small = factorizeDense(model, 'dense2', k);
    expect(small.layers.map((l) => l.name)).toEqual(['dense1', 'dense2_a', 'dense2_b', 'logits']);
    expect(small.countParams()).toBe(model.countParams() - (256 * 128 + 128) + (k * (256 + 128) + 128));
    // Independent path: the original model with dense2's kernel replaced by the product a·b, multiplied by tf.
    const [kernel, bias] = model.getLayer('dense2').getWeights();
    const { a, b } = lowRankFactorize(kernel.dataSync() as Float32Array, 256, 128, k);
    const ref = cloneModel(model);
    ref.getLayer('dense2').setWeights([tf.matMul(tf.tensor2d(a, [256, k]), tf.tensor2d(b, [k, 128])), bias]);
    const x = tf.tensor(uniform(5 * 784, 4), [5, 784]);
    expect(relMaxDiff((small.predict(x) as tf.Tensor).dataSync(), (ref.predict(x) as tf.Tensor).dataSync())).toBeLessThan(1e-5);
    // At full rank the factorization is exact: same outputs as the original.
    const exact = factorizeDense(model, 'dense2', 128);
    expect(relMaxDiff((exact.predict(x) as tf.Tensor).dataSync(), (model.predict(x) as tf.Tensor).dataSync())).toBeLessThan(1e-5);
    x.dispose();
  });

  it('factorizeDense refuses a conv layer', () => {
    expect(() => factorizeDense(buildModel('cnn', 1), 'conv1', 2)).toThrow(/only Dense/);
  });
});
