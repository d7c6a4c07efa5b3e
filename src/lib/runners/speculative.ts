/**
 * Lab "Speculative decoding" (issue 15): train a target and a smaller draft on the same WordNet text,
 * then decode greedily with the target alone (KV cache) and speculatively (the draft proposes γ tokens,
 * the target checks them in one pass). The tokens must be identical; measured: the acceptance rate α,
 * tokens per target call against (1 − α^(γ+1)) / (1 − α), and the wall-clock speed-up, for γ = 1, 2, 4, 8.
 */
import type { TaskContext } from '../core/task';
import { deriveSeed, mulberry32 } from '../core/rng';
import { sha256 } from '../mlops/hash';
import { speculativeExpectedTokens } from '../lm/formulas';
import { Gpt } from '../lm/model';
import { generate, speculative } from '../lm/generate';
import { bigramLossOn, fixedBatches, LmTrainer } from '../lm/train';
import { corpusText, tokenize, trainLoop, type LossPoint } from './gpt';
import { loadCorpus, type Corpus } from './vector-hybrid';
import { validate, type GammaRow, type SpeculativeResult, type SpeculativeSettings } from './speculative-fields';

export { defaults, fields, validate, digest } from './speculative-fields';
export type { SpeculativeSettings, SpeculativeResult, GammaRow } from './speculative-fields';


export async function run(ctx: TaskContext, s: SpeculativeSettings, onPoint?: (p: LossPoint) => void, backend = 'unknown'): Promise<SpeculativeResult> {
  ctx.progress(0.01, 'downloading the WordNet glosses');
  return runOn(ctx, s, await loadCorpus(), onPoint, backend);
}

export async function runOn(ctx: TaskContext, s: SpeculativeSettings, corpus: Corpus, onPoint: (p: LossPoint) => void = () => {}, backend = 'unknown'): Promise<SpeculativeResult> {
  validate(s);
  const text = corpusText(corpus, s.chars);
  const { tok, train, val } = tokenize(text, 'char', 0);
  const V = tok.vocabSize;
  const context = Math.max(s.context, s.tokens + 1);
  const make = (layers: number, dModel: number, stream: number) => new Gpt({ vocab: V, context, layers, dModel, heads: s.heads, kvHeads: s.heads, positions: 'learned' }, deriveSeed(s.seed, stream));
  const target = make(s.layers, s.dModel, 1), draft = make(s.draftLayers, s.draftDModel, 4);
  const tt = new LmTrainer(target, s.lr), dt = new LmTrainer(draft, s.lr);
  try {
    const valBatches = fixedBatches(val, 8, s.context, 8);
    const T = await trainLoop(ctx, tt, train, valBatches, s, onPoint, [0.02, 0.5], 'training the target');
    // The draft's points go to the live curve after the target's, numbered on.
    const D = await trainLoop(ctx, dt, train, valBatches, s, (p) => onPoint({ ...p, step: s.steps + 1 + p.step }), [0.5, 0.8], 'training the draft');
    const prompt = tok.encode(text.slice(0, 1));
    await ctx.tick(0.82, 'decoding with the target alone');
    await generate(target, prompt, 4, { temperature: 0, topK: 0, cache: 'cache' }, mulberry32(1)); // warm-up
    const plain = await generate(target, prompt, s.tokens, { temperature: 0, topK: 0, cache: 'cache' }, mulberry32(1));
    const measure = async (gamma: number): Promise<GammaRow> => {
      ctx.checkStop();
      const r = await speculative(target, draft, prompt, s.tokens, gamma);
      return {
        gamma, alpha: r.alpha, tokensPerCall: r.tokensPerCall, expected: speculativeExpectedTokens(r.alpha, gamma), ms: r.ms, speedup: plain.ms / r.ms,
        identical: r.tokens.join() === plain.tokens.join(), targetCalls: r.targetCalls,
      };
    };
    const sweep: GammaRow[] = [];
    for (const [i, g] of [1, 2, 4, 8].entries()) {
      await ctx.tick(0.85 + 0.03 * i, `speculative decoding with γ = ${g}`);
      sweep.push(await measure(g));
    }
    const chosen = sweep.find((r) => r.gamma === s.gamma) ?? (await measure(s.gamma));
    ctx.progress(1, 'done');
    return {
      source: corpus.source, dataHash: sha256(text).slice(0, 16), backend, vocab: V, targetParams: target.count(), draftParams: draft.count(),
      targetVal: T.finalVal, draftVal: D.finalVal, bigramVal: bigramLossOn(train, valBatches, V), targetCurve: T.curve, draftCurve: D.curve,
      plainMs: plain.ms, plainText: tok.decode(Array.from(prompt).concat(plain.tokens)), chosen, sweep,
    };
  } finally {
    tt.dispose();
    dt.dispose();
    target.dispose();
    draft.dispose();
  }
}
