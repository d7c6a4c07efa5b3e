import { afterEach, describe, expect, it } from 'vitest';
import { DB_VERSION, FILE_FORMAT, FILE_VERSION, StoreError, type Store } from '../../../src/lib/store/index.ts';
import { crc32, decodeRunsFile, encodeRunsFile } from '../../../src/lib/store/format.ts';
import { bits, freshStore, makeCheckpoint, makeRun } from './fixtures.ts';

let a: Store;
let b: Store;
afterEach(() => {
  a?.close();
  b?.close();
});

/**
 * Rewrite the JSON header of a runs file (bytes 12.. as laid out in format.ts) and, as a hand-editor
 * who knows the format would, write a new whole-file CRC-32: so these files reach the record checks.
 */
function editHeader(bytes: Uint8Array, edit: (h: Record<string, any>) => void): Uint8Array {
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + len)));
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(12 + json.length + bytes.length - 12 - len);
  out.set(bytes.subarray(0, 8));
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(bytes.subarray(12 + len), 12 + json.length);
  return reseal(out);
}

/** Write a fresh whole-file CRC-32 in the last 4 bytes. */
function reseal(bytes: Uint8Array): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
  return bytes;
}

async function importError(store: Store, bytes: Uint8Array): Promise<StoreError> {
  const e = await store.importRuns(bytes).catch((err: unknown) => err);
  expect(e).toBeInstanceOf(StoreError);
  return e as StoreError;
}

describe('crc32', () => {
  it('crc32("123456789") is the CRC-32/ISO-HDLC check value 0xCBF43926', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('exportRuns / importRuns', () => {
  it('exportRuns then importRuns into another browser reproduces runs and checkpoint weights bit-exact', async () => {
    ({ store: a } = await freshStore());
    ({ store: b } = await freshStore());
    const run1 = makeRun({ id: 'r1', metrics: { step: [0, 1], epoch: [0.5, 1], trainLoss: [NaN, Infinity], trainAcc: [0.1, -0] } });
    const run2 = makeRun({ id: 'r2', lab: 'quantize', final: undefined });
    await a.putRun(run1);
    await a.putRun(run2);
    for (const s of [1, 2, 3]) await a.putCheckpoint(makeCheckpoint('r1', s));
    const cp = makeCheckpoint('r1', 4);
    await a.putCheckpoint(cp);

    const bytes = await a.exportRuns(['r1', 'r2']);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(bytes.subarray(0, 7))).toBe('PRODLAB');
    expect(await b.importRuns(bytes)).toEqual(['r1', 'r2']);

    const got1 = (await b.getRun('r1'))!;
    expect(got1.metrics.trainLoss[0]).toBeNaN();
    expect(got1.metrics.trainLoss[1]).toBe(Infinity);
    expect(got1).toEqual(run1);
    expect(await b.getRun('r2')).toEqual(run2);
    // 'latest' (the default) carries only the newest checkpoint.
    expect(await b.checkpointSteps('r1')).toEqual([4]);
    const got = (await b.latestCheckpoint('r1'))!;
    expect(got.weights.map((t) => [t.name, t.shape, bits(t.data)])).toEqual(cp.weights.map((t) => [t.name, t.shape, bits(t.data)]));
    expect(got.optimizer.map((t) => bits(t.data))).toEqual(cp.optimizer.map((t) => bits(t.data)));
    expect({ ...got, weights: 0, optimizer: 0 }).toEqual({ ...cp, weights: 0, optimizer: 0 });
  });

  it('exportRuns(ids, {checkpoints: "all"}) carries every kept checkpoint; "none" carries none', async () => {
    ({ store: a } = await freshStore());
    ({ store: b } = await freshStore());
    await a.putRun(makeRun());
    for (const s of [1, 2, 3]) await a.putCheckpoint(makeCheckpoint('run-a', s));
    await b.importRuns(await a.exportRuns(['run-a'], { checkpoints: 'all' }));
    expect(await b.checkpointSteps('run-a')).toEqual([1, 2, 3]);
    const [id] = await b.importRuns(await a.exportRuns(['run-a'], { checkpoints: 'none' }));
    expect(await b.checkpointSteps(id)).toEqual([]);
  });

  it('importRuns gives a run whose id is taken a new id, with its checkpoints, and leaves the existing run unchanged', async () => {
    ({ store: a } = await freshStore());
    await a.putRun(makeRun({ status: 'running' }));
    await a.putCheckpoint(makeCheckpoint('run-a', 5));
    const bytes = await a.exportRuns(['run-a']);
    await a.updateRun('run-a', { name: 'edited after export' });

    const [newId] = await a.importRuns(bytes);
    expect(newId).not.toBe('run-a');
    expect((await a.getRun('run-a'))!.name).toBe('edited after export');
    const imported = (await a.getRun(newId))!;
    expect(imported.name).toBe('baseline');
    expect(imported.status).toBe('interrupted'); // it is not training in this browser
    expect(imported.metrics).toEqual(makeRun().metrics);
    expect((await a.latestCheckpoint(newId))?.runId).toBe(newId);
    expect(await a.checkpointSteps('run-a')).toEqual([5]);
    expect((await a.listRuns()).length).toBe(2);
  });

  it('exportRuns of an id that is not stored rejects with not-found', async () => {
    ({ store: a } = await freshStore());
    await expect(a.exportRuns(['ghost'])).rejects.toMatchObject({ code: 'not-found' });
  });

  it('exportRuns writes a header with format name, format version, schema version and the exporting app version', async () => {
    ({ store: a } = await freshStore());
    await a.putRun(makeRun());
    let header: Record<string, any> = {};
    editHeader(await a.exportRuns(['run-a'], { appVersion: '0.2.0' }), (h) => (header = h));
    expect(header).toMatchObject({ format: FILE_FORMAT, version: FILE_VERSION, schemaVersion: DB_VERSION, appVersion: '0.2.0' });
    expect(FILE_FORMAT).toBe('prodlab-runs');
  });
});

describe('importRuns rejects bad files', () => {
  async function goodFile(): Promise<Uint8Array> {
    ({ store: a } = await freshStore());
    await a.putRun(makeRun());
    await a.putCheckpoint(makeCheckpoint('run-a', 1));
    return a.exportRuns(['run-a']);
  }

  it('importRuns of a foreign file (a PNG, JSON text, empty bytes) rejects with "corrupt" and imports nothing', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
    ({ store: b } = await freshStore());
    for (const bytes of [png, new TextEncoder().encode('{"runs": []}'), new Uint8Array(0)]) {
      const e = await importError(b, bytes);
      expect(e.code).toBe('corrupt');
      expect(e.message).toMatch(/not a Prodlab runs file/);
    }
    expect(await b.listRuns()).toEqual([]);
  });

  it('importRuns of a truncated file, a flipped payload bit or a damaged header rejects with "corrupt"', async () => {
    const good = await goodFile();
    ({ store: b } = await freshStore());
    const flipped = good.slice();
    flipped[flipped.length - 3] ^= 0x10;
    const badJson = good.slice();
    badJson[14] = 0x7b; // '{' inside the JSON where a quote belongs
    for (const bytes of [good.subarray(0, good.length - 1), good.subarray(0, 40), flipped, badJson]) {
      expect((await importError(b, bytes)).code).toBe('corrupt');
    }
    expect(await b.listRuns()).toEqual([]);
    expect(await b.importRuns(good)).toEqual(['run-a']); // the intact file still imports
  });

  it('importRuns of a file with another format name, or with inconsistent tensors, rejects with "corrupt"', async () => {
    const good = await goodFile();
    ({ store: b } = await freshStore());
    const cases = [
      editHeader(good, (h) => (h.format = 'someone-elses-runs')),
      editHeader(good, (h) => (h.checkpoints[0].weights[0].shape = [5, 5])),
      editHeader(good, (h) => (h.checkpoints[0].weights[0].offset = 1e9)),
      editHeader(good, (h) => (h.checkpoints[0].runId = 'not-in-file')),
    ];
    for (const bytes of cases) expect((await importError(b, bytes)).code).toBe('corrupt');
    expect(await b.listRuns()).toEqual([]);
  });

  it('importRuns of a file from a newer format or schema version rejects with "version"', async () => {
    const good = await goodFile();
    ({ store: b } = await freshStore());
    for (const bytes of [
      editHeader(good, (h) => (h.version = FILE_VERSION + 1)),
      editHeader(good, (h) => (h.schemaVersion = DB_VERSION + 1)),
    ]) {
      const e = await importError(b, bytes);
      expect(e.code).toBe('version');
      expect(e.message).toMatch(/newer Prodlab/);
    }
  });

  it('decodeRunsFile reads a Uint8Array that is a view at an odd offset into a larger buffer', () => {
    const cp = makeCheckpoint('r', 1);
    const file = encodeRunsFile({ schemaVersion: DB_VERSION, runs: [makeRun({ id: 'r' })], checkpoints: [cp] });
    const host = new Uint8Array(file.length + 3);
    host.set(file, 1);
    const back = decodeRunsFile(host.subarray(1, 1 + file.length), DB_VERSION);
    expect(bits(back.checkpoints[0].weights[1].data)).toEqual(bits(cp.weights[1].data));
  });
});
