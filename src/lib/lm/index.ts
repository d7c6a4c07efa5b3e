/** Language models (issue 15): tokenizers, a small GPT in tfjs, decoding with a KV cache and a draft, and their closed forms. */
export { kvCacheBytes, speculativeExpectedTokens, applyRope, loraMerge, LmError } from './formulas';
export type { KvCacheShape, RopeOptions, LoraShape } from './formulas';
export { CharTokenizer, BpeTokenizer, splitWords, charsPerToken } from './tokenizer';
export type { Tokenizer } from './tokenizer';
export { Gpt, GPT_DEFAULTS, attend, emptyCache, truncateCache, disposeCache, cacheBytes, checkConfig } from './model';
export type { GptConfig, KvCache, Positions, LoraTarget } from './model';
export { sample, argmax, generate, speculative } from './generate';
export type { SampleOptions, GenerateOptions, Generated, SpeculativeResult } from './generate';
export { LmTrainer, randomBatch, fixedBatches, evalLoss, bigramLoss, bigramLossOn, allParams, loraParams } from './train';
export type { Batch, Trainable } from './train';
