/**
 * Secure aggregation by pairwise masks (Bonawitz et al. 2017, the masking core without the key
 * agreement and secret sharing): every pair of clients i < j shares a seed s_ij; client i adds the
 * mask PRG(s_ij) for every partner j > i and subtracts it for every j < i. Each masked vector looks
 * uniformly random to the server, yet the masks cancel in the sum. To cancel exactly, the values are
 * fixed-point integers (x·2^F rounded) and all arithmetic is modulo 2³²: the server's sum equals
 * the sum of the encoded vectors bit for bit. When a client drops out after the masks were agreed,
 * the survivors reveal their seeds with it and the server removes those masks (in the real protocol
 * the seeds come from secret shares); nobody reveals anything about a client that did report.
 */
import { deriveSeed, mulberry32 } from '../core/rng';
import { ensure, requireInt } from './errors';

/** Fractional bits of the fixed-point encoding: steps of 2⁻²⁰ ≈ 1e-6, range ±2048 for the sum. */
export const FIXED_POINT_BITS = 20;

/** round(x·2^bits) as 32-bit two's complement. */
export function encodeFixed(x: ArrayLike<number>, bits = FIXED_POINT_BITS): Uint32Array {
  const out = new Uint32Array(x.length);
  const scale = 2 ** bits;
  for (let i = 0; i < x.length; i++) {
    const v = Math.round(x[i] * scale);
    ensure(Math.abs(v) < 2 ** 31, `value ${x[i]} does not fit the ${32 - bits}-bit integer part of the fixed-point encoding.`);
    out[i] = v >>> 0;
  }
  return out;
}

/** The signed values of a fixed-point vector (a sum of encodings, read as int32). */
export function decodeFixed(v: Uint32Array, bits = FIXED_POINT_BITS): Float64Array {
  const scale = 2 ** -bits;
  return Float64Array.from(new Int32Array(v.buffer, v.byteOffset, v.length), (x) => x * scale);
}

/** Elementwise sum modulo 2³². */
export function modSum(vectors: Uint32Array[]): Uint32Array {
  const out = new Uint32Array(vectors[0]?.length ?? 0);
  for (const v of vectors) for (let i = 0; i < out.length; i++) out[i] = (out[i] + v[i]) >>> 0;
  return out;
}

/** The mask clients i < j share in round `roundSeed`: PRG(s_ij), one uint32 per value. */
export function pairMask(roundSeed: number, i: number, j: number, length: number): Uint32Array {
  const [a, b] = i < j ? [i, j] : [j, i];
  const rng = mulberry32(deriveSeed(deriveSeed(roundSeed, a), 100_000 + b));
  return Uint32Array.from({ length }, () => Math.floor(rng() * 4294967296) >>> 0);
}

/** Client `me`'s masked vector: its encoding plus the masks of partners after it, minus those before it, mod 2³². */
export function maskVector(encoded: Uint32Array, me: number, participants: readonly number[], roundSeed: number): Uint32Array {
  ensure(participants.includes(me), `client ${me} is not among the round's participants.`);
  const out = encoded.slice();
  for (const other of participants) {
    if (other === me) continue;
    const m = pairMask(roundSeed, me, other, out.length);
    if (me < other) for (let i = 0; i < out.length; i++) out[i] = (out[i] + m[i]) >>> 0;
    else for (let i = 0; i < out.length; i++) out[i] = (out[i] - m[i]) >>> 0;
  }
  return out;
}

/**
 * The server's sum of the survivors' masked vectors with the masks shared with dropped clients
 * removed (from the seeds the survivors reveal): equal, mod 2³², to the sum of the survivors' encodings.
 */
export function unmaskSum(maskedSum: Uint32Array, survivors: readonly number[], dropped: readonly number[], roundSeed: number): Uint32Array {
  const out = maskedSum.slice();
  for (const s of survivors) {
    requireInt(s, 'client', 0);
    for (const d of dropped) {
      const m = pairMask(roundSeed, s, d, out.length);
      // Survivor s added +m if s < d, −m if s > d: take it back out.
      if (s < d) for (let i = 0; i < out.length; i++) out[i] = (out[i] - m[i]) >>> 0;
      else for (let i = 0; i < out.length; i++) out[i] = (out[i] + m[i]) >>> 0;
    }
  }
  return out;
}
