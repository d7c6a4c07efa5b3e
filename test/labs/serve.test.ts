/** Exercise checks of the ONNX and serving labs, fed with runs built as the pages save them (gateway runs over fake model workers). */
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/lib/store/types';
import { Gateway, SERVE_DEFAULTS, type Backend, type Fault, type ServeSettings } from '../../src/lib/serve/gateway';
import { compareOutputs } from '../../src/lib/serve/compare';
import { meta as servingMeta, holds, summarize, type ServingRunParams } from '../../labs/serving/lab';
import { meta as onnxMeta, type OnnxRunParams } from '../../labs/onnx/lab';

let n = 0;
function record(lab: string, params: unknown): RunRecord {
  n++;
  return {
    id: `run-test-${n}`, lab, params: params as Record<string, unknown>, seed: 1, dataHash: 'x', backend: 'test', appVersion: 'test', status: 'done', createdAt: n, updatedAt: n,
    durationMs: 1, epochsDone: 0, stepsDone: 0, metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochMetrics: [],
  };
}
const check = (meta: typeof servingMeta, id: string, runs: RunRecord[], answers: Record<string, string> = {}) => meta.exercises.find((e) => e.id === id)!.check({ runs, answers });

const fake = (ms: number): Backend => ({
  run: async (input, dims) => {
    await new Promise((r) => setTimeout(r, ms));
    return { output: Float32Array.from({ length: dims[0] * 2 }, (_, i) => input[i] ?? 0) };
  },
});
const bank = Float32Array.from({ length: 32 * 2 }, (_, i) => i % 7);

async function servingRun(o: Partial<ServeSettings>, ms: number, fault: Fault = { delayMs: 0, errorRate: 0 }): Promise<RunRecord> {
  const settings = { ...SERVE_DEFAULTS, durationMs: 1500, warmupMs: 300, tickMs: 100, windowMs: 500, ...o };
  const r = await new Gateway().run(settings, { v1: [fake(ms)], v2: [fake(ms)] }, bank, [2], 2, undefined, fault);
  const p: ServingRunParams = { settings, workers: { v1: 1, v2: settings.mode === 'v1' ? 0 : 1 }, v2: settings.mode === 'v1' ? null : { weights: 'int8', fault }, steady: r.steady, rollback: r.rollback, shadow: r.shadow, totals: r.totals, holds: holds(r.steady) };
  return record('serving', p);
}

describe('serving lab exercises', () => {
  it('saturation passes with a holding run and a higher-QPS one that breaks, same batching', async () => {
    const ok = await servingRun({ qps: 50, maxBatch: 1, maxWaitMs: 0 }, 5);
    const broke = await servingRun({ qps: 400, maxBatch: 1, maxWaitMs: 0, maxQueue: 100 }, 5);
    expect((ok.params as unknown as ServingRunParams).holds).toBe(true);
    expect((broke.params as unknown as ServingRunParams).holds).toBe(false);
    expect(check(servingMeta, 'saturation', [ok]).passed).toBe(false);
    const r = check(servingMeta, 'saturation', [broke, ok]);
    expect(r.passed).toBe(true);
    expect(r.detail).toMatch(/Holds at 50 QPS.*breaks at 400 QPS/);
    // A break at a different batch size is not the same experiment.
    const other = await servingRun({ qps: 400, maxBatch: 8, maxWaitMs: 0, maxQueue: 100 }, 30);
    expect(check(servingMeta, 'saturation', [other, ok]).passed).toBe(false);
    const lines = summarize([broke, ok]);
    expect(lines[0]).toMatch(/^Highest QPS that held p99 < 50 ms: 50 /);
    expect(lines[1]).toMatch(/^Lowest QPS that did not hold: 400 /);
  });

  it('rollback passes only after a canary rolled back and the learner explained it', async () => {
    const run = await servingRun({ qps: 200, mode: 'canary', canaryPercent: 50, guardrail: { maxP99Ms: 50, maxErrorRate: 0.05, breachMs: 300, minRequests: 5 } }, 1, { delayMs: 0, errorRate: 1 });
    expect(check(servingMeta, 'rollback', [run]).passed).toBe(false);
    expect(check(servingMeta, 'rollback', [run], { rollback: 'Errors over 5% for the whole window; one bad second could be noise.' }).passed).toBe(false);
    expect(check(servingMeta, 'rollback', [run], { rollback: 'p99 over 50 ms for the whole 300 ms window; one bad second could be noise.' }).passed).toBe(false);
    const r = check(servingMeta, 'rollback', [run], { rollback: 'Errors over 5% for the whole 300 ms window; one bad second could be noise.' });
    expect(r.passed).toBe(true);
    expect(r.detail).toMatch(/error rate 100\.0% > 5\.0%/);
  });

  it('batching needs v1 runs at the same QPS and workers with max batch 1 and ≥ 16', () => {
    const steady = { p99: 20, throughput: 100, meanBatch: 1 } as unknown as ServingRunParams['steady'];
    const made = (qps: number, maxBatch: number, v1 = 1) =>
      record('serving', { settings: { ...SERVE_DEFAULTS, mode: 'v1', qps, maxBatch }, workers: { v1, v2: 0 }, v2: null, steady, totals: { sent: 1, completed: 1, errors: 0, dropped: 0 }, holds: true });
    expect(check(servingMeta, 'batching', [made(200, 1), made(200, 16)]).passed).toBe(true);
    expect(check(servingMeta, 'batching', [made(200, 1), made(400, 16)]).passed).toBe(false);
    expect(check(servingMeta, 'batching', [made(200, 1), made(200, 8)]).passed).toBe(false);
    expect(check(servingMeta, 'batching', [made(200, 1), made(200, 16, 2)]).passed).toBe(false);
  });

  it('shadow passes with a shadow run that compared requests', async () => {
    const run = await servingRun({ qps: 100, mode: 'shadow' }, 1);
    const r = check(servingMeta, 'shadow', [run]);
    expect(r.passed).toBe(true);
    expect(r.detail).toMatch(/agreed with v1 on 100\.00%/);
  });
});

describe('onnx lab exercises', () => {
  const verify = (maxAbsDiff: number, at: number): RunRecord => {
    const r = record('onnx', { kind: 'verify', ep: 'wasm', level: 'all', images: 2, maxAbsDiff, agree: 2, source: 'x' } satisfies OnnxRunParams);
    r.createdAt = at;
    return r;
  };

  it('verify passes within 1e-4 only (differences measured by compareOutputs)', () => {
    const d = compareOutputs([0.1, 0.9, 0.8, 0.2], [0.1, 0.90005, 0.8, 0.2], 2).maxAbsDiff;
    expect(check(onnxMeta, 'verify', [verify(d, 1)]).passed).toBe(true);
    expect(check(onnxMeta, 'verify', [verify(2e-4, 1)]).passed).toBe(false);
  });

  it('bad-file needs a refused file and a passing check after it', () => {
    const bad = record('onnx', { kind: 'own-file', file: 'junk.onnx', bytes: 10, ok: false, message: 'Not a readable ONNX file' } satisfies OnnxRunParams);
    bad.createdAt = 10;
    expect(check(onnxMeta, 'bad-file', [bad, verify(1e-6, 5)]).passed).toBe(false);
    expect(check(onnxMeta, 'bad-file', [verify(1e-6, 11), bad]).passed).toBe(true);
  });

  it('levels compares disabled and all at the same batch and wants an answer', () => {
    const lat = (level: string, medianMs: number) => record('onnx', { kind: 'latency', requestedEp: 'wasm', ep: 'wasm', level, weights: 'float32', batch: 1, medianMs, p95Ms: medianMs, loadMs: 1 } satisfies OnnxRunParams);
    const runs = [lat('disabled', 0.06), lat('all', 0.04)];
    expect(check(onnxMeta, 'levels', runs).passed).toBe(false);
    expect(check(onnxMeta, 'levels', runs, { levels: 'Fusing Gemm and Relu saves a pass over memory.' }).passed).toBe(false);
    expect(check(onnxMeta, 'levels', runs, { levels: '×2: fusing Gemm and Relu saves a pass over memory.' }).passed).toBe(false);
    const r = check(onnxMeta, 'levels', runs, { levels: '×1.5: fusing Gemm and Relu saves a pass over memory.' });
    expect(r.passed).toBe(true);
    expect(r.detail).toMatch(/×1\.50/);
  });
});
