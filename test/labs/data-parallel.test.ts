import { describe, expect, it } from 'vitest';
import { meta, summarize, columns } from '../../labs/data-parallel/lab';
import { DEFAULTS } from '../../src/lib/runners/data-parallel';
import { numbersIn, statesNumber } from '../../labs/dist-kit/runs';
import { check, record } from './dist-records';

const base = { params: 235146, globalBatch: 128, finalLoss: 0.8, testAcc: 0.7, bytesPerStep: 1410876, bytesFormula: 1410876, stepMs: 40, commFraction: 0.2, samplesPerSec: 3000, simStepMs: 12, simStepMsNoOverlap: 15, simCommMs: 3, simComputeMs: 9, simExposedCommMs: 0.5, launchKind: 'in-process', singleTestAcc: 0.7, relDiff: 2e-7, maxAbsDiff: 1e-8, equivalent: 1 };
const run = (s: object, r: object = {}) => record('data-parallel', { ...DEFAULTS, ...s }, { ...base, ...r });

describe('data-parallel exercises', () => {
  it('equivalence passes for 4 matching ranks, fails for 2 ranks or a mismatch', () => {
    expect(check(meta, 'equivalence', [run({ ranks: 4 })]).passed).toBe(true);
    expect(check(meta, 'equivalence', [run({ ranks: 2 })]).passed).toBe(false);
    expect(check(meta, 'equivalence', [run({ ranks: 4 }, { equivalent: 0, relDiff: 3e-3 })]).passed).toBe(false);
  });

  it('accumulation needs the same global batch with and without k ≥ 2, both equivalent', () => {
    const a = run({ ranks: 2, accumSteps: 2 });
    const b = run({ ranks: 4, accumSteps: 1 });
    expect(check(meta, 'accumulation', [a, b]).passed).toBe(true);
    expect(check(meta, 'accumulation', [a, run({ ranks: 4, accumSteps: 1 }, { globalBatch: 64 })]).passed).toBe(false);
    expect(check(meta, 'accumulation', [a, run({ ranks: 4, accumSteps: 1, learningRate: 0.1 })]).passed).toBe(false);
  });

  it('ring-bytes passes at the 1.75 ratio of 8 to 2 ranks, fails elsewhere', () => {
    const two = run({ ranks: 2 }, { bytesPerStep: 940584 });
    expect(check(meta, 'ring-bytes', [two, run({ ranks: 8 }, { bytesPerStep: 1646022 })]).passed).toBe(true);
    expect(check(meta, 'ring-bytes', [two, run({ ranks: 8 }, { bytesPerStep: 1881168 })]).passed).toBe(false);
    expect(check(meta, 'ring-bytes', [two]).passed).toBe(false);
  });

  it('overlap needs a communication-bound run and the learner\'s own saving in ms', () => {
    const r = run({ bandwidthGBps: 0.01 }, { simCommMs: 30, simComputeMs: 9, simStepMs: 31.2, simStepMsNoOverlap: 39.8 });
    expect(check(meta, 'overlap', [r], { overlap: 'Overlap saved about 8.6 ms per step; it can only hide the backward.' }).passed).toBe(true);
    expect(check(meta, 'overlap', [r], { overlap: 'Overlap saved about 3 ms.' }).passed).toBe(false);
    expect(check(meta, 'overlap', [run({})], { overlap: '8.6' }).passed).toBe(false);
  });

  it('summary and columns read the runs', () => {
    const rs = [run({ ranks: 4 }), run({ ranks: 8 }, { equivalent: 0, relDiff: 1e-3 })];
    expect(summarize(rs)[1]).toMatch(/1 of 2 compared run\(s\) matched one worker/);
    expect(columns[0].value({ settings: { ...DEFAULTS }, result: base } as never)).toBe('4 × 32 × 1');
  });

  it('numbersIn reads separators, signs, decimals and exponents', () => {
    expect(numbersIn('ratio 1.5x, 12,345 bytes, -3.2% and 4e-5')).toEqual([1.5, 12345, -3.2, 4e-5]);
    expect(statesNumber('about 8.6 ms', 8.63, 0.1)).toBe(true);
    expect(statesNumber('no number', 1, 1)).toBe(false);
  });
});
