import { describe, expect, it } from 'vitest';
import { calibrationReport, perturb, topLabel, NOISE_SD, OCCLUSION_SIDE, SHIFT_PIXELS } from '../../../src/lib/ml/diagnostics.ts';
import { mulberry32 } from '../../../src/lib/core/rng.ts';

const image = (f: (r: number, c: number) => number) => Float32Array.from({ length: 784 }, (_, p) => f(Math.floor(p / 28), p % 28));

describe('perturb', () => {
  it('shift moves every pixel 3 right and 3 down, with zeros coming in', () => {
    const img = image((r, c) => (r * 28 + c + 1) / 1000);
    const out = perturb(img, 'shift', 1);
    for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) {
      const want = r >= SHIFT_PIXELS && c >= SHIFT_PIXELS ? img[(r - SHIFT_PIXELS) * 28 + c - SHIFT_PIXELS] : 0;
      expect(out[r * 28 + c]).toBe(want);
    }
  });

  it('occlusion zeroes one 8x8 square per image and leaves every other pixel alone', () => {
    const imgs = new Float32Array(784 * 5).fill(0.5);
    const out = perturb(imgs, 'occlusion', 7);
    for (let i = 0; i < 5; i++) {
      const zeros = out.subarray(i * 784, (i + 1) * 784).filter((v) => v === 0).length;
      expect(zeros).toBe(OCCLUSION_SIDE * OCCLUSION_SIDE);
    }
    expect(perturb(imgs, 'occlusion', 7)).toEqual(out);
  });

  it('noise adds N(0, 0.2²) to mid-grey pixels (mean within 0.01, sd within 0.01), the same for the same seed', () => {
    const img = new Float32Array(784 * 20).fill(0.5);
    const out = perturb(img, 'noise', 3);
    const d = Array.from(out, (v) => v - 0.5);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(sd - NOISE_SD)).toBeLessThan(0.01);
    expect(perturb(img, 'noise', 3)).toEqual(out);
    expect(perturb(img, 'noise', 4)).not.toEqual(out);
  });
});

describe('calibrationReport', () => {
  // Logits whose softmax at T = 1 is the true label distribution, then sharpened 3x: overconfident.
  function overconfident(n: number, seed: number) {
    const rng = mulberry32(seed);
    const logits = new Float64Array(n * 10);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const z = Array.from({ length: 10 }, () => 2 * Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()));
      const p = z.map(Math.exp);
      let u = rng() * p.reduce((a, b) => a + b, 0);
      let c = 0;
      while (c < 9 && (u -= p[c]) > 0) c++;
      labels[i] = c;
      z.forEach((v, k) => (logits[i * 10 + k] = 3 * v));
    }
    return { logits, labels };
  }

  it('finds T ≈ 3 for logits sharpened 3x and cuts the ECE and NLL on held-out rows', () => {
    const val = overconfident(8000, 1);
    const test = overconfident(4000, 2);
    const r = calibrationReport(val.logits, val.labels, test.logits, test.labels);
    expect(r.temperature).toBeGreaterThan(2.7);
    expect(r.temperature).toBeLessThan(3.3);
    expect(r.eceAfter).toBeLessThan(r.eceBefore / 3);
    expect(r.nllAfter).toBeLessThan(r.nllBefore);
    expect(r.before.count.reduce((a, b) => a + b, 0)).toBe(4000);
  });

  it('topLabel gives the max softmax probability and whether argmax is the label', () => {
    const { confidence, correct } = topLabel([0, Math.log(3), 0, 0], 2, [1, 0]);
    expect(confidence[0]).toBeCloseTo(0.75, 12);
    expect(correct[0]).toBe(1);
    expect(confidence[1]).toBeCloseTo(0.5, 12);
    expect(correct[1]).toBe(1);
  });
});
