/**
 * A decoder-only transformer (GPT) in TensorFlow.js core ops, small enough to train in a browser tab:
 *
 *   x = onehot(ids) · wte (+ wpe[positions] for learned positions)
 *   per layer:  x += Wo · attn(LN₁(x));  x += W₂ · gelu(W₁ · LN₂(x) + b₁) + b₂
 *   logits = LN_f(x) · head
 *
 * attn is causal multi-head attention with `heads` query heads sharing `kvHeads` key/value heads
 * (kvHeads = heads: MHA; 1: MQA; between: GQA, query head h reads kv head ⌊h · kvHeads / heads⌋), and
 * RoPE (RoFormer, pairs (2i, 2i+1)) on queries and keys when positions = 'rope'. The embedding is a
 * one-hot matmul because tfjs 4.22's wasm backend lacks UnsortedSegmentSum, the gradient of gather.
 * Optional LoRA adds (alpha / rank) · x·A·B to chosen Dense kernels W; merge() folds it into W.
 * A KV cache (per layer, [batch, kvHeads, length, headDim]) lets generation feed one token at a time.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradients by itself; tfjs-layers registers them all (and the tf worker bundles it already).
import '@tensorflow/tfjs-layers';
import { mulberry32, type Rng } from '../core/rng';
import { LmError, loraMerge } from './formulas';

export type Positions = 'learned' | 'rope';
/** Dense kernels LoRA can adapt: the attention projections and the two MLP layers. */
export type LoraTarget = 'q' | 'k' | 'v' | 'o' | 'fc' | 'proj';

export interface GptConfig {
  vocab: number;
  /** Longest sequence the model handles (rows of the learned position table). */
  context: number;
  layers: number;
  dModel: number;
  heads: number;
  /** Key/value heads; must divide heads. */
  kvHeads: number;
  positions: Positions;
  /** MLP width = mlpRatio · dModel (4 in GPT-2). */
  mlpRatio?: number;
  ropeBase?: number;
  /** RoPE position interpolation: positions are multiplied by this (< 1 stretches a trained context). */
  ropeScale?: number;
  lora?: { rank: number; alpha: number; targets: LoraTarget[] };
}

export const GPT_DEFAULTS: Omit<GptConfig, 'vocab'> = { context: 64, layers: 2, dModel: 64, heads: 4, kvHeads: 4, positions: 'learned', mlpRatio: 4 };

/** Per layer, keys and values seen so far: [batch, kvHeads, length, headDim]. */
export interface KvCache {
  k: tf.Tensor4D[];
  v: tf.Tensor4D[];
  length: number;
}

const LN_EPS = 1e-5;
const MASKED = -1e9;

/** Normal(0, std) values from a seeded generator (Box–Muller). */
export function normals(n: number, std: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rng(), v = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = std * r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = std * r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

export function checkConfig(c: GptConfig): void {
  for (const k of ['vocab', 'context', 'layers', 'dModel', 'heads', 'kvHeads'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new LmError(`${k} must be a whole number ≥ 1 (got ${c[k]}).`);
  }
  if (c.dModel % c.heads !== 0) throw new LmError(`dModel (${c.dModel}) must be a multiple of heads (${c.heads}).`);
  if (c.heads % c.kvHeads !== 0) throw new LmError(`kvHeads (${c.kvHeads}) must divide heads (${c.heads}).`);
  if (c.positions === 'rope' && (c.dModel / c.heads) % 2 !== 0) throw new LmError(`RoPE needs an even head width (got ${c.dModel / c.heads}).`);
  if (c.lora && !(Number.isInteger(c.lora.rank) && c.lora.rank >= 1)) throw new LmError(`LoRA rank must be a whole number ≥ 1 (got ${c.lora.rank}).`);
}

export class Gpt {
  readonly config: Required<Omit<GptConfig, 'lora'>> & Pick<GptConfig, 'lora'>;
  readonly headDim: number;
  /** Every parameter by name (see shapes()). */
  readonly params = new Map<string, tf.Variable>();

  constructor(config: GptConfig, seed = 1) {
    checkConfig(config);
    this.config = { mlpRatio: 4, ropeBase: 10000, ropeScale: 1, ...config };
    this.headDim = config.dModel / config.heads;
    const rng = mulberry32(seed);
    const residStd = 0.02 / Math.sqrt(2 * config.layers);
    for (const [name, shape] of this.shapes()) {
      const n = shape.reduce((a, b) => a * b, 1);
      let init: Float32Array;
      if (/\.g$/.test(name)) init = new Float32Array(n).fill(1);
      else if (/\.b$|loraB$/.test(name)) init = new Float32Array(n);
      else if (/loraA$/.test(name)) init = normals(n, 1 / Math.sqrt(shape[0]), rng);
      else init = normals(n, /\.(o|proj)$/.test(name) ? residStd : 0.02, rng);
      const t = tf.tensor(init, shape);
      this.params.set(name, tf.variable(t, true));
      t.dispose();
    }
  }

  /** Parameter names and shapes, in a fixed order (the PyTorch reference uses the same names). */
  shapes(): [string, number[]][] {
    const { vocab, context, layers, dModel: d, heads, kvHeads, positions, lora } = this.config;
    const m = this.config.mlpRatio * d, hd = d / heads;
    const out: [string, number[]][] = [['wte', [vocab, d]]];
    if (positions === 'learned') out.push(['wpe', [context, d]]);
    const dense: [LoraTarget, number, number][] = [['q', d, heads * hd], ['k', d, kvHeads * hd], ['v', d, kvHeads * hd], ['o', d, d], ['fc', d, m], ['proj', m, d]];
    for (let l = 0; l < layers; l++) {
      out.push([`h${l}.ln1.g`, [d]], [`h${l}.ln1.b`, [d]]);
      for (const [n, i, o] of dense) {
        if (n === 'fc') out.push([`h${l}.ln2.g`, [d]], [`h${l}.ln2.b`, [d]]);
        out.push([`h${l}.${n}`, [i, o]]);
        if (n === 'fc' || n === 'proj') out.push([`h${l}.${n}.b`, [o]]);
        if (lora?.targets.includes(n)) out.push([`h${l}.${n}.loraA`, [i, lora.rank]], [`h${l}.${n}.loraB`, [lora.rank, o]]);
      }
    }
    out.push(['lnf.g', [d]], ['lnf.b', [d]], ['head', [d, vocab]]);
    return out;
  }

  /** Number of parameters (all, or only those `trainable` names). */
  count(filter: (name: string) => boolean = () => true): number {
    let n = 0;
    for (const [name, v] of this.params) if (filter(name)) n += v.size;
    return n;
  }

  p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new LmError(`The model has no parameter '${name}'.`);
    return v;
  }

  /** Replace parameters from plain arrays (the PyTorch fixture, a checkpoint). */
  setWeights(weights: Record<string, ArrayLike<number>>): void {
    for (const [name, vals] of Object.entries(weights)) {
      const v = this.p(name);
      if (vals.length !== v.size) throw new LmError(`${name}: ${vals.length} values for a tensor of ${v.size}.`);
      v.assign(tf.tensor(Float32Array.from(vals), v.shape));
    }
  }

  async getWeights(): Promise<Record<string, Float32Array>> {
    const out: Record<string, Float32Array> = {};
    for (const [name, v] of this.params) out[name] = (await v.data()) as Float32Array;
    return out;
  }

  private dense(x: tf.Tensor2D, name: string): tf.Tensor2D {
    let y: tf.Tensor2D = tf.matMul(x, this.p(name) as tf.Tensor2D);
    const b = this.params.get(`${name}.b`);
    if (b) y = tf.add(y, b) as tf.Tensor2D;
    const A = this.params.get(`${name}.loraA`);
    if (A && this.config.lora) {
      const scale = this.config.lora.alpha / this.config.lora.rank;
      y = tf.add(y, tf.mul(tf.matMul(tf.matMul(x, A as tf.Tensor2D), this.p(`${name}.loraB`) as tf.Tensor2D), scale)) as tf.Tensor2D;
    }
    return y;
  }

  private norm(x: tf.Tensor, name: string): tf.Tensor {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, LN_EPS))), this.p(`${name}.g`)), this.p(`${name}.b`));
  }

  /** x [B, n, T, hd] rotated pairwise by (offset + t) · ropeScale · base^(−2i/hd). */
  private rope(x: tf.Tensor4D, offset: number): tf.Tensor4D {
    const [B, n, T, hd] = x.shape;
    const half = hd / 2;
    const cos = new Float32Array(T * half), sin = new Float32Array(T * half);
    for (let t = 0; t < T; t++) for (let i = 0; i < half; i++) {
      const a = (offset + t) * this.config.ropeScale * this.config.ropeBase ** ((-2 * i) / hd);
      cos[t * half + i] = Math.cos(a);
      sin[t * half + i] = Math.sin(a);
    }
    const c = tf.tensor3d(cos, [T, half, 1]), s = tf.tensor3d(sin, [T, half, 1]);
    const pairs = tf.reshape(x, [B, n, T, half, 2]);
    const [x0, x1] = tf.split(pairs, 2, 4);
    const r0 = tf.sub(tf.mul(x0, c), tf.mul(x1, s));
    const r1 = tf.add(tf.mul(x0, s), tf.mul(x1, c));
    return tf.reshape(tf.concat([r0, r1], 4), [B, n, T, hd]);
  }

  private attention(h: tf.Tensor2D, B: number, T: number, l: number, cache: KvCache | undefined, offset: number): tf.Tensor2D {
    const { heads, kvHeads, positions } = this.config;
    const hd = this.headDim;
    const split = (y: tf.Tensor2D, n: number) => tf.transpose(tf.reshape(y, [B, T, n, hd]), [0, 2, 1, 3]) as tf.Tensor4D;
    let q = split(this.dense(h, `h${l}.q`), heads);
    let k = split(this.dense(h, `h${l}.k`), kvHeads);
    let v = split(this.dense(h, `h${l}.v`), kvHeads);
    if (positions === 'rope') {
      q = this.rope(q, offset);
      k = this.rope(k, offset);
    }
    if (cache) {
      if (cache.k[l]) {
        k = tf.concat([cache.k[l], k], 2);
        v = tf.concat([cache.v[l], v], 2);
      }
      cache.k[l] = tf.keep(k);
      cache.v[l] = tf.keep(v);
    }
    const y = attend(q, k, v, offset);
    return this.dense(tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [B * T, heads * hd]) as tf.Tensor2D, `h${l}.o`);
  }

  /**
   * Logits [B, T, vocab] for ids [B, T] (row-major). With a cache, the ids continue the cached
   * sequence (positions cache.length …) and their keys/values are appended to it.
   */
  forward(ids: Int32Array, B: number, T: number, cache?: KvCache): tf.Tensor3D {
    const { vocab, dModel: d, context, layers } = this.config;
    if (ids.length !== B * T || T < 1) throw new LmError(`forward: ${ids.length} ids for batch ${B} × length ${T}.`);
    const offset = cache?.length ?? 0;
    const stale = cache ? [...cache.k, ...cache.v] : [];
    if (offset + T > context) throw new LmError(`The sequence (${offset + T} tokens) is longer than the model's context (${context}).`);
    const out = tf.tidy(() => {
      let x = tf.matMul(tf.oneHot(tf.tensor1d(ids, 'int32'), vocab), this.p('wte')) as tf.Tensor2D;
      if (this.config.positions === 'learned') {
        const pos = tf.slice(this.p('wpe'), [offset, 0], [T, d]);
        x = tf.reshape(tf.add(tf.reshape(x, [B, T, d]), pos), [B * T, d]);
      }
      for (let l = 0; l < layers; l++) {
        x = tf.add(x, this.attention(this.norm(x, `h${l}.ln1`) as tf.Tensor2D, B, T, l, cache, offset));
        const m = this.dense(gelu(this.dense(this.norm(x, `h${l}.ln2`) as tf.Tensor2D, `h${l}.fc`)), `h${l}.proj`);
        x = tf.add(x, m);
      }
      return tf.reshape(tf.matMul(this.norm(x, 'lnf') as tf.Tensor2D, this.p('head')), [B, T, vocab]) as tf.Tensor3D;
    });
    if (cache) cache.length = offset + T;
    tf.dispose(stale);
    return out;
  }

  /** Mean cross-entropy (nats) of predicting targets [B, T] from ids [B, T]. */
  loss(ids: Int32Array, targets: Int32Array, B: number, T: number): tf.Scalar {
    return tf.tidy(() => {
      const logits = tf.reshape(this.forward(ids, B, T), [B * T, this.config.vocab]);
      const onehot = tf.oneHot(tf.tensor1d(targets, 'int32'), this.config.vocab);
      return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), -1))) as tf.Scalar;
    });
  }

  /** Fold every LoRA pair into its kernel (W + (alpha/rank)·A·B) and zero B: the outputs stay the same. */
  async mergeLora(): Promise<void> {
    const lora = this.config.lora;
    if (!lora) return;
    for (const [name, A] of this.params) {
      if (!name.endsWith('.loraA')) continue;
      const base = name.slice(0, -'.loraA'.length);
      const W = this.p(base), Bv = this.p(`${base}.loraB`);
      const merged = loraMerge((await W.data()) as Float32Array, (await A.data()) as Float32Array, (await Bv.data()) as Float32Array,
        { inDim: W.shape[0], outDim: W.shape[1] ?? 1, rank: lora.rank, alpha: lora.alpha });
      W.assign(tf.tensor(merged, W.shape));
      Bv.assign(tf.zerosLike(Bv));
    }
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}

/** [B, kvHeads, S, hd] → [B, kvHeads · g, S, hd], each kv head repeated g times in a row. */
function repeatKv(x: tf.Tensor4D, g: number): tf.Tensor4D {
  if (g === 1) return x;
  const [B, kv, S, hd] = x.shape;
  // Rank 4 throughout: tfjs 4.22 has no gradient for a rank-5 tile.
  return tf.reshape(tf.tile(tf.reshape(x, [B, kv, 1, S * hd]), [1, 1, g, 1]), [B, kv * g, S, hd]);
}

/**
 * Causal scaled dot-product attention: q [B, H, T, hd] at positions offset … offset + T − 1, k and v
 * [B, KV, S, hd] at positions 0 … S − 1, KV dividing H (query head h reads kv head ⌊h / (H / KV)⌋).
 * softmax(q·kᵀ / √hd + mask) · v, the mask −1e9 where a key lies after the query.
 */
export function attend(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, offset: number): tf.Tensor4D {
  const [, H, T, hd] = q.shape;
  const S = k.shape[2];
  const mask = new Float32Array(T * S);
  for (let t = 0; t < T; t++) for (let j = offset + t + 1; j < S; j++) mask[t * S + j] = MASKED;
  const g = H / k.shape[1];
  const scores = tf.add(tf.mul(tf.matMul(q, repeatKv(k, g), false, true), 1 / Math.sqrt(hd)), tf.tensor2d(mask, [T, S]));
  return tf.matMul(tf.softmax(scores), repeatKv(v, g));
}

/** GELU, tanh form (GPT-2; PyTorch's gelu(approximate='tanh')). */
export function gelu(x: tf.Tensor2D): tf.Tensor2D {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

export function emptyCache(): KvCache {
  return { k: [], v: [], length: 0 };
}

/** Cut a cache back to its first `length` positions (speculative decoding drops rejected tokens). */
export function truncateCache(cache: KvCache, length: number): void {
  if (length >= cache.length) return;
  for (const key of ['k', 'v'] as const) {
    cache[key] = cache[key].map((t) => {
      const cut = length === 0 ? null : tf.keep(tf.slice(t, [0, 0, 0, 0], [t.shape[0], t.shape[1], length, t.shape[3]]));
      t.dispose();
      return cut;
    }).filter((t): t is tf.Tensor4D => t !== null);
  }
  cache.length = length;
}

export function disposeCache(cache: KvCache): void {
  tf.dispose([...cache.k, ...cache.v]);
  cache.k = [];
  cache.v = [];
  cache.length = 0;
}

/** Bytes the cache's tensors hold (float32). */
export function cacheBytes(cache: KvCache): number {
  return [...cache.k, ...cache.v].reduce((a, t) => a + 4 * t.size, 0);
}
