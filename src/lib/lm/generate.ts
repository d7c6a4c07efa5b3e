/**
 * Decoding with the GPT of model.ts: sampling (greedy, temperature, top-k), generation with and
 * without a KV cache (the same tokens, cached is O(T) per token instead of O(T²)), and greedy
 * speculative decoding (Leviathan et al. 2023; Chen et al. 2023): a draft proposes γ tokens, the
 * target scores them all in one pass and keeps the longest prefix it agrees with plus its own next
 * token, so the output is exactly the target's greedy output.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../core/rng';
import { LmError } from './formulas';
import { disposeCache, emptyCache, truncateCache, type Gpt, type KvCache } from './model';

export interface SampleOptions {
  /** 0: greedy (argmax). Logits are divided by it before the softmax. */
  temperature: number;
  /** Keep only the k most likely tokens (0: all). */
  topK: number;
}

export function argmax(x: ArrayLike<number>, from = 0, to = x.length): number {
  let best = from;
  for (let i = from + 1; i < to; i++) if (x[i] > x[best]) best = i;
  return best - from;
}

/** One token from logits: argmax at temperature 0, else a draw from softmax(logits / T) over the top k. */
export function sample(logits: ArrayLike<number>, o: SampleOptions, rng: Rng): number {
  if (o.temperature < 0) throw new LmError(`temperature must be ≥ 0 (got ${o.temperature}).`);
  if (o.temperature === 0) return argmax(logits);
  const n = logits.length;
  let idx = Array.from({ length: n }, (_, i) => i);
  if (o.topK > 0 && o.topK < n) idx = idx.sort((a, b) => logits[b] - logits[a]).slice(0, o.topK);
  let max = -Infinity;
  for (const i of idx) max = Math.max(max, logits[i] / o.temperature);
  const w = idx.map((i) => Math.exp(logits[i] / o.temperature - max));
  let u = rng() * w.reduce((a, b) => a + b, 0);
  for (let j = 0; j < idx.length; j++) { u -= w[j]; if (u <= 0) return idx[j]; }
  return idx[idx.length - 1];
}

/** Logits of the last position of a [1, T, V] forward, as a plain array. */
async function lastRow(model: Gpt, ids: Int32Array, cache?: KvCache): Promise<Float32Array> {
  const V = model.config.vocab;
  const out = model.forward(ids, 1, ids.length, cache);
  const row = tf.tidy(() => tf.slice(out, [0, ids.length - 1, 0], [1, 1, V]));
  const data = (await row.data()) as Float32Array;
  tf.dispose([out, row]);
  return data;
}

export interface GenerateOptions extends SampleOptions {
  /** 'cache': prefill the prompt, then one token per forward pass; 'none': the whole sequence every step. */
  cache: 'cache' | 'none';
}

export interface Generated {
  tokens: number[];
  /** Wall time of the new tokens (prefill included), ms. */
  ms: number;
  /** Cache bytes at the end (0 without one). */
  cacheBytes: number;
}

/** `n` new tokens after `prompt`; prompt + n must fit the model's context. */
export async function generate(model: Gpt, prompt: ArrayLike<number>, n: number, o: GenerateOptions, rng: Rng): Promise<Generated> {
  if (prompt.length < 1) throw new LmError('The prompt needs at least one token.');
  if (prompt.length + n > model.config.context) throw new LmError(`prompt (${prompt.length}) + new tokens (${n}) exceed the context (${model.config.context}).`);
  const seq = Array.from(prompt);
  const t0 = performance.now();
  let bytes = 0;
  if (o.cache === 'none') {
    for (let i = 0; i < n; i++) seq.push(sample(await lastRow(model, Int32Array.from(seq)), o, rng));
  } else {
    const cache = emptyCache();
    let next = Int32Array.from(seq);
    for (let i = 0; i < n; i++) {
      const t = sample(await lastRow(model, next, cache), o, rng);
      seq.push(t);
      next = Int32Array.of(t);
    }
    bytes = [...cache.k, ...cache.v].reduce((a, t) => a + 4 * t.size, 0);
    disposeCache(cache);
  }
  return { tokens: seq.slice(prompt.length), ms: performance.now() - t0, cacheBytes: bytes };
}

export interface SpeculativeResult {
  tokens: number[];
  ms: number;
  /** Forward passes of the target (prefill not counted). */
  targetCalls: number;
  draftCalls: number;
  proposed: number;
  accepted: number;
  /** accepted / proposed: the empirical α. */
  alpha: number;
  /** New tokens per target call (what (1 − α^(γ+1)) / (1 − α) predicts). */
  tokensPerCall: number;
}

/** Greedy speculative decoding of `n` tokens: the target's greedy output, fewer target passes. */
export async function speculative(target: Gpt, draft: Gpt, prompt: ArrayLike<number>, n: number, gamma: number): Promise<SpeculativeResult> {
  if (!Number.isInteger(gamma) || gamma < 1) throw new LmError(`γ must be a whole number ≥ 1 (got ${gamma}).`);
  if (prompt.length < 1) throw new LmError('The prompt needs at least one token.');
  const ctx = Math.min(target.config.context, draft.config.context);
  if (prompt.length + n > ctx) throw new LmError(`prompt (${prompt.length}) + new tokens (${n}) exceed the context (${ctx}).`);
  if (target.config.vocab !== draft.config.vocab) throw new LmError('Draft and target must share a vocabulary.');
  const t0 = performance.now();
  // Both caches hold every token but the last one, `seq[seq.length - 1]`, which is still to be fed.
  const seq = Array.from(prompt);
  const tc = emptyCache(), dc = emptyCache();
  const V = target.config.vocab;
  let targetCalls = 0, draftCalls = 0, proposed = 0, accepted = 0;
  try {
    if (seq.length > 1) {
      tf.dispose(target.forward(Int32Array.from(seq.slice(0, -1)), 1, seq.length - 1, tc));
      tf.dispose(draft.forward(Int32Array.from(seq.slice(0, -1)), 1, seq.length - 1, dc));
    }
    let made = 0;
    while (made < n) {
      const g = Math.min(gamma, n - made - 1);
      // The draft catches up on what its cache lacks, then proposes g tokens greedily.
      const props: number[] = [];
      let feed = Int32Array.from(seq.slice(dc.length));
      for (let j = 0; j < g; j++) {
        const p = argmax(await lastRow(draft, feed, dc));
        draftCalls++;
        props.push(p);
        feed = Int32Array.of(p);
      }
      // The target scores the pending token and all proposals in one pass.
      const ids = Int32Array.from([seq[seq.length - 1], ...props]);
      const out = target.forward(ids, 1, ids.length, tc);
      const logits = (await out.data()) as Float32Array;
      out.dispose();
      targetCalls++;
      let a = 0;
      while (a < g && argmax(logits, a * V, (a + 1) * V) === props[a]) a++;
      const next = argmax(logits, a * V, (a + 1) * V);
      proposed += g;
      accepted += a;
      const base = seq.length;
      seq.push(...props.slice(0, a), next);
      made += a + 1;
      truncateCache(tc, base + a);
      truncateCache(dc, Math.min(dc.length, base + a));
    }
  } finally {
    disposeCache(tc);
    disposeCache(dc);
  }
  const tokens = seq.slice(prompt.length, prompt.length + n);
  return { tokens, ms: performance.now() - t0, targetCalls, draftCalls, proposed, accepted, alpha: proposed ? accepted / proposed : 0, tokensPerCall: tokens.length / Math.max(1, targetCalls) };
}
