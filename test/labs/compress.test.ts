/** Exercise checks of the compression labs, fed with variant runs shaped as the compress worker saves them. */
import { describe, expect, it } from 'vitest';
import type { ModelVariant, RunRecord } from '../../src/lib/store/types';
import { meta as prune } from '../../labs/prune/lab';
import { meta as lowrank } from '../../labs/lowrank/lab';
import { meta as tradeoff } from '../../labs/tradeoff/lab';
import { summarize } from '../../labs/prune/summary';

let n = 0;
function variant(lab: string, v: Partial<ModelVariant>, params: Record<string, unknown> = {}): RunRecord {
  n++;
  const full: ModelVariant = { technique: 'prune', description: `model ${n}`, accuracy: 0.8, bytes: 1000, params: 1000, nonzero: 1000, latencyMs: 1, latencyBackend: 'wasm', parentRunId: 'base-run', ...v };
  return {
    id: `run-${n}`, lab, params: { baseRunId: 'base-run', baseAccuracy: 0.85, baseParams: 1000, ...params }, seed: 1, dataHash: 'h', backend: 'wasm', appVersion: 'test',
    status: 'done', createdAt: n, updatedAt: n, durationMs: 1, epochsDone: 0, stepsDone: 0, metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochMetrics: [], variant: full,
  };
}
const check = (meta: typeof prune, id: string, runs: RunRecord[], answers: Record<string, string> = {}) => meta.exercises.find((e) => e.id === id)!.check({ runs, answers });

describe('compression lab exercises read the saved variants', () => {
  it('prune-80 passes within 1 point of the base at ≥ 80% sparsity, not at 79% or 2 points down', () => {
    const at = (sparsity: number, accuracy: number) => variant('prune', { accuracy, nonzero: 200 }, { experiment: 'oneshot', sparsity, role: 'pruned' });
    expect(check(prune, 'prune-80', [at(0.79, 0.85)]).passed).toBe(false);
    expect(check(prune, 'prune-80', [at(0.8, 0.83)]).passed).toBe(false);
    const ok = check(prune, 'prune-80', [at(0.8, 0.83), at(0.9, 0.845)]);
    expect(ok.passed).toBe(true);
    expect(ok.detail).toContain('84.5%');
  });

  it('lottery pairs the ticket with the random re-init of the same experiment run', () => {
    const pair = (id: string, t: number, r: number) => [
      variant('prune', { accuracy: t }, { experiment: 'lottery', sparsity: 0.9, role: 'ticket', experimentRunId: id }),
      variant('prune', { accuracy: r }, { experiment: 'lottery', sparsity: 0.9, role: 'random', experimentRunId: id }),
    ];
    expect(check(prune, 'lottery', pair('a', 0.7, 0.75)).passed).toBe(false);
    expect(check(prune, 'lottery', [...pair('a', 0.7, 0.75), ...pair('b', 0.8, 0.72)]).passed).toBe(true);
  });

  it('compaction needs a structured pair and an answer about dense kernels', () => {
    const runs = [
      variant('prune', { params: 500, latencyMs: 0.5 }, { experiment: 'structured', sparsity: 0.5, role: 'compact', experimentRunId: 's' }),
      variant('prune', { params: 1000, nonzero: 500, latencyMs: 1 }, { experiment: 'structured', sparsity: 0.5, role: 'control', experimentRunId: 's' }),
    ];
    expect(check(prune, 'compaction', runs).passed).toBe(false);
    expect(check(prune, 'compaction', runs, { compaction: 'The kernels stay dense: every zero is still multiplied in the matmul.' }).passed).toBe(false);
    expect(check(prune, 'compaction', runs, { compaction: '0.5 ms against 2 ms: the kernels stay dense, every zero is still multiplied in the matmul.' }).passed).toBe(false);
    expect(check(prune, 'compaction', runs, { compaction: '0.5 ms against 1 ms: the kernels stay dense, every zero is still multiplied in the matmul.' }).passed).toBe(true);
    expect(summarize(runs).join(' ')).toContain('0.500 ms');
    expect(summarize(runs).join(' ')).toMatch(/dense kernels still multiply every zero/);
    // When the control was not slower, the summary does not explain a slowdown that did not happen.
    const faster = [runs[0], variant('prune', { params: 1000, nonzero: 500, latencyMs: 0.4 }, { experiment: 'structured', sparsity: 0.5, role: 'control', experimentRunId: 's' })];
    expect(summarize(faster).join(' ')).not.toMatch(/dense kernels/);
    expect(summarize(faster).join(' ')).toMatch(/no slower this time/);
  });

  it('prune iterative needs an iterative/one-shot pair at ≥ 90% with iterative ahead', () => {
    const pair = (id: string, sparsity: number, it: number, one: number) => [
      variant('prune', { accuracy: it }, { experiment: 'iterative', sparsity, role: 'iterative', experimentRunId: id }),
      variant('prune', { accuracy: one }, { experiment: 'iterative', sparsity, role: 'oneshot', experimentRunId: id }),
    ];
    expect(check(prune, 'iterative', pair('a', 0.9, 0.8, 0.75)).passed).toBe(true);
    expect(check(prune, 'iterative', pair('a', 0.9, 0.74, 0.75)).passed).toBe(false);
    expect(check(prune, 'iterative', pair('a', 0.85, 0.8, 0.75)).passed).toBe(false);
  });

  it('lowrank spectrum needs a sweep over every hidden layer and an answer naming the layer that run found fastest', () => {
    const hidden = variant('lowrank', { technique: 'lowrank' }, { target: 'hidden', rank: 8, fastestLayer: 'dense_2', fastestRank90Share: 0.25 });
    const one = variant('lowrank', { technique: 'lowrank' }, { target: 'first', rank: 8, fastestLayer: 'dense_1', fastestRank90Share: 0.4 });
    const old = variant('lowrank', { technique: 'lowrank' }, { target: 'hidden', rank: 8 });
    const right = 'dense_2: its singular values fall off fastest, so a few directions carry its energy and it needs a low rank.';
    const wrong = 'dense_1: its singular values fall off fastest, so a few directions carry its energy and it needs a low rank.';
    const ok = check(lowrank, 'spectrum', [hidden], { spectrum: right });
    expect(ok.passed).toBe(true);
    expect(ok.detail).toContain('25%');
    expect(check(lowrank, 'spectrum', [hidden], { spectrum: wrong }).passed).toBe(false);
    expect(check(lowrank, 'spectrum', [hidden], { spectrum: 'dense_2' }).passed).toBe(false);
    expect(check(lowrank, 'spectrum', [one], { spectrum: right }).passed).toBe(false);
    expect(check(lowrank, 'spectrum', [old], { spectrum: right }).passed).toBe(false);
  });

  it('lowrank half-params passes at ≤ half the base\'s parameters within 1 point', () => {
    const v = (params: number, accuracy: number) => variant('lowrank', { technique: 'lowrank', params, accuracy }, { rank: 8, epochs: 1, accuracyBefore: 0.5 });
    expect(check(lowrank, 'half-params', [v(600, 0.85)]).passed).toBe(false);
    expect(check(lowrank, 'half-params', [v(500, 0.835)]).passed).toBe(false);
    expect(check(lowrank, 'half-params', [v(500, 0.845)]).passed).toBe(true);
    expect(check(lowrank, 'recover', [v(500, 0.845)]).passed).toBe(true);
  });

  it('tradeoff budget needs a model on the size front at ≤ ¼ of its base\'s bytes within 2 points', () => {
    const base = variant('compress-base', { technique: 'baseline', bytes: 4000, accuracy: 0.85, parentRunId: 'base-run' });
    const small = variant('prune', { bytes: 1000, accuracy: 0.84 });
    const dominated = variant('prune', { bytes: 1000, accuracy: 0.83 });
    expect(check(tradeoff, 'budget', [base, dominated]).passed).toBe(true);
    expect(check(tradeoff, 'budget', [base, small, dominated]).runId).toBe(small.id);
    expect(check(tradeoff, 'budget', [base, variant('prune', { bytes: 1001, accuracy: 0.84 })]).passed).toBe(false);
    expect(check(tradeoff, 'three-techniques', [base, small, variant('lowrank', { technique: 'lowrank' })]).passed).toBe(false);
    expect(check(tradeoff, 'three-techniques', [base, small, variant('lowrank', { technique: 'lowrank' }), variant('quantize', { technique: 'quantize' })]).passed).toBe(true);
  });
});
