import { describe, expect, it } from 'vitest';
import { defaults as gptDefaults } from '../../src/lib/runners/gpt-fields';
import { defaults as specDefaults } from '../../src/lib/runners/speculative-fields';
import { meta as gptMeta, summarize as gptSummary } from '../../labs/gpt/lab';
import { meta as specMeta } from '../../labs/speculative/lab';
import type { LabMeta } from '../../labs/types';
import type { RunRecord } from '../../src/lib/store/types';
import { record } from './mlops-fixtures';

const checker = (meta: LabMeta) => (id: string, runs: RunRecord[]) => meta.exercises.find((e) => e.id === id)!.check({ runs, answers: {} });

describe('gpt lab exercises', () => {
  const check = checker(gptMeta);
  const d = { finalVal: 2.1, bigramVal: 2.5, gain: 0.4, kvSpeedup: 3, kvBytes: 2 * 2 * 4 * 16 * 255 * 4, identical: 1 };

  it('beat-bigram passes at 0.3 nats below the bigram and not at 0.2; the detail says above when the model is worse', () => {
    expect(check('beat-bigram', [record('gpt', gptDefaults, d)]).passed).toBe(true);
    expect(check('beat-bigram', [record('gpt', gptDefaults, { ...d, gain: 0.2 })]).passed).toBe(false);
    expect(check('beat-bigram', [record('gpt', gptDefaults, { ...d, gain: -0.15 })]).detail).toMatch(/0\.150 nats above/);
  });

  it('cache-grows needs 4× the length, equal otherwise, a larger speed-up and identical tokens', () => {
    const a = record('gpt', { ...gptDefaults, genMax: 64 }, { ...d, kvSpeedup: 2 });
    expect(check('cache-grows', [a, record('gpt', { ...gptDefaults, genMax: 256 }, { ...d, kvSpeedup: 6 })]).passed).toBe(true);
    expect(check('cache-grows', [a, record('gpt', { ...gptDefaults, genMax: 256 }, { ...d, kvSpeedup: 6, identical: 0 })]).passed).toBe(false);
    expect(check('cache-grows', [a, record('gpt', { ...gptDefaults, genMax: 128 }, { ...d, kvSpeedup: 6 })]).passed).toBe(false);
  });

  it('fewer-kv-heads passes when the cache shrinks by exactly heads / kv heads', () => {
    const mha = record('gpt', { ...gptDefaults, heads: 4, kvHeads: 4 }, d);
    const mqa = record('gpt', { ...gptDefaults, heads: 4, kvHeads: 1 }, { ...d, kvBytes: d.kvBytes / 4 });
    expect(check('fewer-kv-heads', [mha, mqa]).passed).toBe(true);
    expect(check('fewer-kv-heads', [mha, record('gpt', { ...gptDefaults, heads: 4, kvHeads: 1 }, { ...d, kvBytes: d.kvBytes / 2 })]).passed).toBe(false);
    expect(gptSummary([mha, mqa])[1]).toMatch(/identical tokens in 2 of 2/);
  });
});

describe('speculative lab exercises', () => {
  const check = checker(specMeta);
  const d = { alpha: 0.6, tokensPerCall: 2.1, expected: 2.3056, speedup: 1.4, identical: 1 };
  it('formula passes within 0.5 of the prediction with identical tokens', () => {
    expect(check('formula', [record('speculative', specDefaults, d)]).passed).toBe(true);
    expect(check('formula', [record('speculative', specDefaults, { ...d, tokensPerCall: 1.5 })]).passed).toBe(false);
    expect(check('formula', [record('speculative', specDefaults, { ...d, identical: 0 })]).passed).toBe(false);
  });
  it('better-draft needs a larger draft, equal otherwise, with a higher α', () => {
    const a = record('speculative', specDefaults, d);
    expect(check('better-draft', [a, record('speculative', { ...specDefaults, draftDModel: 64 }, { ...d, alpha: 0.7 })]).passed).toBe(true);
    expect(check('better-draft', [a, record('speculative', { ...specDefaults, draftDModel: 64 }, { ...d, alpha: 0.5 })]).passed).toBe(false);
  });
});
