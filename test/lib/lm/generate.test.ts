import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../ml/tf-node.ts';
import { Gpt, type GptConfig } from '../../../src/lib/lm/model.ts';
import { argmax, generate, sample, speculative } from '../../../src/lib/lm/generate.ts';
import { bigramLoss, bigramLossOn, evalLoss, fixedBatches, LmTrainer, randomBatch } from '../../../src/lib/lm/train.ts';
import { CharTokenizer } from '../../../src/lib/lm/tokenizer.ts';
import { mulberry32 } from '../../../src/lib/core/rng.ts';

const cfg: GptConfig = { vocab: 12, context: 40, layers: 2, dModel: 16, heads: 4, kvHeads: 2, positions: 'rope' };
const greedy = { temperature: 0, topK: 0 };

beforeAll(async () => {
  await useBackend('cpu');
});

describe('sample', () => {
  it('sample is argmax at temperature 0, and top-k 1 always returns the argmax', () => {
    const logits = [0.1, 2, -1, 1.9];
    expect(sample(logits, greedy, mulberry32(1))).toBe(1);
    const rng = mulberry32(2);
    for (let i = 0; i < 20; i++) expect(sample(logits, { temperature: 5, topK: 1 }, rng)).toBe(1);
  });
  it('draws with frequencies near softmax(logits / T) over the top k', () => {
    const logits = [0, Math.log(3), -50, Math.log(2)], rng = mulberry32(3), n = 6000;
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) counts[sample(logits, { temperature: 1, topK: 3 }, rng)]++;
    expect(counts[2]).toBe(0);
    expect(counts[1] / n).toBeCloseTo(0.5, 1);
    expect(counts[0] / n).toBeCloseTo(1 / 6, 1);
  });
});

describe('generate and speculative', () => {
  it('generate with a KV cache gives the same greedy tokens as without, and the cache holds 2·L·kv·hd·len floats', async () => {
    const m = new Gpt(cfg, 1);
    const prompt = [1, 5, 3];
    const a = await generate(m, prompt, 20, { ...greedy, cache: 'none' }, mulberry32(1));
    const b = await generate(m, prompt, 20, { ...greedy, cache: 'cache' }, mulberry32(1));
    expect(b.tokens).toEqual(a.tokens);
    expect(new Set(a.tokens).size).toBeGreaterThan(1);
    // The last token is sampled but never fed, so the cache holds prompt + n − 1 positions.
    expect(b.cacheBytes).toBe(2 * 2 * 2 * 4 * (3 + 20 - 1) * 4);
    const s1 = await generate(m, prompt, 15, { temperature: 1, topK: 5, cache: 'none' }, mulberry32(9));
    const s2 = await generate(m, prompt, 15, { temperature: 1, topK: 5, cache: 'cache' }, mulberry32(9));
    expect(s2.tokens).toEqual(s1.tokens);
    m.dispose();
  });

  it('speculative decoding returns the target’s greedy tokens for every γ, with target calls ≤ tokens', async () => {
    const target = new Gpt(cfg, 2);
    const draft = new Gpt({ ...cfg, layers: 1, dModel: 8, heads: 2, kvHeads: 1 }, 3);
    const prompt = [4, 2];
    const want = (await generate(target, prompt, 24, { ...greedy, cache: 'cache' }, mulberry32(1))).tokens;
    for (const gamma of [1, 3, 5]) {
      const r = await speculative(target, draft, prompt, 24, gamma);
      expect(r.tokens).toEqual(want);
      expect(r.targetCalls).toBeLessThanOrEqual(24);
      expect(r.accepted).toBeLessThanOrEqual(r.proposed);
    }
    // The target as its own draft: every proposal accepted, γ + 1 tokens per target call.
    const self = await speculative(target, target, prompt, 24, 3);
    expect(self.tokens).toEqual(want);
    expect(self.alpha).toBe(1);
    expect(self.targetCalls).toBe(6);
    target.dispose();
    draft.dispose();
  });
});

describe('training', () => {
  const text = 'abcabd abcabd abeabd '.repeat(40);
  it('bigramLoss is the add-k smoothed count model’s cross-entropy, worked by hand on a tiny text', () => {
    // train "aab": counts a→a 1, a→b 1, row a 2. val "ab": −ln((1 + 0.5)/(2 + 0.5·2)) = ln 2.
    expect(bigramLoss(Int32Array.of(0, 0, 1), Int32Array.of(0, 1), 2, 0.5)).toBeCloseTo(Math.log(2), 12);
    // bigramLossOn scores the (x, y) pairs of batches: pairs 0→1 (p = 1/2) and 0→0 (p = 1/2) and 1→0 (p = (0 + 0.5)/(0 + 1) = 1/2).
    expect(bigramLossOn(Int32Array.of(0, 0, 1), [{ x: Int32Array.of(0, 0, 1), y: Int32Array.of(1, 0, 0), B: 1, T: 3 }], 2, 0.5)).toBeCloseTo(Math.log(2), 12);
  });
  it('LmTrainer lowers the validation loss below the bigram baseline on a patterned text (wasm backend, one-hot embedding)', async () => {
    await useBackend('wasm');
    const tok = new CharTokenizer(text);
    const ids = tok.encode(text);
    const m = new Gpt({ vocab: tok.vocabSize, context: 16, layers: 1, dModel: 16, heads: 2, kvHeads: 2, positions: 'learned' }, 4);
    const trainer = new LmTrainer(m, 0.01);
    const val = fixedBatches(ids, 4, 16, 2);
    const before = await evalLoss(m, val);
    const rng = mulberry32(5);
    for (let i = 0; i < 60; i++) await trainer.step(randomBatch(ids, 8, 16, rng));
    const after = await evalLoss(m, val);
    expect(before).toBeGreaterThan(Math.log(tok.vocabSize) - 0.2);
    expect(after).toBeLessThan(bigramLoss(ids, ids, tok.vocabSize));
    expect(trainer.optimizerBytes()).toBe(8 * m.count());
    trainer.dispose();
    m.dispose();
    await useBackend('cpu');
  });
  it('argmax finds the largest of a slice', () => {
    expect(argmax([5, 1, 9, 2], 1, 3)).toBe(1);
  });
});
