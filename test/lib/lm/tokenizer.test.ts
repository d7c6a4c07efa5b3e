import { describe, expect, it } from 'vitest';
import { BpeTokenizer, CharTokenizer, charsPerToken, splitWords } from '../../../src/lib/lm/tokenizer.ts';

const text = 'the cat sat on the mat. the cat ate the rat!\nthen the cat sat again, 42 times.\n';

describe('CharTokenizer', () => {
  it('CharTokenizer has one id per distinct character and decodes what it encodes', () => {
    const t = new CharTokenizer(text);
    expect(t.vocabSize).toBe(new Set(text).size);
    expect(t.decode(t.encode(text))).toBe(text);
    expect(() => t.encode('Z')).toThrow(/not in the tokenizer/);
  });
});

describe('BpeTokenizer', () => {
  it('splitWords covers the text exactly (GPT-2 style: a word keeps its leading space)', () => {
    const w = splitWords(text);
    expect(w.join('')).toBe(text);
    expect(w.slice(0, 3)).toEqual(['the', ' cat', ' sat']);
  });
  it('first merges the pair that occurs most often inside words (counted here independently)', () => {
    const bpe = new BpeTokenizer(text, 2);
    const first = bpe.tokens[bpe.merges[0][0]] + bpe.tokens[bpe.merges[0][1]];
    const counts = new Map<string, number>();
    for (const w of splitWords(text)) for (let i = 0; i + 1 < w.length; i++) counts.set(w.slice(i, i + 2), (counts.get(w.slice(i, i + 2)) ?? 0) + 1);
    const max = Math.max(...counts.values());
    expect(counts.get(first)).toBe(max);
    expect(bpe.vocabSize).toBe(new CharTokenizer(text).vocabSize + 2);
  });
  it('BPE decodes what it encodes and needs fewer tokens than characters', () => {
    const bpe = new BpeTokenizer(text, 30);
    expect(bpe.decode(bpe.encode(text))).toBe(text);
    expect(bpe.encode(text).length).toBeLessThan(text.length);
    expect(charsPerToken(bpe, text)).toBeGreaterThan(1.5);
    expect(bpe.decode(bpe.encode('the rat sat'))).toBe('the rat sat');
  });
});
