import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashValue, sha256 } from '../../../src/lib/mlops';
import { mulberry32 } from '../../../src/lib/core/rng';

describe('sha256', () => {
  it('matches the FIPS 180-4 examples', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it("matches node:crypto on random inputs of every length around the 64-byte block and padding edges", () => {
    const rng = mulberry32(7);
    for (const n of [1, 54, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 4097]) {
      const b = Uint8Array.from({ length: n }, () => Math.floor(rng() * 256));
      expect(sha256(b)).toBe(createHash('sha256').update(b).digest('hex'));
    }
  });
});

describe('hashValue', () => {
  it('ignores key order but not values, types or nesting', () => {
    expect(hashValue({ a: 1, b: [1, 2] })).toBe(hashValue({ b: [1, 2], a: 1 }));
    expect(hashValue({ a: 1 })).not.toBe(hashValue({ a: '1' }));
    expect(hashValue([1, 2])).not.toBe(hashValue([2, 1]));
    expect(hashValue({ a: { b: 1 } })).not.toBe(hashValue({ 'a.b': 1 }));
    expect(hashValue(0)).not.toBe(hashValue(-0));
    expect(hashValue(null)).not.toBe(hashValue(undefined));
  });

  it('hashes typed arrays by type and bytes', () => {
    expect(hashValue(new Float32Array([1, 2]))).toBe(hashValue(new Float32Array([1, 2])));
    expect(hashValue(new Float32Array([1, 2]))).not.toBe(hashValue(new Float64Array([1, 2])));
    expect(hashValue(new Float32Array([1, 2]))).not.toBe(hashValue([1, 2]));
    expect(hashValue(new Uint8Array([1, 2, 3]).subarray(1))).toBe(hashValue(new Uint8Array([2, 3])));
  });

  it('hashes Maps and Sets by content, not insertion order', () => {
    expect(hashValue(new Map([['a', 1], ['b', 2]]))).toBe(hashValue(new Map([['b', 2], ['a', 1]])));
    expect(hashValue(new Set([1, 2]))).toBe(hashValue(new Set([2, 1])));
  });

  it('refuses what it cannot hash faithfully, saying where', () => {
    expect(() => hashValue({ f: () => 1 })).toThrow('Cannot hash the value.f: a function.');
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => hashValue(loop)).toThrow(/refers to itself/);
    expect(() => hashValue({ when: new (class Thing {})() })).toThrow(/an instance of Thing/);
    const shared = { x: 1 };
    expect(() => hashValue({ a: shared, b: shared })).not.toThrow();
  });
});
