import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../ml/tf-node.ts';
import { defaults, digest, fields, runOn, validate, type SpeculativeSettings } from '../../../src/lib/runners/speculative.ts';
import { checkFields } from '../../../src/lib/core/fields.ts';
import { quietContext } from '../../../src/lib/core/task.ts';
import { speculativeExpectedTokens } from '../../../src/lib/lm/formulas.ts';
import type { Corpus, Synset } from '../../../src/lib/runners/vector-hybrid.ts';

const words = ['a', 'small', 'animal', 'that', 'lives', 'in', 'water', 'the', 'act', 'of', 'moving', 'quickly'];
const synsets: Synset[] = Array.from({ length: 600 }, (_, i) => [`n${i}`, 'n', [words[i % 12]], Array.from({ length: 6 }, (_, j) => words[(i * 7 + j * 5) % 12]).join(' '), [], []]);
const corpus: Corpus = { source: 'test', licence: 'test', synsets };
const tiny: SpeculativeSettings = { ...defaults, chars: 8000, layers: 1, dModel: 16, draftLayers: 1, draftDModel: 8, heads: 2, context: 16, batch: 4, steps: 10, lr: 0.01, tokens: 24, gamma: 3 };

beforeAll(async () => {
  await useBackend('cpu');
});

describe('runners/speculative', () => {
  it('the defaults pass the field table and rules; a draft width the heads do not divide is refused by name', () => {
    expect(() => checkFields(fields, defaults)).not.toThrow();
    expect(() => validate({ ...defaults, draftDModel: 30 })).toThrow(/Draft width/);
  });

  it('runOn decodes the target’s own greedy tokens for every γ and reports tokens per call with the formula at the measured α', async () => {
    const r = await runOn(quietContext, tiny, corpus);
    expect(r.sweep.map((x) => x.gamma)).toEqual([1, 2, 4, 8]);
    for (const g of [...r.sweep, r.chosen]) {
      expect(g.identical).toBe(true);
      expect(g.expected).toBeCloseTo(speculativeExpectedTokens(g.alpha, g.gamma), 12);
      expect(g.tokensPerCall).toBeCloseTo(tiny.tokens / g.targetCalls, 12);
      expect(g.tokensPerCall).toBeGreaterThanOrEqual(1);
      expect(g.tokensPerCall).toBeLessThanOrEqual(g.gamma + 1);
    }
    expect(r.chosen.gamma).toBe(3);
    expect(r.plainText.length).toBe(25);
    expect(digest(r).identical).toBe(1);
  });
});
