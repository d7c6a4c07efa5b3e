import { describe, expect, it } from 'vitest';
import { decodeFixed, encodeFixed, maskVector, modSum, pairMask, unmaskSum } from '../../../src/lib/distributed/secagg.ts';
import { mulberry32 } from '../../../src/lib/core/rng.ts';

const vec = (n: number, seed: number) => {
  const rng = mulberry32(seed);
  return Float64Array.from({ length: n }, () => (rng() - 0.5) * 2);
};

describe('secure aggregation masks', () => {
  it('fixed point: round(x·2²⁰) in two\'s complement, decoded back within 2⁻²¹', () => {
    const x = Float64Array.of(0.5, -0.25, 1e-7, -3.999999, 0);
    const back = decodeFixed(encodeFixed(x));
    x.forEach((v, i) => expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(2 ** -21));
    expect(encodeFixed([-1])[0]).toBe(2 ** 32 - 2 ** 20);
    expect(() => encodeFixed([5000])).toThrow(/does not fit/);
  });

  it('masks of 5 clients cancel exactly: the masked sum equals the plain fixed-point sum bit for bit', () => {
    const clients = [0, 1, 2, 3, 4];
    const enc = clients.map((k) => encodeFixed(vec(300, k)));
    const masked = enc.map((e, i) => maskVector(e, clients[i], clients, 77));
    expect(modSum(masked)).toEqual(modSum(enc));
    // A single masked vector tells the server nothing: about half its bits set, uncorrelated with the values.
    const m = masked[2];
    let bits = 0;
    for (const v of m) bits += v.toString(2).split('1').length - 1;
    expect(bits / (32 * m.length)).toBeGreaterThan(0.45);
    expect(bits / (32 * m.length)).toBeLessThan(0.55);
  });

  it('when clients 1 and 3 drop after the masks were agreed, removing their pair masks recovers the survivors\' exact sum', () => {
    const selected = [0, 1, 2, 3, 4];
    const survivors = [0, 2, 4];
    const enc = new Map(selected.map((k) => [k, encodeFixed(vec(100, 10 + k))]));
    const maskedSum = modSum(survivors.map((k) => maskVector(enc.get(k)!, k, selected, 5)));
    expect(maskedSum).not.toEqual(modSum(survivors.map((k) => enc.get(k)!)));
    expect(unmaskSum(maskedSum, survivors, [1, 3], 5)).toEqual(modSum(survivors.map((k) => enc.get(k)!)));
  });

  it('pair masks are symmetric in the pair and differ between rounds', () => {
    expect(pairMask(1, 2, 5, 8)).toEqual(pairMask(1, 5, 2, 8));
    expect(pairMask(1, 2, 5, 8)).not.toEqual(pairMask(2, 2, 5, 8));
  });
});
