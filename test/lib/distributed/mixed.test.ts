import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../ml/tf-node.ts';
import { deepNet, glorotParams } from '../../../src/lib/distributed/net.ts';
import { MixedPrecisionTrainer, HIST_MIN_EXP } from '../../../src/lib/distributed/mixed.ts';
import { LossScaler } from '../../../src/lib/distributed/scaler.ts';
import { roundToFloat16 } from '../../../src/lib/distributed/precision.ts';
import { measureCheckpointing, checkpointModelBlocks } from '../../../src/lib/distributed/checkpoint.ts';
import { dataset, relDiff, singleWorker, slice } from './helpers.ts';

const net = deepNet(6, 64);
const initial = glorotParams(net, 3);
const data = dataset(256, 8);
const ADAM = { kind: 'adam' as const, learningRate: 0.001 };

beforeAll(async () => {
  await useBackend('wasm');
});

async function train(precision: 'fp32' | 'fp16' | 'bf16', scaling: ConstructorParameters<typeof LossScaler>[0], steps: number) {
  const tr = new MixedPrecisionTrainer(net, initial, precision, ADAM, scaling);
  const reports = [];
  for (let s = 0; s < steps; s++) {
    const b = slice(data, s * 32, 32);
    reports.push(await tr.step(b));
    tf.dispose([b.x, b.y]);
  }
  return { tr, reports };
}

describe('MixedPrecisionTrainer', () => {
  it('in fp32 it is plain training: equal to the tape and the flat optimizer within 1e-5', async () => {
    const { tr } = await train('fp32', { mode: 'none' }, 3);
    expect(relDiff(tr.master, await singleWorker(net, initial, data, 32, 3, ADAM))).toBeLessThan(1e-5);
  });

  it('a power-of-two loss scale in fp32 is exact: the gradient exponents shift by log₂S and the weights do not change at all', async () => {
    const a = await train('fp32', { mode: 'none' }, 2);
    const b = await train('fp32', { mode: 'static', initScale: 1024 }, 2);
    expect(b.tr.master).toEqual(a.tr.master);
    const h1 = a.reports[0].exponentHistogram, h2 = b.reports[0].exponentHistogram;
    // Bins 1.. away from the clamped ends: exponent e without scaling is e + 10 with S = 2¹⁰.
    const shifted = Array.from(h1.subarray(1, h1.length - 11));
    expect(Array.from(h2.subarray(11, h2.length - 1))).toEqual(shifted);
    expect(h1.reduce((x, y) => x + y, 0)).toBe(h2.reduce((x, y) => x + y, 0));
    expect(HIST_MIN_EXP).toBe(-40);
  });

  it('fp16 without scaling flushes some gradients to 0; a 2¹² scale rescues them; bf16 flushes none', async () => {
    const none = await train('fp16', { mode: 'none' }, 1);
    const scaled = await train('fp16', { mode: 'static', initScale: 4096 }, 1);
    const bf = await train('bf16', { mode: 'none' }, 1);
    expect(none.reports[0].underflowFraction).toBeGreaterThan(0);
    expect(scaled.reports[0].underflowFraction).toBeLessThan(none.reports[0].underflowFraction);
    expect(bf.reports[0].underflowFraction).toBe(0);
    // The weights it computes with are the fp32 master rounded to fp16.
    expect(none.tr.computeWeights()).toEqual(roundToFloat16(none.tr.master));
    expect(none.tr.computeWeights()).not.toEqual(none.tr.master);
  });

  it('fp16 overflow: a static scale of 2⁴⁰ skips every step and leaves the master weights alone; dynamic halves until it fits', async () => {
    const st = await train('fp16', { mode: 'static', initScale: 2 ** 40 }, 3);
    expect(st.reports.every((r) => r.skipped && r.overflow)).toBe(true);
    expect(st.tr.master).toEqual(initial);
    const dyn = await train('fp16', { mode: 'dynamic', initScale: 2 ** 30, growthInterval: 100 }, 6);
    const skipped = dyn.reports.filter((r) => r.skipped).length;
    expect(dyn.tr.scale).toBe(2 ** (30 - skipped));
    expect(dyn.reports.map((r) => r.scale)).toEqual(Array.from({ length: 6 }, (_, i) => 2 ** (30 - Math.min(i, skipped))));
  });
});

describe('LossScaler', () => {
  it('dynamic: halves and skips on overflow, doubles after growthInterval clean steps; none never skips', () => {
    const s = new LossScaler({ mode: 'dynamic', initScale: 8, growthInterval: 2 });
    expect(s.update(true)).toEqual({ skip: true });
    expect(s.scale).toBe(4);
    s.update(false);
    s.update(false);
    expect(s.scale).toBe(8);
    const n = new LossScaler({ mode: 'none' });
    expect(n.update(true)).toEqual({ skip: false });
    expect(n.scale).toBe(1);
    expect(() => new LossScaler({ mode: 'auto' as never })).toThrow(/loss scaling must be 'none', 'static' or 'dynamic'/);
  });
});

describe('measureCheckpointing', () => {
  it('on 9 blocks of 384 × 256 activations: no checkpointing costs most, k = 3 (= √9) least, with k = 1 and k = n between, as ⌈n/k⌉ + k says', async () => {
    const deep = deepNet(8, 256);
    const w = glorotParams(deep, 1);
    const b = slice(dataset(384, 2), 0, 384);
    const m = new Map<string, number>();
    for (const mode of ['none', 1, 3, 9] as const) m.set(String(mode), (await measureCheckpointing(deep, w, b, mode, 0)).peakBytes);
    tf.dispose([b.x, b.y]);
    expect(m.get('none')!).toBeGreaterThan(m.get('1')!);
    expect(m.get('3')!).toBeLessThan(m.get('1')!);
    expect(m.get('3')!).toBeLessThan(m.get('9')!);
    expect([1, 3, 9].map((k) => checkpointModelBlocks(9, k))).toEqual([10, 6, 10]);
  });
});
