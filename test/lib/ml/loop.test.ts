import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from './tf-node.ts';
import { syntheticImages } from './fixtures.ts';
import { buildModel } from '../../../src/lib/ml/models.ts';
import { floatPixels, subsetIndices } from '../../../src/lib/ml/batches.ts';
import { DivergedError, fitEpochs, type Images } from '../../../src/lib/ml/loop.ts';
import { crossEntropy } from '../../../src/lib/ml/step.ts';

const set = syntheticImages(256, 4);
const data: Images = { pixels: floatPixels(set), labels: set.labels, n: set.n };
const flat = (m: ReturnType<typeof buildModel>) => Float32Array.from(m.getWeights().flatMap((w) => Array.from(w.dataSync())));

beforeAll(() => useBackend('wasm'));

describe('fitEpochs (ml/loop.ts): the one training loop', () => {
  it('is bit-identical for the same seed and subset, and differs for another subset; floor(n / batch) updates per epoch', async () => {
    const run = async (seed: number) => {
      const m = buildModel('mlp', 1);
      const r = await fitEpochs(m, data, [784], { epochs: 2, batchSize: 32, learningRate: 1e-3, seed: 3, subset: subsetIndices(set.n, 200, seed) });
      const w = flat(m);
      m.dispose();
      return { r, w };
    };
    const [a, b, c] = [await run(1), await run(1), await run(2)];
    expect(a.r.steps).toBe(2 * Math.floor(200 / 32));
    expect(a.r.epochs.at(-1)).toBe(2);
    expect(Array.from(a.w)).toEqual(Array.from(b.w));
    expect(Array.from(a.w)).not.toEqual(Array.from(c.w));
  }, 60_000);

  it('a loss option replaces cross-entropy, and a teacher with the loss of plain cross-entropy trains exactly as no teacher', async () => {
    const plain = buildModel('mlp', 2);
    const taught = buildModel('mlp', 2);
    const opts = { epochs: 1, batchSize: 64, learningRate: 1e-3, seed: 5 };
    await fitEpochs(plain, data, [784], opts);
    // The teacher's logits are sliced per batch; a loss that ignores them must leave the update unchanged.
    await fitEpochs(taught, data, [784], { ...opts, teacher: { logits: new Float32Array(set.n * 10), classes: 10, loss: (z, _t, y) => crossEntropy(z, y) } });
    expect(Array.from(flat(taught))).toEqual(Array.from(flat(plain)));
    const pulled = buildModel('mlp', 2);
    const r = await fitEpochs(pulled, data, [784], { ...opts, batchSize: 16, learningRate: 0.01, loss: (z) => tf.mean(tf.square(tf.sub(z, 3))) as tf.Scalar });
    expect(r.losses.at(-1)!).toBeLessThan(0.2 * r.losses[0]);
    tf.dispose([plain, taught, pulled].map((m) => m.getWeights()).flat());
  }, 60_000);

  it('throws DivergedError naming the update when the loss stops being finite', async () => {
    const m = buildModel('mlp', 3);
    const nan = (z: tf.Tensor2D) => tf.mul(tf.sum(z), NaN) as tf.Scalar;
    await expect(fitEpochs(m, data, [784], { epochs: 1, batchSize: 64, seed: 1, loss: nan })).rejects.toBeInstanceOf(DivergedError);
    await expect(fitEpochs(m, data, [784], { epochs: 1, batchSize: 64, seed: 1, loss: nan })).rejects.toThrow(/diverged at update 1: the loss became NaN/);
    m.dispose();
  });
});
