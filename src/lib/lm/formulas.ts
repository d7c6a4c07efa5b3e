/**
 * Closed forms of the language-model labs, in plain TypeScript (no tfjs): what the KV cache costs,
 * what speculative decoding should yield, RoPE on a matrix, and a LoRA merge. The tfjs model
 * (model.ts) is checked against these.
 */

/** A language-model library call with invalid input (odd RoPE width, shapes that disagree, α outside [0, 1]). */
export class LmError extends RangeError {
  override name = 'LmError';
}

export interface KvCacheShape {
  layers: number;
  /** Key/value heads (fewer than query heads in grouped- and multi-query attention). */
  kvHeads: number;
  headDim: number;
  seqLen: number;
  batch: number;
  /** 4 for float32, 2 for float16, 1 for int8. */
  bytesPerValue: number;
}

const positiveInt = (name: string, v: number) => {
  if (!Number.isInteger(v) || v < 0) throw new LmError(`${name} must be a whole number ≥ 0 (got ${v}).`);
};

/** Bytes a KV cache holds: 2 (a key and a value) · layers · kvHeads · headDim · seqLen · batch · bytesPerValue. */
export function kvCacheBytes(s: KvCacheShape): number {
  for (const k of ['layers', 'kvHeads', 'headDim', 'seqLen', 'batch'] as const) positiveInt(k, s[k]);
  if (!(s.bytesPerValue > 0)) throw new LmError(`bytesPerValue must be > 0 (got ${s.bytesPerValue}).`);
  return 2 * s.layers * s.kvHeads * s.headDim * s.seqLen * s.batch * s.bytesPerValue;
}

/**
 * Expected tokens per target call when the draft proposes γ tokens, each accepted with probability α
 * independently (Leviathan et al. 2023): Σ_{i=0..γ} α^i = (1 − α^(γ+1)) / (1 − α), γ + 1 at α = 1.
 */
export function speculativeExpectedTokens(alpha: number, gamma: number): number {
  if (!(alpha >= 0 && alpha <= 1)) throw new LmError(`The acceptance rate α must lie in [0, 1] (got ${alpha}).`);
  positiveInt('γ', gamma);
  if (alpha === 1) return gamma + 1;
  return (1 - alpha ** (gamma + 1)) / (1 - alpha);
}

export interface RopeOptions {
  /** θ_i = base^(−2i/dim); 10000 in RoFormer and LLaMA. */
  base?: number;
  /** Position of the first row (a cached decoder's rows start after the cache). */
  offset?: number;
}

/**
 * Rotary position embedding (RoFormer): a rotated copy of a seqLen × dim row-major matrix, each pair
 * (2i, 2i+1) of row p turned by the angle (p + offset) · base^(−2i/dim). Rotating query m and key n
 * this way makes their dot product depend on m − n only.
 */
export function applyRope(x: Float32Array, seqLen: number, dim: number, opts: RopeOptions = {}): Float32Array {
  const { base = 10000, offset = 0 } = opts;
  if (dim % 2 !== 0 || dim <= 0) throw new LmError(`RoPE rotates pairs of coordinates: dim must be even and > 0 (got ${dim}).`);
  positiveInt('seqLen', seqLen);
  if (x.length !== seqLen * dim) throw new LmError(`x holds ${x.length} values, not seqLen · dim = ${seqLen * dim}.`);
  if (!(base > 0)) throw new LmError(`base must be > 0 (got ${base}).`);
  const out = new Float32Array(x.length);
  for (let p = 0; p < seqLen; p++) {
    for (let i = 0; i < dim / 2; i++) {
      const a = (p + offset) * base ** ((-2 * i) / dim);
      const c = Math.cos(a), s = Math.sin(a);
      const x0 = x[p * dim + 2 * i], x1 = x[p * dim + 2 * i + 1];
      out[p * dim + 2 * i] = x0 * c - x1 * s;
      out[p * dim + 2 * i + 1] = x0 * s + x1 * c;
    }
  }
  return out;
}

export interface LoraShape {
  inDim: number;
  outDim: number;
  rank: number;
  alpha: number;
}

/** W + (alpha / rank) · A · B, with W [inDim, outDim] (a tfjs Dense kernel), A [inDim, rank], B [rank, outDim], row-major. */
export function loraMerge(W: Float32Array, A: Float32Array, B: Float32Array, s: LoraShape): Float32Array {
  const { inDim, outDim, rank, alpha } = s;
  for (const k of ['inDim', 'outDim', 'rank'] as const) {
    if (!Number.isInteger(s[k]) || s[k] < 1) throw new LmError(`${k} must be a whole number ≥ 1 (got ${s[k]}).`);
  }
  if (W.length !== inDim * outDim) throw new LmError(`W holds ${W.length} values, not inDim · outDim = ${inDim * outDim}.`);
  if (A.length !== inDim * rank) throw new LmError(`A holds ${A.length} values, not inDim · rank = ${inDim * rank}.`);
  if (B.length !== rank * outDim) throw new LmError(`B holds ${B.length} values, not rank · outDim = ${rank * outDim}.`);
  if (!Number.isFinite(alpha)) throw new LmError(`alpha must be a finite number (got ${alpha}).`);
  const scale = alpha / rank;
  const out = Float32Array.from(W);
  for (let i = 0; i < inDim; i++) {
    for (let r = 0; r < rank; r++) {
      const a = scale * A[i * rank + r];
      if (a === 0) continue;
      for (let j = 0; j < outDim; j++) out[i * outDim + j] += a * B[r * outDim + j];
    }
  }
  return out;
}
