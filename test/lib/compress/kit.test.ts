import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../ml/tf-node.ts';
import { syntheticData } from '../ml/fixtures.ts';
import { buildModel } from '../../../src/lib/ml/models.ts';
import { MemoryRunStore } from '../../../src/lib/store/index.ts';
import { describeOnnx } from '../../../src/lib/onnx/index.ts';
import {
  CompressKit, StoppedError, cloneModel, countParams, exportVariantOnnx, factorizeDense, loadVariant, median, pruneModel, rewindToInit, saveVariant, structuredPrune,
} from '../../../src/lib/compress/index.ts';
import type { ModelVariant } from '../../../src/lib/store/types.ts';

beforeAll(() => useBackend('cpu'));

const kernels = (m: ReturnType<typeof buildModel>) => m.layers.map((l) => Float32Array.from(l.getWeights()[0].dataSync()));

describe('CompressKit', () => {
  const kit = new CompressKit(syntheticData());

  it('fineTune(model, epochs, { masks }) keeps every pruned weight exactly zero while the kept ones move', async () => {
    const model = buildModel('mlp', 3);
    const masks = pruneModel(model, { sparsity: 0.7, scope: 'global' });
    const before = kernels(model);
    const report = await kit.fineTune(model, 2, { masks, trainSize: 320, batchSize: 32, learningRate: 0.01, seed: 5 });
    expect(report.steps).toBe(20);
    const after = kernels(model);
    let moved = 0;
    masks.forEach((m, li) => {
      for (let i = 0; i < m.mask.length; i++) {
        if (!m.mask[i]) expect(Math.abs(after[li][i])).toBe(0); // −0 too: 0 times a negative weight
        else if (after[li][i] !== before[li][i]) moved++;
      }
    });
    // Adam moves essentially every kept weight; without the mask the pruned ones would move too.
    expect(moved).toBeGreaterThan(0.9 * masks.reduce((n, m) => n + m.mask.reduce((s, v) => s + v, 0), 0));
    const unmasked = buildModel('mlp', 3);
    pruneModel(unmasked, { sparsity: 0.7, scope: 'global' });
    await kit.fineTune(unmasked, 1, { trainSize: 320, batchSize: 32, learningRate: 0.01, seed: 5 });
    expect(countParams(unmasked).nonzero).toBeGreaterThan(countParams(model).nonzero);
  });

  it('train(model, { loss }) minimises the loss it is given (a hook for distillation and QAT)', async () => {
    const model = buildModel('mlp', 4);
    // Pull every logit towards 3 (they start near 0): the mean squared distance must fall.
    const loss = (logits: tf.Tensor2D) => tf.mean(tf.square(tf.sub(logits, 3))) as tf.Scalar;
    const report = await kit.train(model, { epochs: 1, trainSize: 320, batchSize: 32, learningRate: 0.01, loss });
    expect(report.losses[report.losses.length - 1]).toBeLessThan(0.2 * report.losses[0]);
  });

  it('train stops at the next update when checkStop throws', async () => {
    const model = buildModel('mlp', 4);
    let n = 0;
    const checkStop = () => {
      if (++n > 3) throw new StoppedError();
    };
    await expect(kit.train(model, { epochs: 1, trainSize: 320, batchSize: 32, checkStop })).rejects.toThrow(/Stopped by you/);
  });

  it('evaluate(model) counts correct test predictions (checked against argmax done here)', async () => {
    const model = buildModel('mlp', 5);
    const { accuracy, predicted } = await kit.evaluate(model);
    const x = tf.tensor(Float32Array.from(kit.data.test.images, (v) => v / 255), [kit.data.test.n, 784]);
    const logits = (model.predict(x) as tf.Tensor2D).arraySync();
    const mine = logits.map((r) => r.indexOf(Math.max(...r)));
    expect(Array.from(predicted)).toEqual(mine);
    expect(accuracy).toBeCloseTo(mine.filter((p, i) => p === kit.data.test.labels[i]).length / kit.data.test.n, 12);
    x.dispose();
  });

  it('latency(model) reports positive medians for batch 1 and 32 on the active backend', async () => {
    const lat = await kit.latency(buildModel('mlp', 6), { runs: 5, warmup: 1 });
    expect(lat.batch1Ms).toBeGreaterThan(0);
    expect(lat.batch32Ms).toBeGreaterThan(0);
    expect(lat.backend).toBe('cpu');
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('rewindToInit (lottery ticket)', () => {
  it('restores exactly the initial weights under the mask, zeros elsewhere, initial biases', () => {
    const init = buildModel('cnn', 9);
    const trained = buildModel('cnn', 9);
    // "Training": any change of every weight will do; the rewind must undo it exactly.
    trained.setWeights(trained.getWeights().map((w) => tf.add(w, 0.25)));
    const masks = pruneModel(trained, { sparsity: 0.6, scope: 'layer' });
    rewindToInit(trained, init, masks);
    const byLayer = new Map(masks.map((m) => [m.layer, m.mask]));
    trained.layers.forEach((l, li) => {
      const now = l.getWeights().map((w) => w.dataSync());
      const start = init.layers[li].getWeights().map((w) => w.dataSync());
      if (now.length === 0) return;
      const mask = byLayer.get(l.name)!;
      for (let i = 0; i < now[0].length; i++) expect(mask[i] ? now[0][i] : Math.abs(now[0][i])).toBe(mask[i] ? start[0][i] : 0);
      expect(Array.from(now[1])).toEqual(Array.from(start[1]));
    });
  });

  it('refuses an initial model of another architecture', () => {
    const m = buildModel('mlp', 1);
    expect(() => rewindToInit(m, buildModel('cnn', 1), [])).toThrow(/weight tensors/);
  });
});

describe('variants', () => {
  const variant = (params: number): ModelVariant => ({ technique: 'prune', description: 't', accuracy: 0.5, bytes: 4 * params, params, latencyMs: 1, latencyBackend: 'cpu' });

  for (const [what, make] of [
    ['a pruned MLP', () => { const m = buildModel('mlp', 2); pruneModel(m, { sparsity: 0.8, scope: 'global' }); return m; }],
    ['a compacted CNN', () => structuredPrune(buildModel('cnn', 2), { fraction: 0.5 }).model],
    ['a factorized MLP', () => factorizeDense(buildModel('mlp', 2), 'dense1', 8)],
  ] as const) {
    it(`saveVariant then loadVariant gives identical outputs (${what}), and the ONNX export reads back`, async () => {
      const store = new MemoryRunStore();
      const model = make();
      const id = await saveVariant(store, model, variant(model.countParams()), { lab: 'prune', runId: 'v1', dataHash: 'h', backend: 'cpu' });
      const { run, model: back } = await loadVariant(store, id);
      expect(run.variant?.technique).toBe('prune');
      expect(run.lab).toBe('prune');
      const shape = (model.inputs[0].shape as number[]).slice(1);
      const x = tf.randomUniform([4, ...shape], 0, 1, 'float32', 3);
      expect(Array.from((back.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
      const { bytes, filename } = await exportVariantOnnx(store, id);
      expect(filename).toMatch(/\.onnx$/);
      expect(describeOnnx(bytes).parameterCount).toBe(model.countParams());
    });
  }

  it('loadVariant names what is missing: an unknown run, a run without weights, a run that is not a variant', async () => {
    const store = new MemoryRunStore();
    await expect(loadVariant(store, 'nope')).rejects.toThrow(/not in this browser/);
    const model = cloneModel(buildModel('mlp', 1));
    await saveVariant(store, model, variant(1), { lab: 'prune', runId: 'v', dataHash: 'h', backend: 'cpu' });
    const run = (await store.getRun('v'))!;
    await store.putRun({ ...run, id: 'w', variant: undefined });
    await store.putCheckpoint({ ...(await store.latestCheckpoint('v'))!, runId: 'w' });
    await expect(loadVariant(store, 'w')).rejects.toThrow(/not a saved model variant/);
    await store.putRun({ ...run, id: 'x' });
    await expect(loadVariant(store, 'x')).rejects.toThrow(/no saved weights/);
  });
});
