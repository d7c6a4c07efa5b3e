import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../ml/tf-node.ts';
import { buildModel } from '../../../src/lib/ml/models.ts';
import { crossEntropy } from '../../../src/lib/ml/step.ts';
import { labNet, labInitialParams, deepNet, glorotParams, forwardLogits } from '../../../src/lib/distributed/net.ts';
import { tapeGradients, blockwiseGradients } from '../../../src/lib/distributed/executor.ts';
import { FlatOptimizer } from '../../../src/lib/distributed/optimizer.ts';
import { relMaxDiff, uniform } from '../ml/tf-node.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

function batchOf(kind: 'mlp' | 'cnn', n: number, seed: number) {
  const x = uniform(n * 784, seed).map((v) => (v + 1) / 2);
  const y = Int32Array.from({ length: n }, (_, i) => (i * 7 + seed) % 10);
  return { x: tf.tensor(x, kind === 'mlp' ? [n, 784] : [n, 28, 28, 1]), y: tf.tensor1d(y, 'int32') };
}

describe('labNet', () => {
  it.each(['mlp', 'cnn'] as const)('%s: the block forward on the flat seeded weights equals the tfjs-layers model (1e-5)', (kind) => {
    const model = buildModel(kind, 5);
    const params = labInitialParams(kind, 5);
    const net = labNet(kind);
    expect(net.size).toBe(model.countParams());
    const { x, y } = batchOf(kind, 6, 1);
    const want = (model.predict(x) as tf.Tensor).dataSync();
    const got = forwardLogits(net, params, x).dataSync();
    expect(relMaxDiff(got, want)).toBeLessThan(1e-5);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('tapeGradients and blockwiseGradients', () => {
  it('tape gradients equal tf.variableGrads through the tfjs-layers model (the training lab\'s own path) to 1e-5', async () => {
    const model = buildModel('mlp', 3);
    const net = labNet('mlp');
    const params = labInitialParams('mlp', 3);
    const batch = batchOf('mlp', 16, 2);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => crossEntropy(model.apply(batch.x) as tf.Tensor2D, batch.y), vars);
    const want = new Float32Array(net.size);
    const infos = net.blocks.flatMap((b) => b.params);
    vars.forEach((v, i) => want.set(grads[v.name].dataSync() as Float32Array, infos[i].offset));
    const got = new Float32Array(net.size);
    const r = await tapeGradients(net, params, batch, got);
    expect(relMaxDiff(got, want)).toBeLessThan(1e-5);
    expect(r.loss).toBeCloseTo(value.dataSync()[0], 5);
    expect(r.examples).toBe(16);
    tf.dispose([value, ...Object.values(grads), batch.x, batch.y]);
    model.dispose();
  });

  it.each([
    ['cnn', 1],
    ['deep', 1],
    ['deep', 3],
    ['deep', 7],
  ] as const)('blockwise (%s, checkpoint every %i blocks) equals the tape to 1e-5, hands out every block once, and keeps fewer activations with checkpointing', async (kind, segment) => {
    const net = kind === 'cnn' ? labNet('cnn') : deepNet(6, 32);
    const params = kind === 'cnn' ? labInitialParams('cnn', 4) : glorotParams(net, 4);
    const batch = batchOf(kind === 'cnn' ? 'cnn' : 'mlp', 8, 3);
    const want = new Float32Array(net.size);
    const tape = await tapeGradients(net, params, batch, want);
    const got = new Float32Array(net.size);
    const seen: number[] = [];
    const before = tf.memory().numTensors;
    const r = await blockwiseGradients(net, batch, {
      params: (b) => params.subarray(net.blocks[b].offset, net.blocks[b].offset + net.blocks[b].size),
      grad: (b, g) => {
        seen.push(b);
        got.set(g, net.blocks[b].offset);
      },
    }, { segment });
    expect(tf.memory().numTensors).toBe(before); // nothing leaked
    expect(seen).toEqual(net.blocks.map((_, i) => net.blocks.length - 1 - i));
    expect(relMaxDiff(got, want)).toBeLessThan(1e-5);
    expect(r.loss).toBeCloseTo(tape.loss, 5);
    expect(r.correct).toBe(tape.correct);
    if (kind === 'deep') {
      // 8 blocks of batch 8: inputs 784 wide, then 32 wide. Every block input kept (k = 1) vs every k-th.
      const all = await blockwiseGradients(net, batch, { params: (b) => params.subarray(net.blocks[b].offset, net.blocks[b].offset + net.blocks[b].size), grad: () => {} }, { segment: 1 });
      if (segment > 1) expect(r.activationPeakBytes).toBeLessThan(all.activationPeakBytes);
      else expect(r.activationPeakBytes).toBe(8 * 4 * (784 + 6 * 32 + 10));
    }
    tf.dispose([batch.x, batch.y]);
  });

  it('a loss scale multiplies every gradient and leaves the loss alone', async () => {
    const net = labNet('mlp');
    const params = labInitialParams('mlp', 1);
    const batch = batchOf('mlp', 4, 5);
    const a = new Float32Array(net.size);
    const b = new Float32Array(net.size);
    const r1 = await tapeGradients(net, params, batch, a);
    const r2 = await tapeGradients(net, params, batch, b, 1024);
    expect(relMaxDiff(b.map((v) => v / 1024), a)).toBeLessThan(1e-6);
    expect(r2.loss).toBeCloseTo(r1.loss, 5);
    tf.dispose([batch.x, batch.y]);
  });
});

describe('FlatOptimizer', () => {
  it.each(['sgd', 'adam'] as const)('%s: 5 updates equal tfjs\'s optimizer on the same gradients (1e-6 relative)', (kind) => {
    const w0 = uniform(500, 1);
    const opt = new FlatOptimizer({ kind, learningRate: 0.01 }, 500);
    const mine = w0.slice();
    const v = tf.variable(tf.tensor1d(w0));
    const ref = kind === 'sgd' ? tf.train.sgd(0.01) : tf.train.adam(0.01, 0.9, 0.999, 1e-7);
    for (let t = 1; t <= 5; t++) {
      const g = uniform(500, 100 + t).map((x) => x * 10 ** (t - 3));
      opt.step(mine, g, t);
      ref.applyGradients([{ name: v.name, tensor: tf.tensor1d(g) }]);
    }
    expect(relMaxDiff(mine, v.dataSync())).toBeLessThan(1e-6);
    expect(opt.states.reduce((s, b) => s + b.byteLength, 0)).toBe(kind === 'adam' ? 500 * 8 : 0);
    v.dispose();
  });
});
