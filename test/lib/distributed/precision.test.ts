import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  roundToFloat16, roundToBfloat16, float32ToFloat16Bits, float16BitsToFloat32, float32ToBfloat16Bits, bfloat16BitsToFloat32, toFloat16Bits, fromFloat16Bits, float16Table,
} from '../../../src/lib/distributed/precision.ts';

// numpy's astype(float16) and torch's .to(bfloat16) on 540 float32 values (refs/make_precision_refs.py).
const refs = JSON.parse(readFileSync(new URL('./refs/precision.json', import.meta.url), 'utf8')) as { input: number[]; fp16: number[]; bf16: number[] };
const input = new Float32Array(Uint32Array.from(refs.input).buffer);
const hex = (bits: Uint32Array, i: number) => `0x${bits[i].toString(16).padStart(8, '0')}`;

function mismatches(got: Float32Array, want: number[]): string[] {
  const g = new Uint32Array(got.buffer);
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) if (g[i] !== want[i] >>> 0) bad.push(`input ${hex(new Uint32Array(input.buffer), i)}: got ${hex(g, i)}, numpy/torch ${hex(Uint32Array.from(want), i)}`);
  return bad;
}

describe('roundToFloat16', () => {
  it('matches numpy astype(float16) bit for bit on ties, subnormals, overflow and 400 random exponents', () => {
    expect(mismatches(roundToFloat16(input), refs.fp16)).toEqual([]);
  });

  it('rounds the tie 65520 up to Infinity and keeps 65504, the largest finite fp16', () => {
    expect(Array.from(roundToFloat16(Float32Array.of(65504, 65519, 65520, -70000)))).toEqual([65504, 65504, Infinity, -Infinity]);
  });

  it('keeps subnormals: 2⁻²⁴ stays, 2⁻²⁵ (a tie with 0) goes to 0, 3·2⁻²⁵ goes to the even 2⁻²³', () => {
    expect(Array.from(roundToFloat16(Float32Array.of(2 ** -24, 2 ** -25, 3 * 2 ** -25)))).toEqual([2 ** -24, 0, 2 ** -23]);
  });

  it('keeps NaN a NaN and leaves its input alone', () => {
    const x = Float32Array.of(NaN, 1.00048828125);
    const out = roundToFloat16(x);
    expect(Number.isNaN(out[0])).toBe(true);
    expect(out[1]).toBe(1); // 1 + 2⁻¹¹ is a tie between 1 and 1 + 2⁻¹⁰: the even mantissa wins
    expect(x[1]).toBe(1.00048828125);
  });

  it('round-trips every finite fp16 bit pattern through its float32 value, and the table agrees', () => {
    const table = float16Table();
    const bad: string[] = [];
    for (let h = 0; h < 65536; h++) {
      if (((h >>> 10) & 0x1f) === 31) continue;
      const v = float16BitsToFloat32(h);
      if (table[h] !== v || float32ToFloat16Bits(v) !== h) bad.push(`0x${h.toString(16)}`);
    }
    expect(bad).toEqual([]);
  });

  it('toFloat16Bits/fromFloat16Bits store 2 bytes a value and give back the rounded values', () => {
    const x = Float32Array.of(0.1, -3.14159, 1e-6, 70000);
    const bits = toFloat16Bits(x);
    expect(bits.byteLength).toBe(8);
    expect(fromFloat16Bits(bits)).toEqual(roundToFloat16(x));
  });

  it('refuses an input that is not a Float32Array', () => {
    expect(() => roundToFloat16([1, 2] as never)).toThrow(/roundToFloat16: x must be a Float32Array/);
  });
});

describe('roundToBfloat16', () => {
  it('matches torch .to(bfloat16) bit for bit on the same 540 values', () => {
    expect(mismatches(roundToBfloat16(input), refs.bf16)).toEqual([]);
  });

  it('keeps float32\'s range: 1e-30 and 1e30 survive where fp16 gives 0 and Infinity', () => {
    const x = Float32Array.of(1e-30, 1e30);
    expect(Array.from(roundToFloat16(x))).toEqual([0, Infinity]);
    const b = roundToBfloat16(x);
    expect(Math.abs(b[0] / 1e-30 - 1)).toBeLessThan(2 ** -8);
    expect(Math.abs(b[1] / 1e30 - 1)).toBeLessThan(2 ** -8);
  });

  it('agrees with the scalar bit functions and keeps NaN', () => {
    const x = Float32Array.of(0.1, 3.3, -7e-20, NaN);
    const arr = roundToBfloat16(x);
    for (let i = 0; i < 3; i++) expect(bfloat16BitsToFloat32(float32ToBfloat16Bits(x[i]))).toBe(arr[i]);
    expect(Number.isNaN(arr[3])).toBe(true);
    expect(Number.isNaN(bfloat16BitsToFloat32(float32ToBfloat16Bits(NaN)))).toBe(true);
  });

  it('refuses an input that is not a Float32Array', () => {
    expect(() => roundToBfloat16(new Float64Array(2) as never)).toThrow(/roundToBfloat16: x must be a Float32Array/);
  });
});
