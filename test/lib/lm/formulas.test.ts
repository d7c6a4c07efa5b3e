import { describe, expect, it } from 'vitest';
import { applyRope, kvCacheBytes, loraMerge, LmError, speculativeExpectedTokens } from '../../../src/lib/lm/formulas.ts';
import { mulberry32 } from '../../../src/lib/core/rng.ts';

const rand = (n: number, seed: number) => { const r = mulberry32(seed); return Float32Array.from({ length: n }, () => 2 * r() - 1); };
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

describe('kvCacheBytes', () => {
  it('kvCacheBytes is 2 · layers · kvHeads · headDim · seqLen · batch · bytes (GPT-2 small and LLaMA-2 70B worked by hand)', () => {
    // GPT-2 small: 12 layers, 12 heads of 64, context 1024, float32: 2·12·12·64·1024·4 = 75,497,472 bytes.
    expect(kvCacheBytes({ layers: 12, kvHeads: 12, headDim: 64, seqLen: 1024, batch: 1, bytesPerValue: 4 })).toBe(75_497_472);
    // LLaMA-2 70B (80 layers, 8 kv heads of 128), 4,096 tokens, fp16: 1,342,177,280 bytes (1.25 GiB).
    expect(kvCacheBytes({ layers: 80, kvHeads: 8, headDim: 128, seqLen: 4096, batch: 1, bytesPerValue: 2 })).toBe(1_342_177_280);
  });
  it('kvCacheBytes rejects a fractional or negative size', () => {
    expect(() => kvCacheBytes({ layers: 1.5, kvHeads: 1, headDim: 1, seqLen: 1, batch: 1, bytesPerValue: 4 })).toThrow(LmError);
    expect(() => kvCacheBytes({ layers: 1, kvHeads: 1, headDim: 1, seqLen: 1, batch: 1, bytesPerValue: 0 })).toThrow(/bytesPerValue/);
  });
});

describe('speculativeExpectedTokens', () => {
  it('equals the sum 1 + α + … + α^γ, γ + 1 at α = 1 and 1 at α = 0', () => {
    for (const [a, g] of [[0.5, 3], [0.8, 4], [0.9, 7], [0.3, 1]]) {
      let sum = 0;
      for (let i = 0; i <= g; i++) sum += a ** i;
      expect(speculativeExpectedTokens(a, g)).toBeCloseTo(sum, 12);
    }
    expect(speculativeExpectedTokens(0.5, 3)).toBeCloseTo(1.875, 12);
    expect(speculativeExpectedTokens(1, 5)).toBe(6);
    expect(speculativeExpectedTokens(0, 5)).toBe(1);
  });
  it('rejects α outside [0, 1]', () => {
    expect(() => speculativeExpectedTokens(1.2, 3)).toThrow(/\[0, 1\]/);
    expect(() => speculativeExpectedTokens(Number.NaN, 3)).toThrow(LmError);
  });
});

describe('applyRope', () => {
  it("applyRope(q)·applyRope(k) for positions m and n depends only on m − n", () => {
    const dim = 16;
    const q = rand(dim, 1), k = rand(dim, 2);
    const at = (x: Float32Array, p: number) => applyRope(x, 1, dim, { offset: p });
    const ref = dot(at(q, 3), at(k, 1));
    for (const [m, n] of [[5, 3], [12, 10], [102, 100]]) expect(dot(at(q, m), at(k, n))).toBeCloseTo(ref, 4);
    expect(Math.abs(dot(at(q, 5), at(k, 1)) - ref)).toBeGreaterThan(1e-3);
  });
  it('turns pair (2i, 2i+1) of row p by p · base^(−2i/dim): row 0 unchanged, norms kept, a worked value', () => {
    const x = rand(3 * 4, 3);
    const y = applyRope(x, 3, 4);
    expect(Array.from(y.subarray(0, 4))).toEqual(Array.from(x.subarray(0, 4)));
    for (let p = 0; p < 3; p++) for (let i = 0; i < 2; i++) {
      const a = Math.hypot(x[p * 4 + 2 * i], x[p * 4 + 2 * i + 1]), b = Math.hypot(y[p * 4 + 2 * i], y[p * 4 + 2 * i + 1]);
      expect(b).toBeCloseTo(a, 5);
    }
    // Row 1, pair 0: angle 1 rad. (1, 0) → (cos 1, sin 1); pair 1: angle 1 · 10000^(−1/2) = 0.01.
    const z = applyRope(Float32Array.from([0, 0, 0, 0, 1, 0, 1, 0]), 2, 4);
    expect(z[4]).toBeCloseTo(Math.cos(1), 6);
    expect(z[5]).toBeCloseTo(Math.sin(1), 6);
    expect(z[7]).toBeCloseTo(Math.sin(0.01), 6);
  });
  it('rejects an odd dim and a length mismatch', () => {
    expect(() => applyRope(new Float32Array(3), 1, 3)).toThrow(/even/);
    expect(() => applyRope(new Float32Array(5), 2, 4)).toThrow(LmError);
  });
});

describe('loraMerge', () => {
  it('loraMerge(W, A, B) · x equals W·x + (alpha/rank) · (x·A)·B', () => {
    const inDim = 5, outDim = 3, rank = 2, alpha = 8;
    const W = rand(inDim * outDim, 4), A = rand(inDim * rank, 5), B = rand(rank * outDim, 6), x = rand(inDim, 7);
    const M = loraMerge(W, A, B, { inDim, outDim, rank, alpha });
    for (let j = 0; j < outDim; j++) {
      let merged = 0, plain = 0;
      for (let i = 0; i < inDim; i++) { merged += x[i] * M[i * outDim + j]; plain += x[i] * W[i * outDim + j]; }
      let lora = 0;
      for (let r = 0; r < rank; r++) {
        let xa = 0;
        for (let i = 0; i < inDim; i++) xa += x[i] * A[i * rank + r];
        lora += xa * B[r * outDim + j];
      }
      expect(merged).toBeCloseTo(plain + (alpha / rank) * lora, 5);
    }
  });
  it('rejects shapes that disagree', () => {
    expect(() => loraMerge(new Float32Array(6), new Float32Array(5), new Float32Array(6), { inDim: 2, outDim: 3, rank: 2, alpha: 1 })).toThrow(/A holds 5/);
    expect(() => loraMerge(new Float32Array(5), new Float32Array(4), new Float32Array(6), { inDim: 2, outDim: 3, rank: 2, alpha: 1 })).toThrow(/W holds/);
  });
});
