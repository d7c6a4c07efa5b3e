// The data scripts (scripts/make-*.mjs) run as plain Node and draw from scripts/rng.mjs, a copy of
// src/lib/core/rng.ts: the two must give the same numbers and the same shuffles, or the seeded
// data files (and their sha256 in the README) would change.
import { describe, expect, it } from 'vitest';
import { mulberry32, shuffleInPlace } from '../../../src/lib/core/rng';
import * as scriptRng from '../../../scripts/rng.mjs';

describe('scripts/rng.mjs draws what core/rng.ts draws', () => {
  it.each([0, 1, 20250601, 20261202, 2 ** 32 - 1])('mulberry32(%i): the first 1,000 numbers', (seed) => {
    const a = mulberry32(seed), b = scriptRng.mulberry32(seed);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(new Set(xs).size).toBeGreaterThan(990);
  });

  it('shuffleInPlace: the same permutation of 0..999', () => {
    const base = Array.from({ length: 1000 }, (_, i) => i);
    const a = shuffleInPlace([...base], mulberry32(7));
    const b = scriptRng.shuffleInPlace([...base], scriptRng.mulberry32(7));
    expect(b).toEqual(a);
    expect(a).not.toEqual(base);
  });
});
