import { describe, expect, it } from 'vitest';
import { meta, defaults } from '../../labs/pipelines/lab';
import { run, summary } from '../../src/lib/runners/pipelines';
import type { RunRecord } from '../../src/lib/store/types';
import { record } from './mlops-fixtures';

const check = (id: string, runs: RunRecord[], answers: Record<string, string> = {}) => meta.exercises.find((e) => e.id === id)!.check({ runs, answers });
const base = { tasks: 10, firstState: 'completed', firstFailedAttempts: 2, firstMinutes: 31.5, firstRetriedOk: 2, firstFailedTasks: 0, firstSkipped: 0, rerunExecuted: NaN, rerunState: '', changeExecuted: 6, changeReaches: 6, changeExecutedTasks: 'train evaluate fairness compress export register', sequentialMinutes: 31, criticalPathMinutes: 26, scheduledRuns: 8, skippedTriggers: 0, scheduleExecuted: 44, scheduleCached: 36, scheduleFailed: 0 };
const pipe = (patch: object, result: object = {}) => record('pipelines', { ...defaults, ...patch }, { ...base, ...result });

describe('pipelines lab exercises', () => {
  it('retries: a completed first run with failed attempts at rate ≥ 0.2 and 2+ retries', () => {
    expect(check('retries', [pipe({ failureRate: 0.2 })]).passed).toBe(true);
    expect(check('retries', [pipe({ failureRate: 0.2 }, { firstFailedAttempts: 0 })]).passed).toBe(false);
    expect(check('retries', [pipe({ failureRate: 0.1 })]).passed).toBe(false);
    expect(check('retries', [pipe({ failureRate: 0.3, retries: 1 })]).passed).toBe(false);
  });

  it('rerun-failed: the re-run does no more than the failed and skipped tasks (plus register)', () => {
    const failed = { firstState: 'failed', firstFailedTasks: 1, firstSkipped: 5, rerunState: 'completed' };
    expect(check('rerun-failed', [pipe({ retries: 0 }, { ...failed, rerunExecuted: 6 })]).passed).toBe(true);
    expect(check('rerun-failed', [pipe({ retries: 0 }, { ...failed, rerunExecuted: 10 })]).passed).toBe(false);
    expect(check('rerun-failed', [pipe({ retries: 1 }, { ...failed, rerunExecuted: 6 })]).passed).toBe(false);
  });

  it("cache-keys: the answer gives the run's count of re-run tasks and the reason", () => {
    expect(check('cache-keys', [pipe({ change: 'code' })], { 'cache-keys': '6 tasks re-ran; the upstream ones had the same inputs and code, so the same cache key.' }).passed).toBe(true);
    expect(check('cache-keys', [pipe({ change: 'code' })], { 'cache-keys': '4 tasks re-ran because of the cache.' }).passed).toBe(false);
    expect(check('cache-keys', [pipe({ change: 'data' })], { 'cache-keys': '6 tasks, cache keys.' }).passed).toBe(false);
  });

  it("schedule: the answer gives the run's count of cache hits", () => {
    expect(check('schedule', [pipe({ days: 7, newDataEvery: 2 })], { schedule: '36 task runs came from the cache.' }).passed).toBe(true);
    expect(check('schedule', [pipe({ days: 7, newDataEvery: 2 })], { schedule: '44' }).passed).toBe(false);
    expect(check('schedule', [pipe({ days: 3, newDataEvery: 2 })], { schedule: '36' }).passed).toBe(false);
  });

  it("the checks read keys a real run's summary has", async () => {
    const s = summary(await run(undefined, { ...defaults, days: 2, driftDay: 1, rows: 600, ctDays: 0 }));
    for (const k of Object.keys(base)) expect(s, k).toHaveProperty(k);
    expect(check('schedule', [record('pipelines', { ...defaults, days: 7 }, s)], { schedule: `${s.scheduleCached} hits` }).passed).toBe(true);
  });

  it('gates: a lower accuracy gain with the same seed and days promotes more challengers', () => {
    const ct = (gain: number, promoted: number) => pipe({ ctDays: 60, ctGain: gain }, { ctRetrains: 4, ctPromoted: promoted, ctAccuracyWith: 0.74, ctAccuracyWithout: 0.739 });
    expect(check('gates', [ct(0.005, 0), ct(-0.01, 2)]).passed).toBe(true);
    expect(check('gates', [ct(0.005, 1), ct(-0.01, 1)]).passed).toBe(false);
    expect(check('gates', [ct(0.005, 0), pipe({ ctDays: 60, ctGain: -0.01, seed: 9 }, { ctRetrains: 4, ctPromoted: 3 })]).passed).toBe(false);
  });

  it('gates: real runs of the default seed, the accuracy gain loosened', async () => {
    const small = { ...defaults, days: 1, driftDay: 0, rows: 600, ctDays: 40 };
    const strict = record('pipelines', small, summary(await run(undefined, small)));
    const loose = record('pipelines', { ...small, ctGain: -0.05 }, summary(await run(undefined, { ...small, ctGain: -0.05 })));
    const r = check('gates', [strict, loose]);
    expect(r.detail).toMatch(/Gain 0.005 → -0.05/);
    expect(r.passed).toBe((loose.params.result as Record<string, number>).ctPromoted > (strict.params.result as Record<string, number>).ctPromoted);
  });
});
