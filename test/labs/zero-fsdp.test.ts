import { describe, expect, it } from 'vitest';
import { meta, summarize } from '../../labs/zero-fsdp/lab';
import { DEFAULTS } from '../../src/lib/runners/zero-fsdp';
import { zeroMemoryPerDevice } from '../../src/lib/distributed/memory-model';
import { check, record } from './dist-records';

const P = 235146;
const f = (stage: 0 | 1 | 2 | 3) => zeroMemoryPerDevice(P, { stage, worldSize: 4, precision: 'mixed', optimizer: 'adam' }).total;
const base = { params: P, stage: 3, fsdp: 'FULL_SHARD', heldParams: 0, heldGrads: 0, heldOptimizer: 1, heldTotal: f(3), formulaTotal: f(3), peakTotal: 0, peakGathered: 0, peakBuckets: 0, activationPeak: 0, bytesPerStep: 529083, bytesFormula: 529079, toHost: 0, fromHost: 0, hostBytes: 0, skippedSteps: 0, finalScale: 65536, finalLoss: 1, testAcc: 0.6, stepMs: 50 };
const run = (s: object, r: object = {}) => record('zero-fsdp', { ...DEFAULTS, compareDp: false, ...s }, { ...base, ...r });
const stage = (strategy: string, st: 0 | 1 | 2 | 3, r: object = {}) => run({ strategy }, { stage: st, heldTotal: f(st) + 40, formulaTotal: f(st), ...r });

describe('zero-fsdp exercises', () => {
  it('stages passes when four stages fall and sit on their formula, fails when one is missing or off', () => {
    const four = [stage('dp', 0), stage('zero1', 1), stage('zero2', 2), stage('zero3', 3)];
    expect(check(meta, 'stages', four).passed).toBe(true);
    expect(check(meta, 'stages', four.slice(0, 3)).passed).toBe(false);
    expect(check(meta, 'stages', [...four.slice(0, 3), stage('zero3', 3, { heldTotal: 1.1 * f(3) })]).passed).toBe(false);
    expect(check(meta, 'stages', [stage('dp', 0), stage('zero1', 1), stage('zero2', 2), run({ strategy: 'zero3', ranks: 2 }, { heldTotal: f(3), formulaTotal: f(3) })]).passed).toBe(false);
  });

  it('identical passes on a bit-identical ZeRO-3 comparison only', () => {
    expect(check(meta, 'identical', [run({ compareDp: true }, { dpIdentical: 1, dpHeldTotal: f(0) })]).passed).toBe(true);
    expect(check(meta, 'identical', [run({ compareDp: true }, { dpIdentical: 0, dpMaxAbsDiff: 1e-7 })]).passed).toBe(false);
    expect(check(meta, 'identical', [run({ strategy: 'zero2', compareDp: true }, { dpIdentical: 1 })]).passed).toBe(false);
  });

  it('traffic needs ZeRO-3 and ZeRO-2 runs and the measured ratio in the answer', () => {
    const z3 = run({ strategy: 'zero3' }, { bytesPerStep: 1058162 });
    const z2 = run({ strategy: 'zero2' }, { bytesPerStep: 705442 });
    expect(check(meta, 'traffic', [z3, z2], { traffic: 'ZeRO-3 sent 1.5 times as much: it gathers the weights twice.' }).passed).toBe(true);
    expect(check(meta, 'traffic', [z3, z2], { traffic: 'about twice as much' }).passed).toBe(false);
    expect(check(meta, 'traffic', [z3], { traffic: '1.5' }).passed).toBe(false);
  });

  it('offload passes with no optimizer bytes on the rank and traffic to the host', () => {
    expect(check(meta, 'offload', [run({ strategy: 'zero2', offload: true }, { heldOptimizer: 0, toHost: 235150, fromHost: 235146, hostBytes: 12 * P })]).passed).toBe(true);
    expect(check(meta, 'offload', [run({ strategy: 'zero2' })]).passed).toBe(false);
  });

  it('summary reports the worst gap to the formula', () => {
    expect(summarize([stage('zero1', 1)]).join(' ')).toMatch(/within 0\.0\d% of the ZeRO formula/);
  });
});
