import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
// Registers the ops' gradients, as it does in the app (every model imports it).
import '@tensorflow/tfjs-layers';
import { useBackend } from '../ml/tf-node.ts';
import { distillationLoss } from '../../../src/lib/compress/distill.ts';
import refs from './refs/distill.json' with { type: 'json' };

beforeAll(() => useBackend('cpu'));

const loss = (s: number[], t: number[], y: number[], k: number, temperature: number, alpha: number) =>
  tf.tidy(() => distillationLoss(tf.tensor2d(s, [y.length, k]), tf.tensor2d(t, [y.length, k]), tf.tensor1d(y, 'int32'), { temperature, alpha }).dataSync()[0]);

describe('distillationLoss', () => {
  it('distillationLoss(s=[1,2,0], t=[2,1,0], y=0, T=2, α=0.5) is 0.903087, worked by hand', () => {
    // t/T = [1, .5, 0] → p = [e, e^.5, 1] / 5.367003 = [0.506480, 0.307196, 0.186324]
    // s/T = [.5, 1, 0] → q = [0.307196, 0.506480, 0.186324] (p with the first two swapped)
    // KL(p‖q) = (0.506480 − 0.307196) · ln(e^.5) = 0.199284 · 0.5 = 0.099642
    // softmax(s) = [e, e², 1] / 11.107338 → CE = −ln(0.244728) = 1.407606
    // L = 0.5 · 4 · 0.099642 + 0.5 · 1.407606 = 0.199284 + 0.703803 = 0.903087
    expect(loss([1, 2, 0], [2, 1, 0], [0], 3, 2, 0.5)).toBeCloseTo(0.903087, 5);
    // α = 0: the hard term alone; α = 1: the soft term alone.
    expect(loss([1, 2, 0], [2, 1, 0], [0], 3, 2, 0)).toBeCloseTo(1.407606, 5);
    expect(loss([1, 2, 0], [2, 1, 0], [0], 3, 2, 1)).toBeCloseTo(0.398568, 5);
    // A student that matches the teacher has zero soft loss at any T.
    expect(loss([3, -1, 0.5], [3, -1, 0.5], [1], 3, 5, 1)).toBeCloseTo(0, 6);
  });

  for (const c of refs.cases) {
    it(`distillationLoss and its gradient match PyTorch (n=${c.n}, k=${c.k}, T=${c.temperature}, α=${c.alpha})`, () => {
      const s = tf.tensor2d(c.student, [c.n, c.k]);
      const t = tf.tensor2d(c.teacher, [c.n, c.k]);
      const y = tf.tensor1d(c.labels, 'int32');
      const f = (x: tf.Tensor) => distillationLoss(x as tf.Tensor2D, t, y, { temperature: c.temperature, alpha: c.alpha });
      const { value, grad } = tf.valueAndGrad(f)(s);
      expect(value.dataSync()[0]).toBeCloseTo(c.loss, 4);
      const g = grad.dataSync();
      c.grad.forEach((v, i) => expect(Math.abs(g[i] - v)).toBeLessThan(1e-5));
      tf.dispose([s, t, y, value, grad]);
    });
  }

  it('the gradient of distillationLoss under tf.variableGrads matches central finite differences of a student layer', async () => {
    await useBackend('cpu');
    // float64 is not available in tfjs; float32 central differences with h = 1e-2 on O(1) losses are accurate to ~1e-4.
    const w = tf.variable(tf.tensor2d([0.3, -0.2, 0.5, 0.1, -0.4, 0.25], [2, 3]), true, 'w');
    const x = tf.tensor2d([1, 2, -1, 0.5], [2, 2]);
    const teacher = tf.tensor2d([2, 0, -1, -1, 1.5, 0], [2, 3]);
    const y = tf.tensor1d([0, 1], 'int32');
    const opts = { temperature: 3, alpha: 0.7 };
    const f = () => distillationLoss(tf.matMul(x, w), teacher, y, opts);
    const { grads } = tf.variableGrads(f, [w]);
    const g = grads.w.dataSync();
    const base = w.dataSync().slice();
    const h = 1e-2;
    for (let i = 0; i < base.length; i++) {
      const at = (d: number) => {
        const v = base.slice();
        v[i] += d;
        w.assign(tf.tensor2d(v, [2, 3]));
        return tf.tidy(() => f().dataSync()[0]);
      };
      const fd = (at(h) - at(-h)) / (2 * h);
      expect(Math.abs(g[i] - fd)).toBeLessThan(2e-4);
    }
    expect(Math.max(...Array.from(g, Math.abs))).toBeGreaterThan(0.01);
    tf.dispose([w, x, teacher, y, grads.w]);
  });

  it('distillationLoss refuses a temperature ≤ 0, an alpha outside [0, 1] and mismatched logits', () => {
    const s = tf.zeros([2, 3]) as tf.Tensor2D;
    const y = tf.tensor1d([0, 1], 'int32');
    expect(() => distillationLoss(s, s, y, { temperature: 0, alpha: 0.5 })).toThrow(/Temperature must be a positive number/);
    expect(() => distillationLoss(s, s, y, { temperature: 2, alpha: 1.5 })).toThrow(/Alpha must lie in \[0, 1\]/);
    expect(() => distillationLoss(s, tf.zeros([2, 4]) as tf.Tensor2D, y, { temperature: 2, alpha: 0.5 })).toThrow(/differ in shape/);
  });
});
