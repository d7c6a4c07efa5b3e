import { describe, expect, it } from 'vitest';
import { meta, summarize } from '../../labs/memory-precision/lab';
import { DEFAULTS } from '../../src/lib/runners/memory-precision';
import { check, record } from './dist-records';

const ck = (s: object, r: object = {}) => record('memory-precision', { ...DEFAULTS, ...s }, { experiment: 'checkpointing', blocks: 17, blockBytes: 262144, bestK: 4, sqrtN: Math.sqrt(17), nonePeak: 30e6, bestPeak: 6e6, everyPeak: 9e6, noneMs: 100, bestMs: 130, memorySaving: 0.8, timeCost: 0.3, bestModelBlocks: 9, ...r });
const pr = (s: object, r: object = {}) => record('memory-precision', { ...DEFAULTS, experiment: 'precision', ...s }, { experiment: 'precision', testAcc: 0.7, meanUnderflow: 3e-4, maxUnderflow: 2e-3, meanSubnormal: 0.05, skippedSteps: 0, finalScale: 1, finalLoss: 0.9, fp32TestAcc: 0.71, accuracyCost: 0.01, ...r });

describe('memory-precision exercises', () => {
  it('sqrt-n passes with the best k near √n on a deep enough net, fails far from it or too shallow', () => {
    expect(check(meta, 'sqrt-n', [ck({ depth: 16 })]).passed).toBe(true);
    expect(check(meta, 'sqrt-n', [ck({ depth: 16 }, { bestK: 16 })]).passed).toBe(false);
    expect(check(meta, 'sqrt-n', [ck({ depth: 4 }, { blocks: 5, sqrtN: Math.sqrt(5), bestK: 2 })]).passed).toBe(false);
  });

  it('tradeoff needs both percentages of a run', () => {
    expect(check(meta, 'tradeoff', [ck({})], { tradeoff: 'At k = 4 memory fell by 80% and a step took 30% longer.' }).passed).toBe(true);
    expect(check(meta, 'tradeoff', [ck({})], { tradeoff: 'Memory fell by 80%.' }).passed).toBe(false);
    expect(check(meta, 'tradeoff', [], { tradeoff: '80% 30%' }).passed).toBe(false);
  });

  it('underflow passes when dynamic scaling flushes fewer gradients than none, otherwise equal', () => {
    const none = pr({ scaling: 'none' });
    expect(check(meta, 'underflow', [none, pr({ scaling: 'dynamic' }, { meanUnderflow: 0 })]).passed).toBe(true);
    expect(check(meta, 'underflow', [none, pr({ scaling: 'dynamic' }, { meanUnderflow: 5e-4 })]).passed).toBe(false);
    expect(check(meta, 'underflow', [none, pr({ scaling: 'dynamic', seed: 7 }, { meanUnderflow: 0 })]).passed).toBe(false);
  });

  it('bf16 passes with no underflow and accuracy within 2 points of fp32', () => {
    expect(check(meta, 'bf16', [pr({ precision: 'bf16' }, { meanUnderflow: 0 })]).passed).toBe(true);
    expect(check(meta, 'bf16', [pr({ precision: 'bf16' }, { meanUnderflow: 0, accuracyCost: 0.05 })]).passed).toBe(false);
    expect(check(meta, 'bf16', [pr({ precision: 'fp16' }, { meanUnderflow: 0 })]).passed).toBe(false);
  });

  it('overflow passes with skipped static steps and a recovering dynamic run from the same scale', () => {
    const st = pr({ scaling: 'static', initScale: 16777216 }, { skippedSteps: 60 });
    expect(check(meta, 'overflow', [st, pr({ scaling: 'dynamic', initScale: 16777216 }, { skippedSteps: 7, finalScale: 131072 })]).passed).toBe(true);
    expect(check(meta, 'overflow', [st, pr({ scaling: 'dynamic', initScale: 16777216 }, { skippedSteps: 60, finalScale: 0.5 })]).passed).toBe(false);
    expect(check(meta, 'overflow', [st, pr({ scaling: 'dynamic', initScale: 65536 }, { skippedSteps: 0, finalScale: 65536 })]).passed).toBe(false);
  });

  it('summary speaks of both experiments', () => {
    expect(summarize([ck({}), pr({ scaling: 'none' })]).length).toBe(2);
  });
});
