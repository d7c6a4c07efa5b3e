/**
 * Low-precision number formats, emulated exactly on float32 values: IEEE 754 binary16 (fp16: 5
 * exponent bits, 10 mantissa bits, largest finite 65504, smallest subnormal 2⁻²⁴ ≈ 6.0e-8) and
 * bfloat16 (bf16: float32's 8 exponent bits, 7 mantissa bits). Every cast rounds to the nearest
 * representable value, ties to the even one; values beyond the largest finite become ±Infinity;
 * subnormals are kept (not flushed to zero); NaN stays NaN. numpy's astype(float16) and PyTorch's
 * .to(torch.bfloat16) round the same way (checked in test/lib/distributed/refs).
 */
import { ensure } from './errors';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** 2⁻²⁴: fp16's subnormal spacing. */
const F16_TINY = 2 ** -24;

/** The fp16 bit pattern nearest to x (round half to even). */
export function float32ToFloat16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const abs = bits & 0x7fffffff;
  if (abs >= 0x7f800000) return sign | 0x7c00 | (abs > 0x7f800000 ? 0x0200 : 0);
  // 65520 (0x477ff000) is the tie between 65504 (odd mantissa) and 65536: it and all above overflow.
  if (abs >= 0x477ff000) return sign | 0x7c00;
  if (abs < 0x38800000) {
    // Below 2⁻¹⁴, fp16 is fixed-point with step 2⁻²⁴: |x|·2²⁴ is exact in float64; round it half to even.
    f32[0] = x;
    const q = Math.abs(f32[0]) / F16_TINY;
    let k = Math.floor(q);
    const frac = q - k;
    if (frac > 0.5 || (frac === 0.5 && k % 2 === 1)) k++;
    return sign | k; // k = 1024 is the bit pattern of 2⁻¹⁴, the smallest normal: the carry is right.
  }
  const mantissa = abs & 0x7fffff;
  let h = ((((abs >>> 23) - 112) << 10) | (mantissa >>> 13)) >>> 0; // rebias the exponent: −127 + 15
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++; // a carry into the exponent is right too
  return sign | h;
}

/** The value of an fp16 bit pattern. */
export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * F16_TINY;
  if (e === 31) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** The bf16 bit pattern (upper 16 bits of a float32) nearest to x (round half to even). */
export function float32ToBfloat16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 0x0040) & 0xffff; // NaN stays a (quiet) NaN
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** The value of a bf16 bit pattern. */
export function bfloat16BitsToFloat32(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0];
}

function checkArray(x: Float32Array, what: string): void {
  ensure(x instanceof Float32Array, `${what} must be a Float32Array; it is ${Object.prototype.toString.call(x)}.`);
}

/** The values of x after a cast to fp16 and back: what an fp16 tensor would hold. */
export function roundToFloat16(x: Float32Array): Float32Array {
  checkArray(x, 'roundToFloat16: x');
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = float16BitsToFloat32(float32ToFloat16Bits(x[i]));
  return out;
}

/** The values of x after a cast to bf16 and back: float32 with the low 16 bits rounded away. */
export function roundToBfloat16(x: Float32Array): Float32Array {
  checkArray(x, 'roundToBfloat16: x');
  const out = new Float32Array(x.length);
  const inBits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < x.length; i++) {
    const b = inBits[i];
    outBits[i] = (b & 0x7fffffff) > 0x7f800000 ? (b | 0x00400000) >>> 0 : ((b + 0x7fff + ((b >>> 16) & 1)) & 0xffff0000) >>> 0;
  }
  return out;
}

/** Low-precision formats the labs emulate. */
export type LowPrecision = 'fp16' | 'bf16';
export type ComputePrecision = 'fp32' | LowPrecision;

/** Round x in place to `precision` (fp32: unchanged). */
export function castInPlace(x: Float32Array, precision: ComputePrecision): Float32Array {
  if (precision === 'fp32') return x;
  const r = precision === 'fp16' ? roundToFloat16(x) : roundToBfloat16(x);
  x.set(r);
  return x;
}

/** fp16 storage: the bit patterns of x, 2 bytes a value (what an fp16 buffer really holds). */
export function toFloat16Bits(x: Float32Array, out = new Uint16Array(x.length)): Uint16Array {
  for (let i = 0; i < x.length; i++) out[i] = float32ToFloat16Bits(x[i]);
  return out;
}

/** The float32 values of fp16 storage. */
export function fromFloat16Bits(h: Uint16Array, out = new Float32Array(h.length)): Float32Array {
  for (let i = 0; i < h.length; i++) out[i] = float16BitsToFloat32(h[i]);
  return out;
}

let f16Table: Float32Array | undefined;

/** The float32 value of every fp16 bit pattern (256 KiB, built on first use): a lookup instead of arithmetic in hot loops. */
export function float16Table(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = float16BitsToFloat32(h);
  }
  return f16Table;
}
