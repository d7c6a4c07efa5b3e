import { afterEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { DB_VERSION, openStore, type RegistryEventRecord, type Store } from '../../../src/lib/store/index.ts';
import { ModelRegistry } from '../../../src/lib/mlops/registry.ts';
import { encodeRunsFile } from '../../../src/lib/store/format.ts';
import { freshStore, makeCheckpoint, makeRun } from './fixtures.ts';

let stores: Store[] = [];
afterEach(() => {
  for (const s of stores) s.close();
  stores = [];
});
const keep = (s: Store) => (stores.push(s), s);

function history(): RegistryEventRecord[] {
  const reg = new ModelRegistry();
  reg.register('fashion', 'run-a', { actor: 'you', at: 1 });
  reg.register('fashion', 'run-b', { actor: 'you', at: 2 });
  reg.setAlias('fashion', 'champion', 1, { actor: 'you', at: 3 });
  reg.setAlias('fashion', 'champion', 2, { actor: 'pipeline', at: 4, note: 'better' });
  reg.register('other', 'run-z', { actor: 'you', at: 5 });
  return [...reg.events];
}

describe('store: model registry (schema v3)', () => {
  it('appends events and reads them back in order, all or per model', async () => {
    const { store } = await freshStore();
    keep(store);
    expect(DB_VERSION).toBe(3);
    const events = history();
    await store.appendRegistryEvents(events.slice(0, 2));
    await store.appendRegistryEvents(events.slice(2));
    expect(await store.registryEvents()).toEqual(events);
    expect((await store.registryEvents('other')).map((e) => e.runId)).toEqual(['run-z']);
    const rebuilt = new ModelRegistry((await store.registryEvents()) as never); // stored records are the events written
    expect(rebuilt.resolve('fashion', 'champion')?.runId).toBe('run-b');
  });

  it('migrates a v2 database additively: runs kept, the registry store appears empty', async () => {
    const factory = new IDBFactory();
    const v2 = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = factory.open('prodlab', 2);
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore('runs', { keyPath: 'id' }).createIndex('byLab', 'lab');
        db.createObjectStore('checkpoints', { keyPath: ['runId', 'step'] });
        db.createObjectStore('progress', { keyPath: 'lab' });
        db.createObjectStore('metrics', { keyPath: ['runId', 'first'] });
        const { metrics: _m, ...head } = makeRun({ id: 'old' });
        req.transaction!.objectStore('runs').put(head);
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    v2.close();
    const store = keep(await openStore({ indexedDB: factory }));
    expect((await store.getRun('old'))?.params).toEqual(makeRun().params);
    expect(await store.registryEvents()).toEqual([]);
    await store.appendRegistryEvents(history().slice(0, 1));
    expect(await store.registryEvents()).toHaveLength(1);
  });

  it('export carries the history of models with a version from an exported run; import renames runs and clashing models', async () => {
    const { store: a } = await freshStore();
    keep(a);
    await a.putRun(makeRun({ id: 'run-a' }));
    await a.putRun(makeRun({ id: 'run-b' }));
    await a.putCheckpoint(makeCheckpoint('run-b', 2));
    await a.appendRegistryEvents(history());
    const bytes = await a.exportRuns(['run-b']);

    // Into a store that already has run-b and its own "fashion" model.
    const { store: b } = await freshStore();
    keep(b);
    await b.putRun(makeRun({ id: 'run-b', name: 'local' }));
    await b.appendRegistryEvents([{ kind: 'register', model: 'fashion', version: 1, runId: 'run-b', actor: 'me', at: 9 }]);
    const [newId] = await b.importRuns(bytes);
    expect(newId).not.toBe('run-b');
    const events = await b.registryEvents();
    expect(events).toHaveLength(1 + 4); // the local one, then fashion's four (not "other")
    const imported = events.slice(1);
    expect(new Set(imported.map((e) => e.model))).toEqual(new Set(['fashion (imported)']));
    expect(imported.map((e) => e.runId).filter(Boolean)).toEqual(['run-a', newId]);
    const reg = new ModelRegistry(events as never);
    expect(reg.resolve('fashion (imported)', 'champion')?.runId).toBe(newId);
    expect(reg.resolve('fashion', 1)?.runId).toBe('run-b');
  });

  it("export with registry 'none', or of runs no model came from, adds nothing; a malformed entry is refused", async () => {
    const { store } = await freshStore();
    keep(store);
    await store.putRun(makeRun({ id: 'run-b' }));
    await store.putRun(makeRun({ id: 'run-q' }));
    await store.appendRegistryEvents(history());
    const { store: other } = await freshStore();
    keep(other);
    await other.importRuns(await store.exportRuns(['run-b'], { registry: 'none' }));
    await other.importRuns(await store.exportRuns(['run-q']));
    expect(await other.registryEvents()).toEqual([]);

    // A well-formed file (checksums right) whose registry entry is not: refused, nothing imported.
    const bad = encodeRunsFile({ schemaVersion: DB_VERSION, runs: [makeRun({ id: 'run-x' })], checkpoints: [], registry: [{ kind: 'register', model: 'm', at: 'yesterday', actor: 'you' }] as never });
    await expect(other.importRuns(bad)).rejects.toThrow(/model-registry entry is malformed/);
    expect(await other.getRun('run-x')).toBeUndefined();
  });
});

describe('MemoryRunStore: the same registry calls, carried by export and import', () => {
  it('round-trips a history from the memory store into IndexedDB and back', async () => {
    const { MemoryRunStore } = await import('../../../src/lib/store/index.ts');
    const mem = new MemoryRunStore();
    await mem.putRun(makeRun({ id: 'run-a' }));
    await mem.putRun(makeRun({ id: 'run-b' }));
    await mem.appendRegistryEvents(history());
    expect((await mem.registryEvents('fashion')).length).toBe(4);
    const { store } = await freshStore();
    keep(store);
    await store.importRuns(await mem.exportRuns(['run-a', 'run-b']));
    expect(await store.registryEvents()).toEqual(history().filter((e) => e.model === 'fashion'));
    const back = new MemoryRunStore();
    await back.importRuns(await store.exportRuns(['run-a', 'run-b']));
    expect(await back.registryEvents()).toEqual(history().filter((e) => e.model === 'fashion'));
  });
});
