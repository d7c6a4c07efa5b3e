/**
 * Lab "A tiny GPT" (issue 15): tokenize the WordNet glosses, train a small decoder-only transformer
 * in the TensorFlow.js engine with live loss against the count-based bigram baseline, sample text,
 * then generate with and without a KV cache: the same tokens, tokens/s against length, and the
 * cache's bytes against 2 · layers · kvHeads · headDim · length · 4.
 */
import type { TaskContext } from '../core/task';
import { mulberry32, deriveSeed } from '../core/rng';
import { sha256 } from '../mlops/hash';
import { kvCacheBytes } from '../lm/formulas';
import { Gpt } from '../lm/model';
import { generate } from '../lm/generate';
import { BpeTokenizer, CharTokenizer, type Tokenizer } from '../lm/tokenizer';
import { bigramLossOn, evalLoss, fixedBatches, LmTrainer, randomBatch, type Batch } from '../lm/train';
import { loadCorpus, type Corpus } from './vector-hybrid';
import { validate, type GptResult, type GptSettings, type KvRow, type LossPoint } from './gpt-fields';

// The settings and types live in gpt-fields.ts (no tfjs), for the page; the engine reads them here.
export { defaults, fields, validate, digest, tokPerSec } from './gpt-fields';
export type { GptSettings, GptResult, KvRow, LossPoint } from './gpt-fields';

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

/**
 * `s.steps` Adam steps on random windows of `train`, the validation loss at step 0 and about EVALS
 * times more, one LossPoint per step to `onPoint`; progress over `span` of the run, Stop between steps.
 */
export async function trainLoop(ctx: TaskContext, trainer: LmTrainer, train: Int32Array, valBatches: Batch[], s: { seed: number; steps: number; batch: number; context: number },
  onPoint: (p: LossPoint) => void, span: [number, number], label: string): Promise<{ curve: LossPoint[]; trainMs: number; initialVal: number; finalVal: number }> {
  const initialVal = await evalLoss(trainer.model, valBatches);
  const curve: LossPoint[] = [{ step: 0, train: initialVal, val: initialVal }];
  onPoint(curve[0]);
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
    if (i % every === 0 || i === s.steps) p.val = await evalLoss(trainer.model, valBatches);
    curve.push(p);
    onPoint(p);
    await ctx.tick(span[0] + ((span[1] - span[0]) * i) / s.steps, `${label}: step ${i} of ${s.steps}, loss ${loss.toFixed(3)}`);
  }
  return { curve, trainMs, initialVal, finalVal: curve[curve.length - 1].val ?? initialVal };
}

/** The corpus tokenized, split 90/10. */
export function tokenize(text: string, tokenizer: 'char' | 'bpe', merges: number): { tok: Tokenizer; train: Int32Array; val: Int32Array } {
  const tok: Tokenizer = tokenizer === 'bpe' ? new BpeTokenizer(text, merges) : new CharTokenizer(text);
  const ids = tok.encode(text);
  const cut = Math.floor(ids.length * 0.9);
  return { tok, train: ids.subarray(0, cut), val: ids.subarray(cut) };
}

export async function runOn(ctx: TaskContext, s: GptSettings, corpus: Corpus, onPoint: (p: LossPoint) => void = () => {}, backend = 'unknown'): Promise<GptResult> {
  validate(s);
  const text = corpusText(corpus, s.chars);
  await ctx.tick(0.02, s.tokenizer === 'bpe' ? `learning ${s.merges} BPE merges` : 'tokenizing');
  const { tok, train, val } = tokenize(text, s.tokenizer, s.merges);
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
    const valBatches = fixedBatches(val, 8, s.context, 8);
    const bigramVal = bigramLossOn(train, valBatches, V);
    const { curve, trainMs, initialVal, finalVal } = await trainLoop(ctx, trainer, train, valBatches, s, onPoint, [0.05, 0.75], 'training');
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
      charsPerToken: text.length / (train.length + val.length), compare, params: model.count(), curve, bigramVal, initialVal, finalVal, trainMs,
      tokensPerSec: (s.steps * s.batch * s.context) / (trainMs / 1000),
      sample: tok.decode(Array.from(prompt).concat(sampled.tokens)), kv,
    };
  } finally {
    trainer.dispose();
    model.dispose();
  }
}
