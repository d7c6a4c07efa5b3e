import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../ml/tf-node.ts';
import { corpusText, defaults, digest, fields, runOn, validate, type GptSettings } from '../../../src/lib/runners/gpt.ts';
import { checkFields } from '../../../src/lib/core/fields.ts';
import { quietContext } from '../../../src/lib/core/task.ts';
import type { Corpus, Synset } from '../../../src/lib/runners/vector-hybrid.ts';

// A small stand-in for the WordNet file: the same shape, patterned glosses.
const words = ['a', 'small', 'animal', 'that', 'lives', 'in', 'water', 'the', 'act', 'of', 'moving', 'quickly'];
const synsets: Synset[] = Array.from({ length: 600 }, (_, i) => [`n${i}`, 'n', [words[i % 12]], Array.from({ length: 6 }, (_, j) => words[(i * 7 + j * 5) % 12]).join(' '), [], []]);
const corpus: Corpus = { source: 'test', licence: 'test', synsets };
const tiny: GptSettings = { ...defaults, chars: 8000, layers: 1, dModel: 16, heads: 2, kvHeads: 1, context: 16, batch: 4, steps: 12, lr: 0.01, sampleLen: 20, genMax: 32 };

beforeAll(async () => {
  await useBackend('cpu');
});

describe('runners/gpt', () => {
  it('the defaults pass the field table and rules; kvHeads that do not divide heads are refused by name', () => {
    expect(() => checkFields(fields, defaults)).not.toThrow();
    expect(() => validate(defaults)).not.toThrow();
    expect(() => validate({ ...defaults, kvHeads: 3 })).toThrow(/must divide/);
  });

  it('corpusText is "lemma: gloss" lines cut at the character budget', () => {
    const t = corpusText(corpus, 100);
    expect(t.length).toBe(100);
    expect(t.startsWith(`a: ${synsets[0][3]}\n`)).toBe(true);
  });

  it('runOn trains, samples, and decodes with and without a KV cache to identical tokens, cache bytes = the formula', async () => {
    const r = await runOn(quietContext, tiny, corpus);
    expect(r.curve.length).toBe(tiny.steps + 1);
    expect(r.curve.filter((p) => p.val !== undefined).length).toBeGreaterThanOrEqual(2);
    expect(r.initialVal).toBeCloseTo(Math.log(r.vocab), 0);
    expect(r.finalVal).toBeLessThan(r.initialVal);
    expect(r.kv.map((k) => k.length)).toEqual([16, 32]);
    for (const k of r.kv) {
      expect(k.identical).toBe(true);
      expect(k.cacheBytes).toBe(2 * 1 * 1 * 8 * (k.length - 1) * 4);
      expect(k.formulaBytes).toBe(k.cacheBytes);
    }
    expect(r.sample.length).toBe(21);
    const d = digest(r);
    expect(d.gain).toBeCloseTo(r.bigramVal - r.finalVal, 3);
    expect(d.identical).toBe(1);
  });
});

describe('runners/gpt with BPE', () => {
  it('a BPE run packs more characters per token and reports GPT-2’s tokenizer on the same validation text', async () => {
    const r = await runOn(quietContext, { ...tiny, tokenizer: 'bpe', merges: 40, steps: 2, genMax: 16, sampleLen: 5 }, corpus);
    expect(r.vocab).toBe(new Set(corpusText(corpus, tiny.chars)).size + 40);
    expect(r.charsPerToken).toBeGreaterThan(1.5);
    expect(r.compare?.gpt2Vocab).toBe(50257);
    // Our 40 merges on a 12-word text against GPT-2's 50,000: both well above one character per token.
    expect(r.compare?.gpt2CharsPerToken).toBeGreaterThan(2);
    expect(r.compare?.oursCharsPerToken).toBeCloseTo(r.charsPerToken, 0);
  });
});
