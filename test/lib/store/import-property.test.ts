import { afterEach, describe, expect, it } from 'vitest';
import { mulberry32, type Rng } from '../../../src/lib/core/rng.ts';
import { checkRun, DB_VERSION, StoreError, type Store } from '../../../src/lib/store/index.ts';
import { encodeRunsFile } from '../../../src/lib/store/format.ts';
import type { RunRecord } from '../../../src/lib/store/types.ts';
import { freshStore, makeCheckpoint, makeRun } from './fixtures.ts';

/** Values a hand-edited or hostile file may hold where a field belongs. */
const JUNK: (() => unknown)[] = [
  () => null, () => undefined, () => NaN, () => -Infinity, () => 1e308, () => -1, () => 0, () => true, () => '', () => 'x',
  () => '<img src=x onerror=alert(1)>', () => 'A'.repeat(5000), () => ({}), () => [], () => [null], () => ({ toString: 'boom' }),
  () => ({ __proto__: { polluted: true } }), () => [1, 'two', null], () => ({ step: 'nope' }), () => 'done',
];

const PATHS = [
  'id', 'lab', 'name', 'params', 'params.result', 'params.result.testAcc', 'seed', 'dataHash', 'backend', 'appVersion', 'status', 'statusMessage',
  'createdAt', 'updatedAt', 'durationMs', 'epochsDone', 'stepsDone', 'metrics', 'metrics.step', 'metrics.trainLoss', 'metrics.trainLoss.0', 'metrics.epoch.2',
  'epochMetrics', 'epochMetrics.0', 'epochMetrics.0.valAcc', 'final', 'final.testAcc', 'final.confusion', 'final.calibration', 'variant', 'variant.technique', 'variant.bytes',
];

function mutate(run: RunRecord, rng: Rng): { run: unknown; changed: string[] } {
  const out = structuredClone(run) as unknown as Record<string, unknown>;
  const changed: string[] = [];
  const n = 1 + Math.floor(rng() * 4);
  for (let i = 0; i < n; i++) {
    const path = PATHS[Math.floor(rng() * PATHS.length)].split('.');
    let at: Record<string, unknown> = out;
    for (const k of path.slice(0, -1)) {
      if (typeof at[k] !== 'object' || at[k] === null) at[k] = {};
      at = at[k] as Record<string, unknown>;
    }
    at[path.at(-1)!] = JUNK[Math.floor(rng() * JUNK.length)]();
    changed.push(path.join('.'));
  }
  return { run: out, changed };
}

let stores: Store[] = [];
afterEach(() => {
  for (const s of stores) s.close();
  stores = [];
});

describe('importing randomly mutated .prodlab files (valid envelope, random field types and values)', () => {
  it('300 files: each imports (repaired, with notes) or is refused in words; the store lists every run it holds, and every listed run passes the schema', async () => {
    const rng = mulberry32(20261203);
    const { store } = await freshStore();
    stores.push(store);
    let held = 0;
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      const base = makeRun({ id: `run-${i}`, lab: 'cuped', params: { seed: 3, result: { testAcc: 0.8 } } });
      const { run, changed } = mutate(base, rng);
      const file = encodeRunsFile({ schemaVersion: DB_VERSION, runs: [run as RunRecord], checkpoints: i % 3 === 0 ? [makeCheckpoint(`run-${i}`, 10)] : [] });
      const what = `file ${i} (changed ${changed.join(', ')})`;
      try {
        const report = await store.importFile(file);
        held += report.ids.length;
        expect(report.ids.length, what).toBe(1);
      } catch (e) {
        expect(e, what).toBeInstanceOf(StoreError);
        expect((e as StoreError).code, what).toBe('corrupt');
        expect((e as Error).message.length, what).toBeLessThan(400);
        refused++;
      }
      if (i % 10 !== 9) continue;
      const listed = await store.listRuns();
      expect(listed.length, what).toBe(held);
      for (const r of listed) {
        const c = checkRun(r);
        expect('refused' in c ? c.refused : c.repairs, `${what}: run ${r.id} as listed`).toEqual([]);
      }
    }
    expect(held + refused).toBe(300);
    expect(refused).toBeGreaterThan(0); // some mutations hit id or lab: refused, not half-imported
    expect(held).toBeGreaterThan(200);
  });

  it('300 records written straight into IndexedDB (a hand-edited or older store): every one is listed, each one readable by the schema', async () => {
    const rng = mulberry32(7);
    const { store, factory } = await freshStore();
    stores.push(store);
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = factory.open('prodlab');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    let withKey = 0;
    for (let i = 0; i < 300; i++) {
      const { run } = mutate(makeRun({ id: `raw-${i}`, lab: 'cuped' }), rng);
      const head = { ...(run as Record<string, unknown>), metrics: undefined };
      // IndexedDB itself refuses a record whose key is not a valid key (null, NaN, an object): such a record cannot exist.
      const stored = await new Promise<boolean>((resolve, reject) => {
        const tx = db.transaction('runs', 'readwrite');
        try {
          tx.objectStore('runs').put(head);
        } catch {
          tx.abort();
          return resolve(false);
        }
        tx.oncomplete = () => resolve(true);
        tx.onerror = () => reject(tx.error);
      });
      if (stored) withKey++;
    }
    // Junk ids repeat ('x', 0, ''): a later put replaces the earlier record, so count what IndexedDB holds.
    const held = await new Promise<number>((resolve) => {
      const req = db.transaction('runs').objectStore('runs').count();
      req.onsuccess = () => resolve(req.result);
    });
    db.close();
    expect(held).toBeGreaterThan(250);
    expect(held).toBeLessThanOrEqual(withKey);
    const listed = await store.listRuns();
    expect(listed.length).toBe(held);
    const damaged = listed.filter((r) => r.status === 'damaged');
    for (const r of listed) {
      if (r.status === 'damaged') {
        expect(r.statusMessage).toMatch(/^This saved run cannot be read \(.+\)\. You can delete it; your other runs are unaffected\.$/);
        continue;
      }
      const c = checkRun(r);
      expect('refused' in c ? c.refused : c.repairs, `run ${r.id} as listed`).toEqual([]);
    }
    expect(damaged.length).toBeGreaterThan(0);
    // Delete works on every damaged row: its id is the key it is stored under.
    for (const r of damaged) await store.deleteRun(r.id);
    expect((await store.listRuns()).length).toBe(held - damaged.length);
  });
});
