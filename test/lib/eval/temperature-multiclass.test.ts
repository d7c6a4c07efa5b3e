import { describe, expect, it } from 'vitest';
import { multiclassTemperature, softmaxNll } from '../../../src/lib/eval/temperature.ts';
import { mulberry32 } from '../../../src/lib/core/rng.ts';

/** n rows of k logits ~ N(0, scale²), and labels drawn from softmax(z / trueT): a model whose best temperature is trueT. */
function synthetic(n: number, k: number, scale: number, trueT: number, seed: number) {
  const rng = mulberry32(seed);
  const logits = new Float64Array(n * k);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p: number[] = [];
    for (let c = 0; c < k; c++) {
      logits[i * k + c] = scale * Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
      p.push(Math.exp(logits[i * k + c] / trueT));
    }
    const total = p.reduce((a, b) => a + b, 0);
    let u = rng() * total;
    let c = 0;
    while (c < k - 1 && (u -= p[c]) > 0) c++;
    labels[i] = c;
  }
  return { logits, labels };
}

/** Golden-section search on T in [lo, hi]: an independent minimiser of the same NLL. */
function goldenMin(f: (t: number) => number, lo: number, hi: number): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  for (let i = 0; i < 200; i++) {
    const c = b - g * (b - a);
    const d = a + g * (b - a);
    if (f(c) < f(d)) b = d;
    else a = c;
  }
  return (a + b) / 2;
}

describe('multiclassTemperature', () => {
  it('recovers the temperature that generated the labels (T = 2, 20,000 rows, within 0.1)', () => {
    const { logits, labels } = synthetic(20_000, 10, 3, 2, 1);
    expect(multiclassTemperature(logits, 10, labels)).toBeCloseTo(2, 1);
  });

  it('agrees with a golden-section search on softmaxNll to 1e-6', () => {
    const { logits, labels } = synthetic(3000, 10, 2, 0.7, 2);
    const newton = multiclassTemperature(logits, 10, labels);
    const golden = goldenMin((t) => softmaxNll(logits, 10, labels, t), 0.05, 20);
    expect(Math.abs(newton - golden)).toBeLessThan(1e-6);
    expect(softmaxNll(logits, 10, labels, newton)).toBeLessThanOrEqual(softmaxNll(logits, 10, labels, 1));
  });

  it('scales with the logits: logits x 3 give a temperature x 3', () => {
    const { logits, labels } = synthetic(2000, 5, 1.5, 1.3, 3);
    const t = multiclassTemperature(logits, 5, labels);
    expect(multiclassTemperature(logits.map((z) => 3 * z), 5, labels) / t).toBeCloseTo(3, 8);
  });

  it('softmaxNll at T = 1 equals the mean of -log softmax(z)_y computed directly', () => {
    const z = [1, 2, 3, 0, 0, 0];
    const y = [2, 1];
    const direct = (-Math.log(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3))) - Math.log(1 / 3)) / 2;
    expect(softmaxNll(z, 3, y)).toBeCloseTo(direct, 12);
  });

  it('refuses logits of the wrong length or rows with nothing to scale', () => {
    expect(() => multiclassTemperature([1, 2, 3], 2, [0, 1])).toThrow(/need 4/);
    expect(() => multiclassTemperature([1, 1, 2, 2], 2, [0, 1])).toThrow(/nothing to scale/);
  });
});
