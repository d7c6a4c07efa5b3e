import { afterEach, describe, expect, it, vi } from 'vitest';
import { IDBObjectStore } from 'fake-indexeddb';
import { isQuotaError, StoreError, type Store } from '../../../src/lib/store/index.ts';
import { toStoreError } from '../../../src/lib/store/errors.ts';
import { bits, freshStore, makeCheckpoint, makeRun } from './fixtures.ts';

const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

/** Make put() on the named object store throw QuotaExceededError, as a full disk does. */
function fillDisk(storeName: string) {
  const put = IDBObjectStore.prototype.put;
  return vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args: Parameters<typeof put>) {
    if (this.name === storeName) throw quota();
    return put.apply(this, args);
  });
}

let store: Store;
afterEach(() => {
  vi.restoreAllMocks();
  store?.close();
});

describe('quota', () => {
  it('putCheckpoint on a full disk rejects with code "quota" and the earlier checkpoints stay intact', async () => {
    ({ store } = await freshStore());
    await store.putRun(makeRun());
    const saved = [1, 2, 3].map((s) => makeCheckpoint('run-a', s * 10));
    for (const cp of saved) await store.putCheckpoint(cp);

    fillDisk('checkpoints');
    const e = await store.putCheckpoint(makeCheckpoint('run-a', 40, { epoch: 3 })).catch((err: unknown) => err);
    vi.restoreAllMocks();

    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).code).toBe('quota');
    expect((e as StoreError).message).toBe(
      'Browser storage is full: the checkpoint for epoch 3 was not saved. Earlier runs and checkpoints are intact. ' +
        'Free space by deleting old runs.',
    );
    // Nothing was pruned or overwritten: step 10 is still there.
    expect(await store.checkpointSteps('run-a')).toEqual([10, 20, 30]);
    const latest = (await store.latestCheckpoint('run-a'))!;
    expect(latest.weights.map((t) => bits(t.data))).toEqual(saved[2].weights.map((t) => bits(t.data)));
    expect(await store.getRun('run-a')).toEqual(makeRun());
  });

  it('appendMetrics that rewinds then hits a full disk rolls back its deletions: stored metrics unchanged', async () => {
    ({ store } = await freshStore());
    await store.putRun(makeRun());
    await store.appendMetrics('run-a', [{ step: 3, epoch: 1.3, trainLoss: 0.6, trainAcc: 0.85 }]);
    const before = (await store.getRun('run-a'))!;

    fillDisk('metrics');
    await expect(store.appendMetrics('run-a', [{ step: 1, epoch: 0.5, trainLoss: 9, trainAcc: 0 }])).rejects.toMatchObject({
      code: 'quota',
      message: expect.stringContaining('the training record of step 1 was not saved') as unknown,
    });
    vi.restoreAllMocks();
    expect(await store.getRun('run-a')).toEqual(before);
    expect(before.metrics.step).toEqual([0, 1, 2, 3]);
  });

  it('importRuns on a full disk imports nothing (all runs in one transaction)', async () => {
    ({ store } = await freshStore());
    await store.putRun(makeRun({ id: 'x' }));
    await store.putRun(makeRun({ id: 'y' }));
    await store.putCheckpoint(makeCheckpoint('y', 1));
    const bytes = await store.exportRuns(['x', 'y']);
    await store.deleteRun('x');
    await store.deleteRun('y');

    fillDisk('checkpoints');
    await expect(store.importRuns(bytes)).rejects.toMatchObject({ code: 'quota' });
    vi.restoreAllMocks();
    expect(await store.listRuns()).toEqual([]);
  });
});

describe('isQuotaError / toStoreError', () => {
  it('isQuotaError recognises the shapes browsers report a full disk in, and nothing else', () => {
    expect(isQuotaError(quota())).toBe(true);
    expect(isQuotaError({ name: 'NS_ERROR_DOM_QUOTA_REACHED' })).toBe(true); // old Firefox
    expect(isQuotaError(new DOMException('aborted', 'AbortError'))).toBe(false);
    expect(isQuotaError(new Error('Transaction aborted', { cause: quota() }))).toBe(true);
    expect(isQuotaError({ name: 'AbortError', target: { error: quota() } })).toBe(true); // an abort event from its transaction
    expect(isQuotaError(new TypeError('x'))).toBe(false);
    expect(isQuotaError(null)).toBe(false);
  });

  it('toStoreError maps VersionError to "version", InvalidStateError (storage closed under the page) to "lost", others to "unknown" keeping the cause', () => {
    expect(toStoreError(new DOMException('v', 'VersionError'), 'x').code).toBe('version');
    expect(toStoreError(new DOMException('closing', 'InvalidStateError'), 'x').code).toBe('lost');
    const cause = new DOMException('odd', 'DataError');
    const e = toStoreError(cause, 'run r1', 'read');
    expect(e).toMatchObject({ code: 'unknown', cause });
    expect(e.message).toBe('Storage error: run r1 could not be read (odd).');
  });
});
