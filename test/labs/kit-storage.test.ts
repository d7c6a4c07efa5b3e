import { afterEach, describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { LOST_MESSAGE, MemoryRunStore, openStore, type Store } from '../../src/lib/store/index.ts';
import { LabStorage, REOPEN_DELAYS_MS } from '../../labs/kit/storage.svelte';
import { makeRun } from '../lib/store/fixtures.ts';

/** A store whose storage the test takes away, as the browser does when site data is cleared. */
function losableStore(): { store: Store; lose: () => void; closed: () => boolean } {
  const store = new MemoryRunStore();
  const cbs = new Set<(m: string) => void>();
  let closed = false;
  const close = store.close.bind(store);
  Object.assign(store, {
    onLost: (cb: (m: string) => void) => {
      cbs.add(cb);
      return () => cbs.delete(cb);
    },
    close: () => {
      closed = true;
      close();
    },
  });
  return { store, lose: () => cbs.forEach((cb) => cb(LOST_MESSAGE)), closed: () => closed };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
let open: Store[] = [];
afterEach(() => {
  for (const s of open) s.close();
  open = [];
});

describe('LabStorage', () => {
  it('a run deleted in another tab reaches this page: changed() fires and the re-read list lacks it', async () => {
    const factory = new IDBFactory();
    const name = `tabs-${Math.random()}`;
    let changes = 0;
    const here = new LabStorage({ open: () => openStore({ indexedDB: factory, name }), changed: () => changes++ });
    const a = await here.start();
    const other = await openStore({ indexedDB: factory, name });
    open.push(a, other);
    await a.putRun(makeRun({ id: 'run-1' }));
    await a.putRun(makeRun({ id: 'run-2' }));
    const before = changes;
    await other.deleteRun('run-1');
    for (let i = 0; i < 50 && changes === before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(changes).toBeGreaterThan(before);
    expect((await here.store!.listRuns()).map((r) => r.id)).toEqual(['run-2']);
  });

  it('storage taken away: the page says why, keeps new runs in memory and exports them as a file that imports whole', async () => {
    const { store: gone, lose, closed } = losableStore();
    let changes = 0;
    const s = new LabStorage({ open: async () => gone, changed: () => changes++ });
    await s.start();
    await gone.putRun(makeRun({ id: 'old' }));
    lose();
    expect(s.lost).toBe(LOST_MESSAGE);
    expect(closed()).toBe(true);
    expect(s.store).not.toBe(gone);
    expect(s.store!.persistent).toBe(false);
    expect(changes).toBeGreaterThan(0);
    const run = makeRun({ id: 'after-loss', name: 'kept in memory' });
    await s.store!.putRun(run);
    await tick();
    expect(s.unsaved).toEqual(['after-loss']);
    const file = (await s.exportUnsaved('test'))!;
    expect(file.filename).toMatch(/^prodlab-unsaved-\d{4}-\d\d-\d\d\.prodlab$/);
    const fresh = await openStore({ indexedDB: new IDBFactory() });
    open.push(fresh);
    await fresh.importRuns(file.bytes);
    expect(await fresh.getRun('after-loss')).toEqual(run);
  });

  it('reopen() tries again 0.25 s, 0.5 s … apart, then moves the runs kept in memory into the reopened store', async () => {
    const { store: gone, lose } = losableStore();
    const back = await openStore({ indexedDB: new IDBFactory() });
    open.push(back);
    let calls = 0;
    const waits: number[] = [];
    const s = new LabStorage({
      open: async () => {
        calls++;
        if (calls === 1) return gone;
        if (calls <= 3) throw new Error('UnknownError: internal error opening backing store');
        return back;
      },
      changed: () => {},
      sleep: async (ms) => void waits.push(ms),
    });
    await s.start();
    lose();
    await s.store!.putRun(makeRun({ id: 'm1' }));
    await s.store!.putRun(makeRun({ id: 'm2', createdAt: 1_800_000_000_000 }));
    await tick();
    const r = await s.reopen('test');
    expect(r).toEqual({ ok: true, message: 'Storage works again: 2 runs kept in memory were saved to it.' });
    expect(waits).toEqual([250, 500]);
    expect(s.lost).toBeNull();
    expect(s.store).toBe(back);
    expect((await back.listRuns()).map((x) => x.id)).toEqual(['m2', 'm1']);
    expect(s.unsaved).toEqual([]);
  });

  it('reopen() gives up after five tries, says so, and keeps the runs in memory', async () => {
    const { store: gone, lose } = losableStore();
    const waits: number[] = [];
    let first = true;
    const s = new LabStorage({
      open: async () => {
        if (first) return ((first = false), gone);
        throw new Error('QuotaExceededError');
      },
      changed: () => {},
      sleep: async (ms) => void waits.push(ms),
    });
    await s.start();
    lose();
    await s.store!.putRun(makeRun({ id: 'm1' }));
    await tick();
    const memory = s.store;
    const r = await s.reopen('test');
    expect(r.ok).toBe(false);
    expect(r.message).toBe('Storage could not be reopened after 5 tries (QuotaExceededError). Your runs are still kept in memory: export them before closing this page.');
    expect(waits).toEqual(REOPEN_DELAYS_MS);
    expect(s.store).toBe(memory);
    expect(s.lost).toBe(LOST_MESSAGE);
    expect((await s.store!.listRuns()).map((x) => x.id)).toEqual(['m1']);
  });
});
