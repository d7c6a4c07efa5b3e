import { afterEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { DB_VERSION, openStore, type RunRecord, type Store } from '../../../src/lib/store/index.ts';
import { bits, makeCheckpoint, makeRun } from './fixtures.ts';

/** Open `name` at `version` with raw IndexedDB, running `setup` in the upgrade. */
function rawOpen(factory: IDBFactory, name: string, version: number, setup?: (db: IDBDatabase) => void): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = factory.open(name, version);
    req.onupgradeneeded = () => setup?.(req.result);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function rawGetAll(db: IDBDatabase, store: string): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const req = db.transaction(store).objectStore(store).getAll();
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** The schema v1 as first shipped, written out by hand so the test does not trust migrations[1]. */
function createV1(db: IDBDatabase, runs: RunRecord[], cps: ReturnType<typeof makeCheckpoint>[]) {
  const r = db.createObjectStore('runs', { keyPath: 'id' });
  const c = db.createObjectStore('checkpoints', { keyPath: ['runId', 'step'] });
  for (const run of runs) r.put(run);
  for (const cp of cps) c.put(cp);
}

let store: Store | undefined;
afterEach(() => store?.close());

describe('schema migration', () => {
  it('openStore on a v1 database keeps every run and checkpoint, and byLab and progress work after v1→v2', async () => {
    const factory = new IDBFactory();
    const a = makeRun({ id: 'a', lab: 'train-mnist', createdAt: 1 });
    const b = makeRun({ id: 'b', lab: 'quantize', createdAt: 2, metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] } });
    const c = makeRun({ id: 'c', lab: 'train-mnist', createdAt: 3 });
    const cp = makeCheckpoint('a', 7);
    const v1 = await rawOpen(factory, 'prodlab', 1, (db) => createV1(db, [a, b, c], [cp]));
    v1.close();

    store = await openStore({ indexedDB: factory });
    expect(DB_VERSION).toBe(3);
    expect(await store.getRun('a')).toEqual(a);
    expect(await store.getRun('b')).toEqual(b);
    expect((await store.listRuns('train-mnist')).map((r) => r.id)).toEqual(['c', 'a']);
    expect((await store.listRuns('quantize')).map((r) => r.id)).toEqual(['b']);
    const got = (await store.latestCheckpoint('a'))!;
    expect(got.weights.map((t) => bits(t.data))).toEqual(cp.weights.map((t) => bits(t.data)));
    await store.putProgress({ lab: 'quantize', exercises: {}, visited: 1 });
    expect(await store.getProgress('quantize')).toEqual({ lab: 'quantize', exercises: {}, visited: 1 });
    // Appends after the migration continue the moved metrics.
    await store.appendMetrics('a', [{ step: 3, epoch: 1.33, trainLoss: 0.5, trainAcc: 0.9 }]);
    expect((await store.getRun('a'))!.metrics.step).toEqual([0, 1, 2, 3]);
    store.close();
    store = undefined;

    // On disk: the current version (v1 → v2 → v3), metrics moved out of the run records into their own store.
    const raw = await rawOpen(factory, 'prodlab', 3);
    expect(raw.version).toBe(3);
    expect([...raw.objectStoreNames].sort()).toEqual(['checkpoints', 'metrics', 'progress', 'registry', 'runs']);
    expect(((await rawGetAll(raw, 'runs')) as object[]).every((r) => !('metrics' in r))).toBe(true);
    expect(((await rawGetAll(raw, 'metrics')) as { runId: string }[]).map((m) => m.runId)).toEqual(['a', 'a', 'c']);
    raw.close();
  });

  it('openStore on a database from a newer Prodlab rejects with code "version" and leaves it untouched', async () => {
    const factory = new IDBFactory();
    (await rawOpen(factory, 'prodlab', DB_VERSION + 1, (db) => db.createObjectStore('future'))).close();
    await expect(openStore({ indexedDB: factory })).rejects.toMatchObject({ name: 'StoreError', code: 'version' });
    const raw = await rawOpen(factory, 'prodlab', DB_VERSION + 1);
    expect([...raw.objectStoreNames]).toEqual(['future']);
    raw.close();
  });

  it('openStore while another tab holds v1 open rejects with "blocked"; with blocked: "wait" it opens once that tab closes', async () => {
    const factory = new IDBFactory();
    const old = await rawOpen(factory, 'prodlab', 1, (db) => createV1(db, [makeRun()], []));
    await expect(openStore({ indexedDB: factory })).rejects.toMatchObject({ code: 'blocked' });
    const waiting = openStore({ indexedDB: factory, blocked: 'wait' });
    setTimeout(() => old.close(), 20);
    store = await waiting;
    expect((await store.getRun('run-a'))?.id).toBe('run-a');
  });

  it('a Store closes itself when a newer version is opened elsewhere, and later calls reject with "blocked"', async () => {
    const factory = new IDBFactory();
    store = await openStore({ indexedDB: factory });
    const newer = await rawOpen(factory, 'prodlab', DB_VERSION + 1); // not blocked: the store stepped aside
    await expect(store.getRun('x')).rejects.toMatchObject({ code: 'blocked' });
    newer.close();
  });
});
