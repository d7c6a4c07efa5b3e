/** The gpt lab's settings, their field table and rules, its result types and digest: no tfjs, so the page can import them. */
import { SettingsError, type Field } from '../core/fields';
import type { Positions } from '../lm/model';

export interface GptSettings {
  seed: number;
  tokenizer: 'char' | 'bpe';
  /** BPE merges on top of the characters (bpe only). */
  merges: number;
  /** Characters of the corpus used (90% train, 10% validation). */
  chars: number;
  layers: number;
  dModel: number;
  heads: number;
  kvHeads: number;
  positions: Positions;
  /** Training window (tokens). */
  context: number;
  batch: number;
  steps: number;
  lr: number;
  temperature: number;
  topK: number;
  /** Tokens sampled after training. */
  sampleLen: number;
  /** Longest generation in the KV-cache comparison (lengths 16, 32, … up to it). */
  genMax: number;
}

export const defaults: GptSettings = {
  seed: 1, tokenizer: 'char', merges: 200, chars: 300_000, layers: 2, dModel: 64, heads: 4, kvHeads: 4, positions: 'learned',
  context: 64, batch: 16, steps: 400, lr: 0.003, temperature: 0.8, topK: 20, sampleLen: 160, genMax: 256,
};

export const fields: Field[] = [
  { key: 'seed', label: 'Seed', kind: 'number', integer: true, min: 0, max: 2 ** 31 - 1, explain: 'Initial weights, batches and sampling; same seed, same run on the same backend.' },
  { key: 'tokenizer', label: 'Tokenizer', kind: 'choice', options: [{ value: 'char', label: 'characters' }, { value: 'bpe', label: 'byte-pair encoding' }], explain: 'One token per character, or BPE merges learned from this text (fewer, longer tokens).' },
  { key: 'merges', label: 'BPE merges', kind: 'number', integer: true, min: 1, max: 2000, advanced: true, explain: 'Merges learned on top of the characters (BPE only): the vocabulary grows by this many.' },
  { key: 'chars', label: 'Corpus characters', kind: 'number', integer: true, min: 5000, max: 3_000_000, step: 1000, advanced: true, explain: 'How much of the WordNet glosses to use; 10% is held out for validation.' },
  { key: 'layers', label: 'Layers', kind: 'number', integer: true, min: 1, max: 8, explain: 'Transformer blocks (attention + MLP).' },
  { key: 'dModel', label: 'Width (d_model)', kind: 'number', integer: true, min: 8, max: 256, step: 8, explain: 'Size of each token’s vector; must be a multiple of the heads.' },
  { key: 'heads', label: 'Query heads', kind: 'number', integer: true, min: 1, max: 16, explain: 'Attention heads; head width = d_model / heads.' },
  { key: 'kvHeads', label: 'Key/value heads', kind: 'number', integer: true, min: 1, max: 16, explain: 'Equal to the heads: multi-head; fewer: grouped-query; 1: multi-query. The KV cache shrinks by heads / kv heads.' },
  { key: 'positions', label: 'Positions', kind: 'choice', options: [{ value: 'learned', label: 'learned table' }, { value: 'rope', label: 'RoPE' }], explain: 'A learned vector per position added to the input, or rotary embeddings on queries and keys.' },
  { key: 'context', label: 'Training window', kind: 'number', integer: true, min: 4, max: 256, advanced: true, explain: 'Tokens per training sequence (nanoGPT’s CPU setting: 64).' },
  { key: 'batch', label: 'Batch', kind: 'number', integer: true, min: 1, max: 128, advanced: true, explain: 'Sequences per step.' },
  { key: 'steps', label: 'Steps', kind: 'number', integer: true, min: 1, max: 20000, explain: 'Adam updates.' },
  { key: 'lr', label: 'Learning rate', kind: 'number', min: 0.00001, max: 0.1, step: 0.0001, advanced: true, explain: 'Adam’s step size.' },
  { key: 'temperature', label: 'Temperature', kind: 'number', min: 0, max: 3, step: 0.1, advanced: true, explain: 'Sampling: logits divided by it; 0 is greedy.' },
  { key: 'topK', label: 'Top-k', kind: 'number', integer: true, min: 0, max: 5000, advanced: true, explain: 'Sample only among the k likeliest tokens (0: all).' },
  { key: 'sampleLen', label: 'Sample length', kind: 'number', integer: true, min: 1, max: 1000, advanced: true, explain: 'Tokens sampled after training.' },
  { key: 'genMax', label: 'Longest generation', kind: 'number', integer: true, min: 16, max: 1024, explain: 'The KV-cache comparison generates 16, 32, … up to this many tokens, with and without the cache.' },
];

export function validate(s: GptSettings): void {
  if (s.dModel % s.heads !== 0) throw new SettingsError('heads', `Width (${s.dModel}) must be a multiple of the heads (${s.heads}).`);
  if (s.heads % s.kvHeads !== 0) throw new SettingsError('kvHeads', `Key/value heads (${s.kvHeads}) must divide the query heads (${s.heads}).`);
  if (s.positions === 'rope' && (s.dModel / s.heads) % 2 !== 0) throw new SettingsError('positions', `RoPE rotates pairs: the head width (${s.dModel / s.heads}) must be even.`);
}

export interface LossPoint {
  step: number;
  train: number;
  /** Validation loss, at evaluation steps only. */
  val?: number;
}

export interface KvRow {
  length: number;
  msCache: number;
  msNoCache: number;
  cacheBytes: number;
  formulaBytes: number;
  identical: boolean;
}

export interface GptResult {
  source: string;
  dataHash: string;
  backend: string;
  vocab: number;
  trainTokens: number;
  valTokens: number;
  charsPerToken: number;
  /** BPE runs: GPT-2's tokenizer (gpt-tokenizer, 50,257 tokens) on the same validation text, and ours. */
  compare?: { gpt2Vocab: number; gpt2CharsPerToken: number; oursCharsPerToken: number };
  params: number;
  curve: LossPoint[];
  bigramVal: number;
  /** Validation loss before the first step (≈ ln vocab) and at the end. */
  initialVal: number;
  finalVal: number;
  trainMs: number;
  tokensPerSec: number;
  sample: string;
  kv: KvRow[];
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** Tokens per second of a generation of `length` tokens that took `ms`. */
export const tokPerSec = (length: number, ms: number) => (1000 * length) / ms;

export function digest(r: GptResult) {
  const last = r.kv[r.kv.length - 1];
  return {
    finalVal: r4(r.finalVal), bigramVal: r4(r.bigramVal), gain: r4(r.bigramVal - r.finalVal), tokensPerSec: Math.round(r.tokensPerSec),
    vocab: r.vocab, params: r.params, kvLength: last.length, kvSpeedup: r4(last.msNoCache / last.msCache),
    kvBytes: last.cacheBytes, identical: r.kv.every((k) => k.identical) ? 1 : 0,
  };
}
