import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend as useNodeBackend } from './tf-node.ts';
import { Trainer, restore, snapshot, type TrainEvent } from '../../../src/lib/ml/trainer.ts';
import { accumulatedStep } from '../../../src/lib/ml/step.ts';
import { buildModel, buildOptimizer } from '../../../src/lib/ml/models.ts';
import { DEFAULTS, validateConfig, ConfigError, type TrainConfig } from '../../../src/lib/ml/config.ts';
import { MemorySink, syntheticData, syntheticImages } from './fixtures.ts';

const small: TrainConfig = { ...DEFAULTS, trainSize: 640, batchSize: 32, epochs: 2, backend: 'cpu', learningRate: 0.01 };

async function weightsAfterOneUpdate(optimizer: TrainConfig['optimizer'], micro: number, k: number): Promise<Float32Array[]> {
  const data = syntheticImages(micro * k, 3);
  const model = buildModel('mlp', 11);
  const opt = buildOptimizer(optimizer, 0.05);
  const x = tf.div(tf.tensor2d(Float32Array.from(data.images), [micro * k, 784]), 255);
  const y = tf.tensor1d(Int32Array.from(data.labels), 'int32');
  const batches = Array.from({ length: k }, (_, i) => ({ x: tf.slice(x, i * micro, micro), y: tf.slice(y, i * micro, micro) }));
  const res = accumulatedStep(model, opt, batches);
  tf.dispose([res.loss, res.correct, x, y, ...batches.flatMap((b) => [b.x, b.y])]);
  const out = await Promise.all(model.getWeights().map(async (w) => Float32Array.from(await w.data())));
  model.dispose();
  opt.dispose();
  return out;
}

function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  let m = 0;
  a.forEach((arr, i) => arr.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i][j])))));
  return m;
}

async function runOnce(config: TrainConfig, sink = new MemorySink(), events: TrainEvent[] = []) {
  const trainer = new Trainer(sink);
  trainer.setData(syntheticData());
  const run = await trainer.run(config, { runId: 'r', backend: config.backend === 'auto' ? 'cpu' : config.backend }, (e) => events.push(e));
  return { run, sink, events };
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`training on ${backend}`, () => {
    beforeAll(() => useNodeBackend(backend));

    for (const optimizer of ['sgd', 'adam'] as const) {
      // SGD applies the gradient itself: equal to float32 rounding, which is the real check that
      // k micro-batches give the gradient of one batch. Adam's first step is lr·g/(|g|+eps): ±lr for
      // any real gradient, but for gradients near eps (1e-7) float rounding of ~1e-9 in g moves the
      // step by a visible fraction of lr. We hold Adam to 2e-3 of its step (lr 0.05): measured 4.7e-6
      // on cpu and 5.8e-5 on wasm, whose XNNPACK matmuls sum the batch in another order.
      const tol = optimizer === 'sgd' ? 1e-6 : 2e-3 * 0.05;
      it(`accumulatedStep: 4 micro-batches of 32 give the update of one batch of 128 (${optimizer}, max |Δw| < ${tol})`, async () => {
        const accumulated = await weightsAfterOneUpdate(optimizer, 32, 4);
        const whole = await weightsAfterOneUpdate(optimizer, 128, 1);
        const initial = await Promise.all(buildModel('mlp', 11).getWeights().map(async (w) => Float32Array.from(await w.data())));
        // The update must be real (weights moved), and the same either way.
        expect(maxAbsDiff(whole, initial)).toBeGreaterThan(1e-3);
        expect(maxAbsDiff(accumulated, whole)).toBeLessThan(tol);
      });
    }

    it('Trainer.run is bit-identical for the same seed, settings and backend, and differs for another seed', async () => {
      const a = await runOnce({ ...small, backend });
      const b = await runOnce({ ...small, backend });
      const c = await runOnce({ ...small, backend, seed: 43 });
      expect(a.run.status).toBe('done');
      expect(a.run.metrics.trainLoss.length).toBe(40);
      expect(b.run.metrics.trainLoss).toEqual(a.run.metrics.trainLoss);
      expect(b.run.epochMetrics.map((m) => m.valLoss)).toEqual(a.run.epochMetrics.map((m) => m.valLoss));
      expect(b.run.final!.confusion).toEqual(a.run.final!.confusion);
      expect(c.run.metrics.trainLoss).not.toEqual(a.run.metrics.trainLoss);
      // It learned: the synthetic classes are easy.
      expect(a.run.final!.testAcc).toBeGreaterThan(0.8);
      // Beyond accuracy: robustness starts from the clean test accuracy; calibration is fitted.
      const { robustness, calibration } = a.run.final!;
      expect(robustness!.clean).toBe(a.run.final!.testAcc);
      for (const k of ['noise', 'occlusion', 'shift'] as const) expect(robustness![k]).toBeGreaterThanOrEqual(0);
      expect(calibration!.temperature).toBeGreaterThan(0);
      expect(calibration!.nllAfter).toBeLessThanOrEqual(calibration!.nllBefore + 0.05);
    });

    it('Trainer.run resumed from the epoch-1 checkpoint reproduces the uninterrupted run (momentum: bit-identical)', async () => {
      const config: TrainConfig = { ...small, backend, optimizer: 'momentum' };
      const full = await runOnce(config);
      const cp1 = full.sink.checkpoints.find((c) => c.epoch === 1)!;
      const interrupted = structuredClone(full.run);
      interrupted.status = 'interrupted';
      const trainer = new Trainer(new MemorySink());
      trainer.setData(syntheticData());
      const resumed = await trainer.run(config, { runId: 'r', backend, resume: { run: interrupted, checkpoint: cp1 } }, () => {});
      expect(resumed.metrics.trainLoss).toEqual(full.run.metrics.trainLoss);
      expect(resumed.final!.testAcc).toBe(full.run.final!.testAcc);
    });
  });
}

describe('checkpoints', () => {
  beforeAll(() => useNodeBackend('wasm'));

  it('snapshot then restore gives a fresh model the same predictions and Adam state', async () => {
    const model = buildModel('cnn', 5);
    const opt = buildOptimizer('adam', 0.01);
    const data = syntheticImages(16, 1);
    const x = tf.reshape(tf.div(tf.tensor2d(Float32Array.from(data.images), [16, 784]), 255), [16, 28, 28, 1]);
    const y = tf.tensor1d(Int32Array.from(data.labels), 'int32');
    const r = accumulatedStep(model, opt, [{ x, y }]);
    tf.dispose([r.loss, r.correct]);
    const cp = await snapshot('run', model, opt, 1, 1);
    expect(cp.weights.map((w) => w.shape)).toEqual(model.getWeights().map((w) => w.shape));
    expect(cp.optimizer.length).toBe(1 + 2 * model.trainableWeights.length); // iterations + m + v

    const fresh = buildModel('cnn', 99);
    const freshOpt = buildOptimizer('adam', 0.01);
    await restore(fresh, freshOpt, cp);
    const p1 = await (model.predict(x) as tf.Tensor).data();
    const p2 = await (fresh.predict(x) as tf.Tensor).data();
    expect(Array.from(p2)).toEqual(Array.from(p1));
    // The next update is also the same: the optimizer state came back too.
    const s1 = accumulatedStep(model, opt, [{ x, y }]);
    const s2 = accumulatedStep(fresh, freshOpt, [{ x, y }]);
    expect(await s2.loss.data()).toEqual(await s1.loss.data());
    const w1 = await Promise.all(model.getWeights().map((w) => w.data()));
    const w2 = await Promise.all(fresh.getWeights().map((w) => w.data()));
    expect(maxAbsDiff(w1.map((w) => Float32Array.from(w)), w2.map((w) => Float32Array.from(w)))).toBeLessThan(1e-6);
  });

  it('restore refuses a checkpoint from another architecture with a clear message', async () => {
    const cnn = await snapshot('x', buildModel('cnn', 1), buildOptimizer('sgd', 0.1), 0, 0);
    await expect(restore(buildModel('mlp', 1), buildOptimizer('sgd', 0.1), cnn)).rejects.toThrow(/different architecture/);
  });
});

describe('validateConfig', () => {
  const bad: [Partial<TrainConfig>, RegExp][] = [
    [{ learningRate: -0.1 }, /Learning Rate must be between/],
    [{ batchSize: 0 }, /Batch Size must be between/],
    [{ epochs: 1e9 }, /Epochs must be between 1 and 50/],
    [{ batchSize: 2.5 }, /whole number/],
    [{ learningRate: Number.NaN }, /must be a number/],
    [{ model: 'resnet' as never }, /Unknown model "resnet"/],
    [{ batchSize: 1024, accumSteps: 64 }, /more than the 9000 training images/],
  ];
  for (const [patch, message] of bad) {
    it(`rejects ${JSON.stringify(patch)} with a ConfigError naming the field`, () => {
      expect(() => validateConfig({ ...DEFAULTS, ...patch })).toThrow(ConfigError);
      expect(() => validateConfig({ ...DEFAULTS, ...patch })).toThrow(message);
    });
  }
  it('accepts the defaults', () => expect(validateConfig(DEFAULTS)).toEqual(DEFAULTS));
});
