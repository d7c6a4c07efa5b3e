import { afterEach, describe, expect, it, vi } from 'vitest';
import { StoreError, type Store } from '../../../src/lib/store/index.ts';
import { bits, freshStore, makeCheckpoint, makeRun } from './fixtures.ts';

let store: Store;
afterEach(() => store?.close());

describe('runs', () => {
  it('putRun then getRun returns an equal record, metrics included', async () => {
    ({ store } = await freshStore());
    const run = makeRun();
    await store.putRun(run);
    expect(await store.getRun('run-a')).toEqual(run);
    expect(await store.getRun('nope')).toBeUndefined();
  });

  it('putRun replaces the stored metrics with the record’s own', async () => {
    ({ store } = await freshStore());
    await store.putRun(makeRun());
    await store.appendMetrics('run-a', [{ step: 3, epoch: 1.33, trainLoss: 0.6, trainAcc: 0.82 }]);
    const shorter = makeRun({ metrics: { step: [0], epoch: [0.33], trainLoss: [2.3], trainAcc: [0.1] } });
    await store.putRun(shorter);
    expect((await store.getRun('run-a'))?.metrics).toEqual(shorter.metrics);
  });

  it('listRuns(lab) returns only that lab’s runs, newest first; listRuns() returns all', async () => {
    ({ store } = await freshStore());
    await store.putRun(makeRun({ id: 'old', createdAt: 1 }));
    await store.putRun(makeRun({ id: 'new', createdAt: 3 }));
    await store.putRun(makeRun({ id: 'mid', createdAt: 2 }));
    await store.putRun(makeRun({ id: 'other', lab: 'quantize', createdAt: 4 }));
    expect((await store.listRuns('train-mnist')).map((r) => r.id)).toEqual(['new', 'mid', 'old']);
    expect((await store.listRuns()).map((r) => r.id)).toEqual(['other', 'new', 'mid', 'old']);
    expect(await store.listRuns('no-such-lab')).toEqual([]);
    expect((await store.listRuns('quantize'))[0].metrics).toEqual(makeRun().metrics);
  });

  it('updateRun changes the given fields and keeps the metrics; a missing run is not-found', async () => {
    ({ store } = await freshStore());
    await store.putRun(makeRun({ status: 'running' }));
    await store.updateRun('run-a', { status: 'failed', statusMessage: 'NaN loss', epochsDone: 2 });
    const got = await store.getRun('run-a');
    expect(got).toEqual(makeRun({ status: 'failed', statusMessage: 'NaN loss', epochsDone: 2 }));
    await expect(store.updateRun('ghost', { status: 'done' })).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('appendMetrics', () => {
  it('appendMetrics(runId, points) appends in order across calls and getRun sees every point', async () => {
    ({ store } = await freshStore());
    await store.putRun(makeRun({ metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] } }));
    for (let s = 0; s < 50; s++) await store.appendMetrics('run-a', [{ step: s, epoch: s / 10, trainLoss: 1 / (s + 1), trainAcc: s / 50 }]);
    await store.appendMetrics('run-a', [
      { step: 50, epoch: 5, trainLoss: 0.01, trainAcc: 0.99 },
      { step: 51, epoch: 5.1, trainLoss: 0.009, trainAcc: 1 },
    ]);
    const m = (await store.getRun('run-a'))!.metrics;
    expect(m.step).toEqual(Array.from({ length: 52 }, (_, i) => i));
    expect(m.trainLoss[9]).toBe(1 / 10);
    expect(m.epoch.slice(-2)).toEqual([5, 5.1]);
    expect(m.trainAcc.length).toBe(52);
  });

  it('appendMetrics from an earlier step replaces the stored tail (resume from a checkpoint)', async () => {
    ({ store } = await freshStore());
    await store.putRun(makeRun({ metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] } }));
    const pts = (from: number, to: number, loss: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => ({ step: from + i, epoch: 0, trainLoss: loss, trainAcc: 0 }));
    await store.appendMetrics('run-a', pts(0, 4, 1));
    await store.appendMetrics('run-a', pts(5, 9, 1));
    await store.appendMetrics('run-a', pts(3, 6, 2)); // cuts into the first chunk, drops the second
    const m = (await store.getRun('run-a'))!.metrics;
    expect(m.step).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(m.trainLoss).toEqual([1, 1, 1, 2, 2, 2, 2]);
  });

  it('appendMetrics for a run that is not stored rejects with not-found; unordered steps throw RangeError', async () => {
    ({ store } = await freshStore());
    await expect(store.appendMetrics('ghost', [{ step: 0, epoch: 0, trainLoss: 1, trainAcc: 0 }])).rejects.toMatchObject({
      name: 'StoreError',
      code: 'not-found',
    });
    await store.putRun(makeRun());
    const p = { epoch: 0, trainLoss: 1, trainAcc: 0 };
    expect(() => store.appendMetrics('run-a', [{ step: 5, ...p }, { step: 5, ...p }])).toThrow(RangeError);
  });
});

describe('checkpoints', () => {
  it('putCheckpoint then latestCheckpoint returns the weights bit-exact as Float32Arrays', async () => {
    ({ store } = await freshStore());
    await store.putRun(makeRun());
    const cp = makeCheckpoint('run-a', 10);
    await store.putCheckpoint(cp);
    const got = (await store.latestCheckpoint('run-a'))!;
    expect(got.weights[1].data).toBeInstanceOf(Float32Array);
    expect(got.weights.map((t) => bits(t.data))).toEqual(cp.weights.map((t) => bits(t.data)));
    expect(got.optimizer.map((t) => bits(t.data))).toEqual(cp.optimizer.map((t) => bits(t.data)));
    expect({ ...got, weights: null, optimizer: null }).toEqual({ ...cp, weights: null, optimizer: null });
    expect(await store.latestCheckpoint('ghost')).toBeUndefined();
  });

  it('putCheckpoint keeps only the newest 3 checkpoints per run and leaves other runs alone', async () => {
    ({ store } = await freshStore());
    await store.putRun(makeRun());
    await store.putRun(makeRun({ id: 'run-b' }));
    await store.putCheckpoint(makeCheckpoint('run-b', 1));
    for (const step of [10, 20, 30, 40, 50]) await store.putCheckpoint(makeCheckpoint('run-a', step));
    expect(await store.checkpointSteps('run-a')).toEqual([30, 40, 50]);
    expect(await store.checkpointSteps('run-b')).toEqual([1]);
    expect((await store.latestCheckpoint('run-a'))?.step).toBe(50);
  });

  it('putCheckpoint at an earlier step drops the later ones (the run was resumed from there)', async () => {
    ({ store } = await freshStore());
    await store.putRun(makeRun());
    for (const step of [10, 20, 30]) await store.putCheckpoint(makeCheckpoint('run-a', step));
    await store.putCheckpoint(makeCheckpoint('run-a', 15));
    expect(await store.checkpointSteps('run-a')).toEqual([10, 15]);
    expect((await store.latestCheckpoint('run-a'))?.step).toBe(15);
  });

  it('putCheckpoint for a run that is not stored rejects with not-found', async () => {
    ({ store } = await freshStore());
    const err = await store.putCheckpoint(makeCheckpoint('ghost', 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('not-found');
  });
});

describe('deleteRun', () => {
  it('deleteRun(id) removes the run, its metrics and its checkpoints, and nothing of other runs', async () => {
    ({ store } = await freshStore());
    await store.putRun(makeRun());
    await store.putRun(makeRun({ id: 'run-a2' })); // shares the prefix "run-a"
    await store.putCheckpoint(makeCheckpoint('run-a', 1));
    await store.putCheckpoint(makeCheckpoint('run-a2', 1));
    await store.deleteRun('run-a');
    expect(await store.getRun('run-a')).toBeUndefined();
    expect(await store.checkpointSteps('run-a')).toEqual([]);
    // Re-creating the id must not resurrect old metrics.
    await store.putRun(makeRun({ metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] } }));
    expect((await store.getRun('run-a'))!.metrics.step).toEqual([]);
    expect(await store.getRun('run-a2')).toEqual(makeRun({ id: 'run-a2' }));
    expect(await store.checkpointSteps('run-a2')).toEqual([1]);
    await expect(store.deleteRun('never-existed')).resolves.toBeUndefined();
  });
});

describe('progress', () => {
  it('putProgress then getProgress(lab) round-trips; an unseen lab gives undefined', async () => {
    ({ store } = await freshStore());
    const p = { lab: 'drift', exercises: { psi: { passed: true, at: 5, runId: 'run-a', answer: '0.21' } }, visited: 3 };
    await store.putProgress(p);
    expect(await store.getProgress('drift')).toEqual(p);
    expect(await store.getProgress('other')).toBeUndefined();
  });
});

describe('estimate', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('estimate() passes on navigator.storage.estimate() usage and quota', async () => {
    ({ store } = await freshStore());
    vi.stubGlobal('navigator', { storage: { estimate: async () => ({ usage: 5e6, quota: 2e9, usageDetails: {} }) } });
    expect(await store.estimate()).toEqual({ usage: 5e6, quota: 2e9 });
  });

  it('estimate() returns null where the browser has no navigator.storage', async () => {
    ({ store } = await freshStore());
    vi.stubGlobal('navigator', {});
    expect(await store.estimate()).toBeNull();
  });
});
