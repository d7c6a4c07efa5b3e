import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../ml/tf-node.ts';
import { deepNet, glorotParams } from '../../../src/lib/distributed/net.ts';
import { clientUpdate, clipToNorm, clientDrift, l2 } from '../../../src/lib/distributed/federated.ts';
import { tapeGradients } from '../../../src/lib/distributed/executor.ts';
import { dataset, relDiff, slice } from './helpers.ts';
import * as tf from '@tensorflow/tfjs-core';

const net = deepNet(2, 32);
const w0 = glorotParams(net, 1);
const d = dataset(96, 3);
const arrays = { ...d, n: 96 };
const rows = Array.from({ length: 40 }, (_, i) => i * 2);

beforeAll(async () => {
  await useBackend('wasm');
});

describe('clientUpdate', () => {
  it('FedSGD is −lr times the full-batch gradient of the client\'s data', async () => {
    const u = await clientUpdate(net, w0, arrays, rows, { algorithm: 'fedsgd', epochs: 1, batch: 8, learningRate: 0.1, seed: 1 });
    const g = new Float32Array(net.size);
    const pixels = new Float32Array(rows.length * 784);
    rows.forEach((r, i) => pixels.set(d.pixels.subarray(r * 784, (r + 1) * 784), i * 784));
    const b = slice({ pixels, labels: Int32Array.from(rows, (r) => d.labels[r]) }, 0, rows.length);
    await tapeGradients(net, w0, b, g);
    tf.dispose([b.x, b.y]);
    expect(relDiff(u.update, g.map((x) => -0.1 * x))).toBeLessThan(1e-6);
    expect(u.steps).toBe(1);
  });

  it('FedAvg with E = 1 and B = all of the client\'s data is FedSGD (McMahan et al. 2017)', async () => {
    const a = await clientUpdate(net, w0, arrays, rows, { algorithm: 'fedsgd', epochs: 1, batch: 8, learningRate: 0.1, seed: 1 });
    const b = await clientUpdate(net, w0, arrays, rows, { algorithm: 'fedavg', epochs: 1, batch: rows.length, learningRate: 0.1, seed: 1 });
    expect(relDiff(b.update, a.update)).toBeLessThan(1e-5);
  });

  it('FedAvg takes E·⌈n/B⌉ local steps and moves further than one step', async () => {
    const u = await clientUpdate(net, w0, arrays, rows, { algorithm: 'fedavg', epochs: 2, batch: 16, learningRate: 0.1, seed: 1 });
    expect(u.steps).toBe(2 * 3);
    const one = await clientUpdate(net, w0, arrays, rows, { algorithm: 'fedsgd', epochs: 1, batch: 16, learningRate: 0.1, seed: 1 });
    expect(l2(u.update)).toBeGreaterThan(l2(one.update));
  });
});

describe('clipToNorm and clientDrift', () => {
  it('clips to the norm and leaves short vectors alone', () => {
    expect(l2(clipToNorm(Float32Array.of(3, 4), 1))).toBeCloseTo(1, 6);
    expect(Array.from(clipToNorm(Float32Array.of(0.3, 0.4), 1))).toEqual([0.3, 0.4].map(Math.fround));
  });

  it('is 0 for identical updates and 1 for two opposite ones around a unit mean', () => {
    const m = Float32Array.of(1, 0);
    expect(clientDrift([m, m], m)).toBe(0);
    expect(clientDrift([Float32Array.of(2, 0), Float32Array.of(0, 0)], m)).toBeCloseTo(1, 12);
  });
});
