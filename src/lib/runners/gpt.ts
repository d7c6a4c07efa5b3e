/**
 * Lab "A tiny GPT" (issue 15): tokenize the WordNet glosses, train a small decoder-only transformer
 * in the TensorFlow.js engine with live loss against the count-based bigram baseline, sample text,
 * then generate with and without a KV cache: the same tokens, tokens/s against length, and the
 * cache's bytes against 2 · layers · kvHeads · headDim · length · 4.
 */
import { SettingsError, type Field } from '../core/fields';
import type { TaskContext } from '../core/task';
import { mulberry32, deriveSeed } from '../core/rng';
import { sha256 } from '../mlops/hash';
import { kvCacheBytes } from '../lm/formulas';
import { Gpt, type Positions } from '../lm/model';
import { generate } from '../lm/generate';
import { BpeTokenizer, CharTokenizer, type Tokenizer } from '../lm/tokenizer';
import { bigramLoss, evalLoss, fixedBatches, LmTrainer, randomBatch } from '../lm/train';
import { loadCorpus, type Corpus } from './vector-hybrid';

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
  context: 64, batch: 8, steps: 250, lr: 0.004, temperature: 0.8, topK: 20, sampleLen: 160, genMax: 256,
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

/** The corpus as text: one line per synset, "lemma: gloss". */
export function corpusText(c: Corpus, chars: number): string {
  const lines: string[] = [];
  let n = 0;
  for (const s of c.synsets) {
    const line = `${s[2][0]}: ${s[3]}\n`;
    lines.push(line);
    n += line.length;
    if (n >= chars) break;
  }
  return lines.join('').slice(0, chars);
}

export async function run(ctx: TaskContext, s: GptSettings, onPoint?: (p: LossPoint) => void, backend = 'unknown'): Promise<GptResult> {
  ctx.progress(0.01, 'downloading the WordNet glosses');
  return runOn(ctx, s, await loadCorpus(), onPoint, backend);
}

const EVALS = 10;

export async function runOn(ctx: TaskContext, s: GptSettings, corpus: Corpus, onPoint: (p: LossPoint) => void = () => {}, backend = 'unknown'): Promise<GptResult> {
  validate(s);
  const text = corpusText(corpus, s.chars);
  await ctx.tick(0.02, s.tokenizer === 'bpe' ? `learning ${s.merges} BPE merges` : 'tokenizing');
  const tok: Tokenizer = s.tokenizer === 'bpe' ? new BpeTokenizer(text, s.merges) : new CharTokenizer(text);
  const ids = tok.encode(text);
  const cut = Math.floor(ids.length * 0.9);
  const train = ids.subarray(0, cut), val = ids.subarray(cut);
  const V = tok.vocabSize;
  let compare: GptResult['compare'];
  if (s.tokenizer === 'bpe') {
    await ctx.tick(0.04, 'counting GPT-2 tokens on the validation text');
    const valText = tok.decode(val);
    const gpt2 = await import('gpt-tokenizer/encoding/gpt2');
    compare = { gpt2Vocab: gpt2.vocabularySize, gpt2CharsPerToken: valText.length / gpt2.encode(valText).length, oursCharsPerToken: valText.length / val.length };
  }
  const contextMax = Math.max(s.context, s.genMax, s.sampleLen + 1);
  const model = new Gpt({ vocab: V, context: contextMax, layers: s.layers, dModel: s.dModel, heads: s.heads, kvHeads: s.kvHeads, positions: s.positions }, deriveSeed(s.seed, 1));
  const trainer = new LmTrainer(model, s.lr);
  try {
    const valBatches = fixedBatches(val, Math.min(s.batch, 8), s.context, 4);
    const bigramVal = bigramLoss(train, val, V);
    const initialVal = await evalLoss(model, valBatches);
    const curve: LossPoint[] = [];
    const first = { step: 0, train: initialVal, val: initialVal };
    curve.push(first);
    onPoint(first);
    const rng = mulberry32(deriveSeed(s.seed, 2));
    const every = Math.max(1, Math.round(s.steps / EVALS));
    let trainMs = 0;
    for (let i = 1; i <= s.steps; i++) {
      ctx.checkStop();
      const b = randomBatch(train, s.batch, s.context, rng);
      const t0 = performance.now();
      const loss = await trainer.step(b);
      trainMs += performance.now() - t0;
      const p: LossPoint = { step: i, train: loss };
      if (i % every === 0 || i === s.steps) p.val = await evalLoss(model, valBatches);
      curve.push(p);
      onPoint(p);
      await ctx.tick(0.05 + (0.7 * i) / s.steps, `training: step ${i} of ${s.steps}, loss ${loss.toFixed(3)}`);
    }
    const finalVal = curve[curve.length - 1].val ?? initialVal;
    await ctx.tick(0.76, 'sampling text');
    const prompt = tok.encode(text.slice(0, 1));
    const sampled = await generate(model, prompt, s.sampleLen, { temperature: s.temperature, topK: s.topK, cache: 'cache' }, mulberry32(deriveSeed(s.seed, 3)));
    const kv: KvRow[] = [];
    const lengths: number[] = [];
    for (let L = 16; L < s.genMax; L *= 2) lengths.push(L);
    lengths.push(s.genMax);
    const hd = s.dModel / s.heads;
    for (const [i, L] of lengths.entries()) {
      await ctx.tick(0.78 + (0.2 * i) / lengths.length, `generating ${L} tokens with and without the KV cache`);
      const n = L - prompt.length;
      const greedy = { temperature: 0, topK: 0 };
      const withCache = await generate(model, prompt, n, { ...greedy, cache: 'cache' }, mulberry32(1));
      ctx.checkStop();
      const noCache = await generate(model, prompt, n, { ...greedy, cache: 'none' }, mulberry32(1));
      // The last new token is sampled but never fed back: the cache holds L − 1 positions.
      kv.push({ length: L, msCache: withCache.ms, msNoCache: noCache.ms, cacheBytes: withCache.cacheBytes, identical: withCache.tokens.join() === noCache.tokens.join(),
        formulaBytes: kvCacheBytes({ layers: s.layers, kvHeads: s.kvHeads, headDim: hd, seqLen: L - 1, batch: 1, bytesPerValue: 4 }) });
    }
    ctx.progress(1, 'done');
    return {
      source: corpus.source, dataHash: sha256(text).slice(0, 16), backend, vocab: V, trainTokens: train.length, valTokens: val.length,
      charsPerToken: text.length / ids.length, compare, params: model.count(), curve, bigramVal, initialVal, finalVal, trainMs,
      tokensPerSec: (s.steps * s.batch * s.context) / (trainMs / 1000),
      sample: tok.decode(Array.from(prompt).concat(sampled.tokens)), kv,
    };
  } finally {
    trainer.dispose();
    model.dispose();
  }
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
