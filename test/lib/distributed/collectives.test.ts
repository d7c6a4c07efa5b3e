import { describe, expect, it } from 'vitest';
import { chunkBounds, collectiveBytes, ringAllReduce } from '../../../src/lib/distributed/collectives.ts';
import { DistributedError } from '../../../src/lib/distributed/errors.ts';
import { mulberry32 } from '../../../src/lib/core/rng.ts';

function randomBuffers(n: number, len: number, seed: number): Float32Array[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: len }, () => (rng() - 0.5) * 10 ** Math.floor(rng() * 6 - 3)));
}

describe('collectiveBytes', () => {
  it('is 2(N−1)/N·B for all-reduce and (N−1)/N·B for reduce-scatter and all-gather', () => {
    expect(collectiveBytes('all-reduce', 1000, 4)).toBe(1500);
    expect(collectiveBytes('reduce-scatter', 1000, 4)).toBe(750);
    expect(collectiveBytes('all-gather', 1000, 4)).toBe(750);
    expect(collectiveBytes('all-reduce', 1000, 1)).toBe(0);
    // As N grows all-reduce tends to 2B: a rank sends twice the buffer, whatever the ring's size.
    expect(collectiveBytes('all-reduce', 1e6, 1000) / 1e6).toBeCloseTo(1.998, 6);
  });

  it('refuses an unknown op, a negative payload and a world below 1', () => {
    expect(() => collectiveBytes('broadcast' as never, 10, 2)).toThrow(/op must be one of all-reduce, reduce-scatter, all-gather/);
    expect(() => collectiveBytes('all-reduce', -1, 2)).toThrow(/payloadBytes must be a finite number of at least 0; it is -1/);
    expect(() => collectiveBytes('all-reduce', 10, 0)).toThrow(/worldSize must be a whole number of at least 1/);
  });
});

describe('chunkBounds', () => {
  it('cuts 10 values over 4 ranks into ⌈10/4⌉ = 3 per chunk, the last one short', () => {
    expect([0, 1, 2, 3].map((c) => chunkBounds(10, 4, c))).toEqual([[0, 3], [3, 6], [6, 9], [9, 10]]);
    expect([0, 1, 2, 3].map((c) => chunkBounds(2, 4, c))).toEqual([[0, 1], [1, 2], [2, 2], [2, 2]]);
  });
});

describe('ringAllReduce', () => {
  it.each([1, 2, 3, 4, 8])('gives %i ranks bit-identical results equal to the float64 sum within (N−1) float32 roundings', (n) => {
    const bufs = randomBuffers(n, 1003, n);
    const out = ringAllReduce(bufs);
    for (let r = 1; r < n; r++) expect(out[r]).toEqual(out[0]);
    let worst = 0;
    for (let i = 0; i < 1003; i++) {
      let exact = 0;
      let scale = 0;
      for (const b of bufs) {
        exact += b[i];
        scale += Math.abs(b[i]);
      }
      // Each of the N−1 additions rounds to float32: |error| ≤ (N−1)·2⁻²⁴·Σ|x|.
      worst = Math.max(worst, Math.abs(out[0][i] - exact) / ((n - 1) * 2 ** -24 * scale + 1e-30));
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('adds chunk c in ring order starting at rank c+1: ((x₁ + x₂) + x₃) + x₀ for chunk 0 of 4 ranks', () => {
    // Values chosen so float32 addition order shows: 1e8 + 1 + 1 − 1e8 depends on grouping.
    const vals = [1e8, 3, 3, -1e8];
    const bufs = vals.map((v) => Float32Array.of(v, v, v, v));
    const out = ringAllReduce(bufs);
    const f = Math.fround;
    const chunk = (c: number) => {
      let acc = vals[(c + 1) % 4];
      for (let k = 2; k <= 4; k++) acc = f(acc + vals[(c + k) % 4]);
      return acc;
    };
    expect(Array.from(out[2])).toEqual([0, 1, 2, 3].map(chunk));
  });

  it('does not modify its inputs', () => {
    const bufs = randomBuffers(3, 50, 9);
    const copies = bufs.map((b) => b.slice());
    ringAllReduce(bufs);
    expect(bufs).toEqual(copies);
  });

  it('refuses buffers of different lengths, non-Float32Arrays and an empty list', () => {
    expect(() => ringAllReduce([new Float32Array(3), new Float32Array(4)])).toThrow(/same length: rank 0 has 3 values, rank 1 has 4/);
    expect(() => ringAllReduce([new Float32Array(3), [1, 2, 3] as never])).toThrow(/buffers\[1\] must be a Float32Array/);
    expect(() => ringAllReduce([])).toThrow(DistributedError);
  });
});
