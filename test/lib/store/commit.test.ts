import { afterEach, describe, expect, it, vi } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { MemoryRunStore, openStore, StoreError, type Store, type StoreChange } from '../../../src/lib/store/index.ts';
import { bits, freshStore, makeCheckpoint, makeRun } from './fixtures.ts';

let stores: Store[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const s of stores) s.close();
  stores = [];
});

const point = (step: number) => ({ step, epoch: step / 10, trainLoss: 1 / step, trainAcc: step / 100 });

describe('commit(): record, curve points and checkpoint in one transaction', () => {
  it('writes all three, and the record speaks of exactly the stored weights', async () => {
    const { store } = await freshStore();
    stores.push(store);
    await store.putRun(makeRun({ metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochsDone: 0, stepsDone: 0, status: 'running' }));
    const cp = makeCheckpoint('run-a', 10, { epoch: 1 });
    await store.commit({ run: makeRun({ epochsDone: 1, stepsDone: 10, status: 'running', metrics: { step: [99], epoch: [9], trainLoss: [9], trainAcc: [9] } }), points: [1, 2, 3].map(point), checkpoint: cp });
    const run = (await store.getRun('run-a'))!;
    expect(run.epochsDone).toBe(1);
    expect(run.metrics.step).toEqual([1, 2, 3]); // the record's own metrics are ignored: the curve grows by points
    expect((await store.latestCheckpoint('run-a'))!.step).toBe(10);
    await store.commit({ run: makeRun({ epochsDone: 2, stepsDone: 20, status: 'done' }), points: [4, 5].map(point), checkpoint: makeCheckpoint('run-a', 20, { epoch: 2 }) });
    expect((await store.getRun('run-a'))!.metrics.step).toEqual([1, 2, 3, 4, 5]);
    expect(await store.checkpointSteps('run-a')).toEqual([10, 20]);
  });

  it('a commit that fails (a full disk) changes nothing: the record, the curve and the checkpoint stay as before', async () => {
    const { store } = await freshStore();
    stores.push(store);
    await store.putRun(makeRun({ metrics: { step: [1, 2], epoch: [0.1, 0.2], trainLoss: [1, 0.5], trainAcc: [0.1, 0.2] }, epochsDone: 1, status: 'running' }));
    const first = makeCheckpoint('run-a', 2, { epoch: 1 });
    await store.putCheckpoint(first);
    const before = await store.getRun('run-a');
    // The checkpoint put is the last write of the transaction: it fails after the record and points were written.
    const { IDBObjectStore } = globalThis as unknown as { IDBObjectStore: { prototype: { put: (...a: unknown[]) => unknown; name: string } } };
    const put = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: { name: string }, ...args: unknown[]) {
      if (this.name === 'checkpoints') throw new DOMException('full', 'QuotaExceededError');
      return put.apply(this, args);
    });
    const e = await store.commit({ run: makeRun({ epochsDone: 2, status: 'done' }), points: [3, 4].map(point), checkpoint: makeCheckpoint('run-a', 4, { epoch: 2 }) }).catch((x: unknown) => x);
    vi.restoreAllMocks();
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).code).toBe('quota');
    expect(await store.getRun('run-a')).toEqual(before);
    const cp = (await store.latestCheckpoint('run-a'))!;
    expect(cp.step).toBe(2);
    expect(bits(cp.weights[0].data)).toEqual(bits(first.weights[0].data));
  });
});

describe('stores of one database hear of each other\'s changes (two tabs, a worker and its page)', () => {
  it('putRun, deleteRun and importFile in one store reach another store\'s onChange, not its own', async () => {
    const factory = new IDBFactory();
    const name = `tabs-${Math.random()}`;
    const a = await openStore({ indexedDB: factory, name });
    const b = await openStore({ indexedDB: factory, name });
    stores.push(a, b);
    const seenA: StoreChange[] = [];
    const seenB: StoreChange[] = [];
    a.onChange((c) => seenA.push(c));
    b.onChange((c) => seenB.push(c));
    await a.putRun(makeRun({ id: 'r1' }));
    await a.deleteRun('r1');
    await vi.waitFor(() => expect(seenB).toEqual([{ ids: ['r1'] }, { ids: ['r1'] }]));
    expect(seenA).toEqual([]);
    expect(await b.listRuns()).toEqual([]);
  });
});

describe('MemoryRunStore is a whole Store: what a page falls back to when storage is refused or taken away', () => {
  it('runs, checkpoints, progress, commit and export/import behave as in IndexedDB', async () => {
    const m = new MemoryRunStore();
    expect(m.persistent).toBe(false);
    await m.putRun(makeRun({ metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] } }));
    await m.commit({ run: makeRun({ epochsDone: 1 }), points: [1, 2].map(point), checkpoint: makeCheckpoint('run-a', 2) });
    for (const s of [3, 4, 5]) await m.putCheckpoint(makeCheckpoint('run-a', s));
    expect(await m.checkpointSteps('run-a')).toEqual([3, 4, 5]);
    await m.putProgress({ lab: 'train', exercises: {}, visited: 1 });
    expect((await m.getProgress('train'))?.visited).toBe(1);
    const bytes = await m.exportRuns(['run-a']);
    const { store } = await freshStore();
    stores.push(store);
    expect(await store.importRuns(bytes)).toEqual(['run-a']);
    expect((await store.getRun('run-a'))!.metrics.step).toEqual([1, 2]);
    expect((await store.latestCheckpoint('run-a'))!.step).toBe(5);
    await expect(m.appendMetrics('nope', [point(1)])).rejects.toThrow(/not in storage/);
  });
});
