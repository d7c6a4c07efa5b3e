import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { uniform, useBackend } from '../ml/tf-node.ts';
import { calibrationRange, dequantize, fakeQuantize, quantize, quantizedBytes, type Bits, type Scheme } from '../../../src/lib/compress/index.ts';
import refs from './refs/refs.json' with { type: 'json' };

beforeAll(() => useBackend('cpu'));

/** Values with an offset and uneven channels, so asymmetric and per-channel ranges matter. */
function sample(n: number, seed: number): Float32Array {
  return uniform(n, seed).map((v, i) => 0.3 + v * (1 + (i % 7)));
}

/**
 * Largest |x − x̂| / s over all values, in float64 from the stored codes and float32 scales. x̂ is
 * recomputed here from q, s and z, independently of dequantize, which is checked against it.
 */
function worstStepError(x: Float32Array, q: ArrayLike<number>, scale: Float32Array, zp: Int32Array, channelOf: (i: number) => number): number {
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const c = channelOf(i);
    worst = Math.max(worst, Math.abs(x[i] - scale[c] * (q[i] - zp[c])) / scale[c]);
  }
  return worst;
}

describe('quantize', () => {
  for (const bits of [8, 4] as Bits[]) {
    for (const scheme of ['symmetric', 'asymmetric'] as Scheme[]) {
      it(`quantize(${bits}-bit ${scheme}, per tensor) stays within half a step and uses the full code range`, () => {
        const x = sample(4096, bits + scheme.length);
        const qt = quantize(x, { bits, scheme });
        expect(worstStepError(x, qt.q, qt.scale, qt.zeroPoint, () => 0)).toBeLessThanOrEqual(0.5 + 1e-9);
        const deq = dequantize(qt);
        for (let i = 0; i < x.length; i++) expect(deq[i]).toBe(Math.fround(qt.scale[0] * (qt.q[i] - qt.zeroPoint[0])));
        const qs = Array.from(qt.q);
        const [lo, hi] = [Math.min(...qs), Math.max(...qs)];
        if (scheme === 'symmetric') {
          expect(qt.zeroPoint[0]).toBe(0);
          expect(Math.max(-lo, hi)).toBe(2 ** (bits - 1) - 1);
        } else {
          expect(lo).toBe(0);
          expect(hi).toBe(2 ** bits - 1);
        }
      });
    }
  }

  it('quantize per channel (axis 1 of a [64, 7] kernel) has a scale per column and beats per-tensor error', () => {
    const shape = [64, 7];
    const x = sample(64 * 7, 3);
    const pc = quantize(x, { bits: 8, scheme: 'symmetric', axis: 1, shape });
    expect(pc.scale.length).toBe(7);
    for (let c = 0; c < 7; c++) {
      let m = 0;
      for (let r = 0; r < 64; r++) m = Math.max(m, Math.abs(x[r * 7 + c]));
      expect(pc.scale[c]).toBe(Math.fround(m / 127));
    }
    expect(worstStepError(x, pc.q, pc.scale, pc.zeroPoint, (i) => i % 7)).toBeLessThanOrEqual(0.5 + 1e-9);
    const pt = quantize(x, { bits: 8, scheme: 'symmetric' });
    const mse = (d: Float32Array) => d.reduce((s, v, i) => s + (v - x[i]) ** 2, 0) / x.length;
    expect(mse(dequantize(pc))).toBeLessThan(mse(dequantize(pt)));
  });

  it('quantize with asymmetric ranges that exclude 0 still represents 0 exactly', () => {
    const x = Float32Array.from({ length: 100 }, (_, i) => 2 + i / 33);
    const qt = quantize(x, { bits: 8, scheme: 'asymmetric', range: { min: 2, max: 5 } });
    expect(qt.scale[0] * (0 - qt.zeroPoint[0])).toBeLessThanOrEqual(0);
    expect(dequantize(quantize(Float32Array.of(0), { bits: 8, scheme: 'asymmetric', range: { min: 2, max: 5 } }))[0]).toBe(0);
    expect(worstStepError(x, qt.q, qt.scale, qt.zeroPoint, () => 0)).toBeLessThanOrEqual(0.5 + 1e-9);
  });

  it('quantize with a calibration range clips values outside it to the end codes', () => {
    const qt = quantize(Float32Array.of(-10, -1, 0, 1, 10), { bits: 8, scheme: 'symmetric', range: { min: -1, max: 1 } });
    expect(Array.from(qt.q)).toEqual([-127, -127, 0, 127, 127]);
  });

  it('quantizedBytes counts int4 codes at half a byte', () => {
    const x = uniform(1000, 1);
    expect(quantizedBytes(quantize(x, { bits: 8, scheme: 'symmetric' }))).toBe(1000 + 4);
    expect(quantizedBytes(quantize(x, { bits: 4, scheme: 'asymmetric' }))).toBe(500 + 4 + 4);
  });
});

describe('calibrationRange', () => {
  const samples = Float32Array.from(refs.calibration.samples);
  it('calibrationRange(minmax) is the observed extremes', () => {
    expect(calibrationRange(samples, { method: 'minmax' })).toEqual({ min: refs.calibration.min, max: refs.calibration.max });
  });
  it('calibrationRange(percentile) matches numpy.percentile on heavy-tailed samples', () => {
    for (const [p, [lo, hi]] of Object.entries(refs.calibration.percentiles)) {
      const r = calibrationRange(samples, { method: 'percentile', percentile: Number(p) });
      expect(r.min).toBeCloseTo(lo, 10);
      expect(r.max).toBeCloseTo(hi, 10);
    }
    // Student-t(3) tails: the 99th-percentile range is far narrower than min-max.
    const r99 = calibrationRange(samples, { method: 'percentile', percentile: 99 });
    expect(r99.max - r99.min).toBeLessThan((refs.calibration.max - refs.calibration.min) / 2);
  });
});

describe('fakeQuantize', () => {
  it('fakeQuantize forward equals quantize→dequantize, and its gradient is the straight-through estimator', () => {
    const range = { min: -1, max: 1 };
    const xs = Float32Array.of(-1.7, -0.999, -0.31, 0, 0.0042, 0.5, 0.9, 1.0, 1.3);
    const x = tf.tensor1d(xs);
    const y = fakeQuantize(x, { bits: 8, scheme: 'symmetric', range });
    expect(Array.from(y.dataSync())).toEqual(Array.from(dequantize(quantize(xs, { bits: 8, scheme: 'symmetric', range }))));
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(fakeQuantize(t, { bits: 8, scheme: 'symmetric', range }), tf.range(1, 10))))(x);
    // d/dx of Σ c_i·fq(x_i) under the STE: c_i inside the range, 0 where x was clipped.
    expect(Array.from(g.dataSync())).toEqual([0, 2, 3, 4, 5, 6, 7, 8, 0]);
    tf.dispose([x, y, g]);
  });

  it('fakeQuantize trains: least squares through 4-bit fake-quantized weights gets within one grid step of the targets', () => {
    const targets = [0.37, -0.81, 0.12, 0.55];
    const target = tf.tensor1d(targets);
    const w = tf.variable(tf.zeros([4]));
    const opt = tf.train.sgd(0.5);
    const fq = () => fakeQuantize(w, { bits: 4, scheme: 'symmetric', range: { min: -1, max: 1 } });
    const loss = () => tf.mean(tf.square(tf.sub(fq(), target))) as tf.Scalar;
    const before = loss().dataSync()[0];
    for (let i = 0; i < 60; i++) opt.minimize(loss);
    // 4-bit symmetric on [−1, 1]: step 1/7. Rounding has zero gradient, so without the STE w would stay 0.
    // With it w moves to the targets; a target between grid points makes w hover at the boundary
    // (the known STE oscillation), so its quantized value is one of the two neighbours.
    fq().dataSync().forEach((v, i) => expect(Math.abs(v - targets[i])).toBeLessThanOrEqual(1 / 7));
    expect(loss().dataSync()[0]).toBeLessThan(before / 20);
    tf.dispose([target, w]);
    opt.dispose();
  });
});
