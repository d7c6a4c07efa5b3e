import { afterEach, describe, expect, it } from 'vitest';
import { wrap, type IDBPDatabase } from 'idb';
import { DB_NAME, DB_VERSION, FILE_VERSION, StoreError, type Store } from '../../../src/lib/store/index.ts';
import { crc32, decodeRunsFile, encodeRunsFile } from '../../../src/lib/store/format.ts';
import { checkRun, readableRun } from '../../../src/lib/store/validate.ts';
import { mulberry32 } from '../../../src/lib/core/rng.ts';
import { freshStore, makeCheckpoint, makeRun } from './fixtures.ts';

let store: Store;
afterEach(() => store?.close());

/** A runs file whose header was edited, with a fresh whole-file CRC (a hand edit by someone who knows the format). */
function sealedFile(runs: unknown[], checkpoints = [makeCheckpoint('run-a', 1)]): Uint8Array {
  const bytes = encodeRunsFile({ schemaVersion: DB_VERSION, runs: [makeRun()], checkpoints });
  const len = new DataView(bytes.buffer).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + len)));
  header.runs = runs;
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(12 + json.length + bytes.length - 12 - len);
  out.set(bytes.subarray(0, 8));
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(bytes.subarray(12 + len), 12 + json.length);
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

describe('checkRun', () => {
  it('keeps a sound record as it is, with no repairs', () => {
    const r = makeRun();
    const c = checkRun(r);
    expect('refused' in c).toBe(false);
    if (!('refused' in c)) {
      expect(c.repairs).toEqual([]);
      expect(c.run).toEqual(r);
    }
  });

  it('repairs field by field: a null metric becomes a gap, an object name is dropped, a string seed becomes 0; each repair is told', () => {
    const raw = { ...makeRun(), name: { evil: true }, seed: '42', metrics: { step: [0, 1, 2], epoch: [0.3, 0.6, 1], trainLoss: [2.3, null, 0.7], trainAcc: [0.1, 0.6, 0.8] } };
    const c = checkRun(raw);
    if ('refused' in c) throw new Error(c.refused);
    expect(c.run.name).toBeUndefined();
    expect(c.run.seed).toBe(0);
    expect(c.run.metrics.trainLoss[1]).toBeNaN();
    expect(c.run.metrics.trainLoss[2]).toBe(0.7);
    expect(c.repairs).toHaveLength(3);
    expect(c.repairs.join(' ')).toMatch(/name was an object; dropped/);
    expect(c.repairs.join(' ')).toMatch(/seed was "42"; set to 0/);
    expect(c.repairs.join(' ')).toMatch(/1 training-curve point was not a number/);
  });

  it('refuses a record with no usable id or lab, saying which', () => {
    expect(checkRun(null)).toEqual({ refused: 'a run record is null, not a record' });
    expect(checkRun({ ...makeRun(), id: 7 })).toEqual({ refused: 'a run has no usable id (7)' });
    expect(checkRun({ ...makeRun(), lab: ['x'] })).toEqual({ refused: 'run "baseline" names no lab (a list)' });
  });

  it('readableRun never throws: what cannot be repaired comes back as a damaged run that keeps its id', () => {
    const d = readableRun({ id: 'run-x', lab: 42 }, 'run-x');
    expect(d.status).toBe('damaged');
    expect(d.id).toBe('run-x');
    expect(d.statusMessage).toMatch(/cannot be read/);
    expect(readableRun('garbage', 'key-1').id).toBe('key-1');
  });
});

describe('import checks every field of every record', () => {
  it('a file with a null metric and an object name imports repaired, and says what it repaired', async () => {
    ({ store } = await freshStore());
    const bad = { ...makeRun(), name: { x: 1 }, metrics: { ...makeRun().metrics, trainLoss: [2.3, null, 0.7] } };
    const report = await store.importFile(sealedFile([bad]));
    expect(report.ids).toEqual(['run-a']);
    expect(report.refused).toEqual([]);
    expect(report.repairs).toHaveLength(2);
    const [got] = await store.listRuns();
    expect(got.name).toBeUndefined();
    expect(got.metrics.trainLoss[1]).toBeNaN();
  });

  it('a record without a lab is refused with a reason while the file\'s sound records import; all refused rejects with "corrupt"', async () => {
    ({ store } = await freshStore());
    const report = await store.importFile(sealedFile([makeRun(), { ...makeRun({ id: 'run-b', name: 'b' }), lab: null }], []));
    expect(report.ids).toEqual(['run-a']);
    expect(report.refused).toEqual(['Run "b" names no lab (null): not imported.']);
    const e = await store.importFile(sealedFile([{ id: 5 }], [])).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).code).toBe('corrupt');
    expect((e as StoreError).message).toMatch(/no usable id/);
  });

  it('flipping any two bits of an exported file (header, metrics, settings, payload) is refused as changed, and nothing is imported', async () => {
    ({ store } = await freshStore());
    await store.putRun(makeRun());
    await store.putCheckpoint(makeCheckpoint('run-a', 1));
    const good = await store.exportRuns(['run-a']);
    const { store: other } = await freshStore();
    const rng = mulberry32(17);
    const text = new TextDecoder().decode(good.subarray(12, 400));
    const lossAt = 12 + text.indexOf('trainLoss') + 14;
    const targets = [lossAt, 12 + text.indexOf('"lr"') + 6, ...Array.from({ length: 40 }, () => Math.floor(rng() * good.length))];
    for (const at of targets) {
      const bad = good.slice();
      bad[at] ^= 1 << Math.floor(rng() * 8);
      const second = Math.min(bad.length - 1, at + 1 + Math.floor(rng() * 3));
      bad[second] ^= 1 << Math.floor(rng() * 8);
      const e = await other.importRuns(bad).catch((x: unknown) => x);
      expect(e, `bits flipped at ${at} and ${second}`).toBeInstanceOf(StoreError);
    }
    expect(await other.listRuns()).toEqual([]);
    expect(await other.importRuns(good)).toEqual(['run-a']);
    other.close();
  });

  it('a version 1 file (no whole-file checksum) from an older Prodlab still imports, its records checked', () => {
    const v2 = encodeRunsFile({ schemaVersion: DB_VERSION, runs: [makeRun()], checkpoints: [] });
    const len = new DataView(v2.buffer).getUint32(8, true);
    const header = JSON.parse(new TextDecoder().decode(v2.subarray(12, 12 + len)));
    header.version = 1;
    const json = new TextEncoder().encode(JSON.stringify(header));
    const v1 = new Uint8Array(12 + json.length);
    v1.set(v2.subarray(0, 8));
    new DataView(v1.buffer).setUint32(8, json.length, true);
    v1.set(json, 12);
    const file = decodeRunsFile(v1, DB_VERSION);
    expect(file.version).toBe(1);
    expect(file.runs).toEqual([makeRun()]);
    expect(FILE_VERSION).toBe(2);
  });

  it('property: 300 randomly mutated files never stop the store from listing every run it holds', async () => {
    ({ store } = await freshStore());
    await store.putRun(makeRun({ id: 'held-1' }));
    await store.putRun(makeRun({ id: 'held-2', lab: 'quantize' }));
    const rng = mulberry32(2026);
    const values: unknown[] = [null, undefined, 0, -1, NaN, 1e308, '', 'x', '<img src=x onerror=alert(1)>', [], [1, 'a'], {}, { a: { b: 1 } }, true, '__proto__'];
    const keys = Object.keys(makeRun());
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)];
    let imported = 0;
    for (let i = 0; i < 300; i++) {
      const run: Record<string, unknown> = makeRun({ id: `m-${i}` }) as never;
      for (let k = 0; k < 1 + Math.floor(rng() * 4); k++) {
        const key = pick(keys);
        if (key === 'metrics' && rng() < 0.5) (run.metrics as Record<string, unknown>)[pick(['step', 'epoch', 'trainLoss', 'trainAcc'])] = pick(values);
        else run[key] = pick(values);
      }
      const r: unknown = await store.importFile(sealedFile([run], [])).catch((e: unknown) => e);
      if (!(r instanceof Error)) imported += (r as { ids: string[] }).ids.length;
      else expect(r).toBeInstanceOf(StoreError);
      const listed = await store.listRuns();
      expect(listed.map((x) => x.id)).toEqual(expect.arrayContaining(['held-1', 'held-2']));
      for (const x of listed) {
        expect(typeof x.id).toBe('string');
        expect(checkRun(x)).not.toHaveProperty('refused');
      }
    }
    expect((await store.listRuns()).length).toBe(2 + imported);
    expect(imported).toBeGreaterThan(100);
  });
});

describe('reading the store', () => {
  it('a stored record that cannot be read is listed as damaged beside the sound ones, and can be deleted', async () => {
    const { store: s, factory } = await freshStore();
    store = s;
    await store.putRun(makeRun({ id: 'good' }));
    const raw = (await wrap(factory.open(DB_NAME, DB_VERSION))) as unknown as IDBPDatabase;
    await raw.put('runs', { id: 'broken', lab: { not: 'a lab' }, createdAt: 5 });
    await raw.put('runs', { ...makeRun({ id: 'odd', lab: 'train-mnist' }), metrics: undefined, name: 12, epochMetrics: 'x' } as never);
    raw.close();
    const listed = await store.listRuns();
    const byId = Object.fromEntries(listed.map((r) => [r.id, r]));
    expect(Object.keys(byId).sort()).toEqual(['broken', 'good', 'odd']);
    expect(byId.broken.status).toBe('damaged');
    expect(byId.odd.status).toBe('done');
    expect(byId.odd.name).toBeUndefined();
    expect(byId.odd.statusMessage).toMatch(/Repaired when read/);
    expect((await store.listRuns('train-mnist')).map((r) => r.id).sort()).toEqual(['good', 'odd']);
    await store.deleteRun('broken');
    expect((await store.listRuns()).map((r) => r.id).sort()).toEqual(['good', 'odd']);
  });
});
