/**
 * The store: runs, checkpoints and lab progress in IndexedDB, usable from the page and from a
 * worker (each opens its own connection). Every call is one transaction, so a failed write
 * (a full disk, a closed tab) leaves what was there before.
 */
import { wrap, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { StoreError, toStoreError } from './errors.ts';
import { decodeRunsFile, encodeRunsFile } from './format.ts';
import { importedRegistry, relatedRegistry } from './registry.ts';
import { readableProgress, readableRun } from './validate.ts';
import { DB_NAME, DB_VERSION, runRange, upgrade, type MetricChunk, type ProdlabDB, type RunHead } from './schema.ts';
import type { Checkpoint, LabProgress, MetricPoint, RegistryEventRecord, RunMetrics, RunPatch, RunRecord } from './types.ts';

/** Checkpoints kept per run; older ones are deleted in the transaction that adds a new one. */
export const KEEP_CHECKPOINTS = 3;

export interface StoreOptions {
  /** Database name; tests use their own. Default 'prodlab'. */
  name?: string;
  /** IndexedDB implementation; default globalThis.indexedDB. idb needs the matching globals (IDBKeyRange, ...). */
  indexedDB?: IDBFactory;
  /** Checkpoints kept per run. Default KEEP_CHECKPOINTS (3). */
  keepCheckpoints?: number;
  /** When another tab holds an older schema open: fail at once with StoreError 'blocked', or wait for it to close. Default 'fail'. */
  blocked?: 'fail' | 'wait';
}

export interface ExportOptions {
  /** Which checkpoints travel with each run: only the newest (enough to resume), all kept, or none. Default 'latest'. */
  checkpoints?: 'latest' | 'all' | 'none';
  /** Version of the exporting app, recorded in the file header (the store does not know it). */
  appVersion?: string;
  /**
   * Model-registry history that travels with the runs: 'related' (default) is the whole history of
   * every model with a version registered from one of the runs; 'none' leaves the registry out.
   */
  registry?: 'related' | 'none';
}

export interface ImportReport {
  /** Ids of the runs added (new ones where an id was taken). */
  ids: string[];
  /** Fields that were off and were repaired, one line each. */
  repairs: string[];
  /** Records that could not be imported at all, one line each. */
  refused: string[];
}

/** One atomic write of a run's progress: its record, the new curve points and (optionally) a checkpoint, all or nothing. */
export interface Commit {
  /** The run's record; its `metrics` are ignored (the stored curve grows by `points`). */
  run: RunRecord;
  /** New per-step points (ascending); points at or before the last stored step replace the stored tail. */
  points?: readonly MetricPoint[];
  /** The weights the record now speaks of (its epochsDone/stepsDone). */
  checkpoint?: Checkpoint;
}

/** Runs written or deleted by another tab, a worker, or this store. */
export interface StoreChange {
  ids: string[];
}

export interface Store {
  /** Write a whole run; its metrics replace any stored for that id. */
  putRun(run: RunRecord): Promise<void>;
  /** Change a stored run's fields other than metrics (status, epochMetrics, final, ...). StoreError 'not-found' if absent. */
  updateRun(id: string, patch: RunPatch): Promise<void>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Runs, newest (createdAt) first; only `lab`'s when given. */
  listRuns(lab?: string): Promise<RunRecord[]>;
  /** Delete a run with its metrics and checkpoints; a missing id is a no-op. */
  deleteRun(id: string): Promise<void>;
  /**
   * Append per-step points (ascending steps). Writes only the new points. Points from a step at
   * or before the last stored one replace the stored tail, so resuming from a checkpoint rewrites history cleanly.
   */
  appendMetrics(runId: string, points: readonly MetricPoint[]): Promise<void>;
  /** Save a checkpoint, drop any at later steps (an abandoned history) and all but the newest keepCheckpoints. */
  putCheckpoint(cp: Checkpoint): Promise<void>;
  /**
   * Record, curve points and checkpoint in ONE transaction: a crash at any instant leaves either
   * the state before or the state after, never a record that speaks of weights that are not stored.
   */
  commit(c: Commit): Promise<void>;
  latestCheckpoint(runId: string): Promise<Checkpoint | undefined>;
  /** Steps of the run's stored checkpoints, ascending (keys only, no weights read). */
  checkpointSteps(runId: string): Promise<number[]>;
  getProgress(lab: string): Promise<LabProgress | undefined>;
  putProgress(p: LabProgress): Promise<void>;
  /** The runs as a prodlab-runs file (see format.ts). StoreError 'not-found' if an id is missing. */
  exportRuns(ids: readonly string[], opts?: ExportOptions): Promise<Uint8Array>;
  /**
   * Add the runs of a prodlab-runs file, all or none; returns their ids (new ones where an id was
   * taken). Registry events in the file are appended with run ids renamed to match; a model whose
   * name is taken here comes in as "<name> (imported)" (then "(imported 2)", ...), so two histories
   * never mix.
   */
  importRuns(bytes: Uint8Array): Promise<string[]>;
  /** importRuns, with what checking the file's records found: fields repaired and records refused, one line each. */
  importFile(bytes: Uint8Array): Promise<ImportReport>;
  /** Append model-registry events, in order, in one transaction. */
  appendRegistryEvents(events: readonly RegistryEventRecord[]): Promise<void>;
  /** Model-registry events, oldest first; only `model`'s when given. */
  registryEvents(model?: string): Promise<RegistryEventRecord[]>;
  /** navigator.storage.estimate() where the browser has it, else null. */
  estimate(): Promise<{ usage?: number; quota?: number } | null>;
  /** Hear of runs written or deleted elsewhere (another tab, a worker); returns the unsubscribe function. */
  onChange(cb: (c: StoreChange) => void): () => void;
  /** Hear once that the browser took the storage away (site data cleared); later calls fail with code 'lost'. */
  onLost(cb: (message: string) => void): () => void;
  /** False for the in-memory store (runs are gone when the page closes). */
  readonly persistent: boolean;
  close(): void;
}

/** The message of a store whose database the browser closed under us. */
export const LOST_MESSAGE = "This browser's storage for Prodlab was cleared or closed (site data deleted?), so new runs cannot be saved there.";

type Db = IDBPDatabase<ProdlabDB>;
type Name = StoreNames<ProdlabDB>;
type Tx<N extends Name, M extends IDBTransactionMode> = IDBPTransaction<ProdlabDB, N[], M>;

export async function openStore(opts: StoreOptions = {}): Promise<Store> {
  const factory = opts.indexedDB ?? globalThis.indexedDB;
  if (!factory) throw new StoreError('unknown', 'This browser offers no IndexedDB, so runs cannot be saved.');
  const request = factory.open(opts.name ?? DB_NAME, DB_VERSION);
  request.addEventListener('upgradeneeded', (e) => {
    upgrade(wrap(request.result) as unknown as Db, e.oldVersion, e.newVersion, wrap(request.transaction!) as unknown as Tx<Name, 'versionchange'>);
  });
  const db = await new Promise<Db>((resolve, reject) => {
    let gaveUp = false;
    if (opts.blocked !== 'wait') {
      request.addEventListener('blocked', () => {
        gaveUp = true;
        reject(new StoreError('blocked', 'Prodlab is open in another tab with an older version. Close that tab, then reload this page.'));
      });
    }
    (wrap(request) as unknown as Promise<Db>).then(
      (db) => (gaveUp ? db.close() : resolve(db)),
      (e: unknown) => reject(toStoreError(e, 'the Prodlab database', 'read')),
    );
  });
  return new IdbStore(db, opts.keepCheckpoints ?? KEEP_CHECKPOINTS, opts.name ?? DB_NAME);
}

/** A fresh run id; uses getRandomValues, which (unlike randomUUID) works outside secure contexts. */
export function newRunId(): string {
  const r = crypto.getRandomValues(new Uint8Array(6));
  return `run-${Date.now().toString(36)}-${Array.from(r, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

const emptyMetrics = (): RunMetrics => ({ step: [], epoch: [], trainLoss: [], trainAcc: [] });

function splitRun(run: RunRecord): { head: RunHead; chunk?: MetricChunk } {
  const { metrics, ...head } = run;
  const { step, epoch, trainLoss, trainAcc } = metrics;
  if (step.length === 0) return { head };
  return { head, chunk: { runId: run.id, first: step[0], step: [...step], epoch: [...epoch], trainLoss: [...trainLoss], trainAcc: [...trainAcc] } };
}

/** A stored head and its metric chunks as one record, checked (validate.ts): repaired, or 'damaged' if unreadable. Never throws. */
function joinRun(head: RunHead, chunks: MetricChunk[]): RunRecord {
  const metrics = emptyMetrics();
  for (const c of chunks) {
    if (!c || !Array.isArray(c.step)) continue;
    for (const k of ['step', 'epoch', 'trainLoss', 'trainAcc'] as const) {
      const col = Array.isArray(c[k]) ? c[k] : [];
      for (let i = 0; i < c.step.length; i++) metrics[k].push(col[i]);
    }
  }
  return readableRun({ ...head, metrics }, (head as { id?: unknown })?.id as string | undefined);
}

/** The channel on which stores of one database tell each other (other tabs, workers) what they changed. */
const channelName = (db: string) => `prodlab-store:${db}`;

class IdbStore implements Store {
  readonly persistent = true;
  /** Why the database is gone, once it is: 'upgraded' by a newer tab, 'lost' when the browser closed it, 'closed' by us. */
  private gone?: 'upgraded' | 'lost' | 'closed';
  private lostListeners = new Set<(message: string) => void>();
  private changeListeners = new Set<(c: StoreChange) => void>();
  private channel?: BroadcastChannel;

  constructor(
    private readonly db: Db,
    private readonly keep: number,
    name: string,
  ) {
    // A newer tab wants to upgrade: step aside rather than block it; later calls fail as 'blocked'.
    db.addEventListener('versionchange', () => {
      this.gone = 'upgraded';
      db.close();
    });
    // The browser closes the database by itself only when it loses it: site data cleared, disk gone.
    db.addEventListener('close', () => {
      this.gone ??= 'lost';
      for (const cb of this.lostListeners) cb(LOST_MESSAGE);
    });
    if (typeof BroadcastChannel === 'function') {
      this.channel = new BroadcastChannel(channelName(name));
      this.channel.onmessage = (e: MessageEvent<StoreChange>) => {
        if (Array.isArray(e.data?.ids)) for (const cb of this.changeListeners) cb({ ids: e.data.ids.filter((x) => typeof x === 'string') });
      };
    }
  }

  onChange(cb: (c: StoreChange) => void): () => void {
    this.changeListeners.add(cb);
    return () => this.changeListeners.delete(cb);
  }

  onLost(cb: (message: string) => void): () => void {
    this.lostListeners.add(cb);
    return () => this.lostListeners.delete(cb);
  }

  /** Tell the other stores of this database (tabs, workers) which runs changed. */
  private announce(ids: string[]): void {
    try {
      this.channel?.postMessage({ ids } satisfies StoreChange);
    } catch {
      /* a closed channel: nobody to tell */
    }
  }

  // Bodies await each write in turn: a request started beside one that throws synchronously
  // (put of an uncloneable value, a full disk) would reject unobserved when the abort lands.
  private async tx<N extends Name, M extends 'readonly' | 'readwrite', T>(
    names: N[],
    mode: M,
    what: string,
    body: (tx: Tx<N, M>) => Promise<T>,
  ): Promise<T> {
    let tx: Tx<N, M> | undefined;
    const failed = mode === 'readonly' ? 'could not be read' : 'was not saved';
    if (this.gone === 'lost') throw new StoreError('lost', `${LOST_MESSAGE} (${what} ${failed}.)`);
    if (this.gone === 'upgraded') throw new StoreError('blocked', `A newer Prodlab in another tab upgraded the storage: ${what} ${failed}. Reload this page.`);
    try {
      tx = this.db.transaction(names, mode);
      tx.done.catch(() => {}); // awaited below; this only keeps an aborted one from being "unhandled"
      const result = await body(tx);
      await tx.done;
      return result;
    } catch (e) {
      try {
        tx?.abort(); // roll back whatever the body already wrote
      } catch {
        // already finished or aborted
      }
      throw toStoreError(e, what, mode === 'readonly' ? 'read' : 'save');
    }
  }

  async putRun(run: RunRecord): Promise<void> {
    await this.tx(['runs', 'metrics'], 'readwrite', `run "${run.name ?? run.id}"`, async (tx) => {
      const { head, chunk } = splitRun(run);
      const metrics = tx.objectStore('metrics');
      await tx.objectStore('runs').put(head);
      await metrics.delete(runRange(run.id));
      if (chunk) await metrics.put(chunk);
    });
    this.announce([run.id]);
  }

  async updateRun(id: string, patch: RunPatch): Promise<void> {
    await this.tx(['runs'], 'readwrite', `run ${id}`, async (tx) => {
      const runs = tx.objectStore('runs');
      const head = await runs.get(id);
      if (!head) throw new StoreError('not-found', `Run ${id} is not in storage (deleted?).`);
      await runs.put({ ...head, ...patch, id });
    });
    this.announce([id]);
  }

  getRun(id: string): Promise<RunRecord | undefined> {
    return this.tx(['runs', 'metrics'], 'readonly', `run ${id}`, async (tx) => {
      const [head, chunks] = await Promise.all([tx.objectStore('runs').get(id), tx.objectStore('metrics').getAll(runRange(id))]);
      return head && joinRun(head, chunks);
    });
  }

  listRuns(lab?: string): Promise<RunRecord[]> {
    return this.tx(['runs', 'metrics'], 'readonly', 'the run list', async (tx) => {
      const runs = tx.objectStore('runs');
      const heads = lab === undefined ? await runs.getAll() : await runs.index('byLab').getAll(lab);
      const metrics = tx.objectStore('metrics');
      const out = await Promise.all(heads.map(async (h) => joinRun(h, await metrics.getAll(runRange(h.id)))));
      return out.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
    });
  }

  async deleteRun(id: string): Promise<void> {
    await this.tx(['runs', 'metrics', 'checkpoints'], 'readwrite', `the deletion of run ${id}`, async (tx) => {
      await tx.objectStore('runs').delete(id);
      await tx.objectStore('metrics').delete(runRange(id));
      await tx.objectStore('checkpoints').delete(runRange(id));
    });
    this.announce([id]);
  }

  appendMetrics(runId: string, points: readonly MetricPoint[]): Promise<void> {
    if (points.length === 0) return Promise.resolve();
    checkAscending(points);
    const what = pointsLabel(points);
    return this.tx(['runs', 'metrics'], 'readwrite', what, async (tx) => {
      const runs = tx.objectStore('runs');
      const head = await runs.get(runId);
      if (!head) throw new StoreError('not-found', `Run ${runId} is not in storage, so ${what} were not saved.`);
      await writePoints(tx.objectStore('metrics'), runId, points);
      await runs.put({ ...head, updatedAt: Date.now() });
    });
  }

  putCheckpoint(cp: Checkpoint): Promise<void> {
    return this.tx(['runs', 'checkpoints'], 'readwrite', `the checkpoint for epoch ${cp.epoch}`, async (tx) => {
      if (!(await tx.objectStore('runs').getKey(cp.runId))) {
        throw new StoreError('not-found', `Run ${cp.runId} is not in storage, so its checkpoint for epoch ${cp.epoch} was not saved.`);
      }
      await writeCheckpoint(tx.objectStore('checkpoints'), cp, this.keep);
    });
  }

  async commit(c: Commit): Promise<void> {
    const points = c.points ?? [];
    checkAscending(points);
    const what = c.checkpoint ? `the checkpoint for epoch ${c.checkpoint.epoch} and its record` : points.length ? pointsLabel(points) : `run "${c.run.name ?? c.run.id}"`;
    await this.tx(['runs', 'metrics', 'checkpoints'], 'readwrite', what, async (tx) => {
      const { head } = splitRun({ ...c.run, metrics: emptyMetrics() });
      await tx.objectStore('runs').put(head);
      if (points.length) await writePoints(tx.objectStore('metrics'), c.run.id, points);
      if (c.checkpoint) await writeCheckpoint(tx.objectStore('checkpoints'), c.checkpoint, this.keep);
    });
    this.announce([c.run.id]);
  }

  latestCheckpoint(runId: string): Promise<Checkpoint | undefined> {
    return this.tx(['checkpoints'], 'readonly', `the latest checkpoint of run ${runId}`, async (tx) => {
      const cur = await tx.objectStore('checkpoints').openCursor(runRange(runId), 'prev');
      return cur?.value;
    });
  }

  checkpointSteps(runId: string): Promise<number[]> {
    return this.tx(['checkpoints'], 'readonly', `the checkpoints of run ${runId}`, async (tx) => {
      const keys = await tx.objectStore('checkpoints').getAllKeys(runRange(runId));
      return keys.map((k) => k[1]);
    });
  }

  getProgress(lab: string): Promise<LabProgress | undefined> {
    return this.tx(['progress'], 'readonly', `progress in lab ${lab}`, async (tx) => readableProgress(await tx.objectStore('progress').get(lab), lab));
  }

  putProgress(p: LabProgress): Promise<void> {
    return this.tx(['progress'], 'readwrite', `progress in lab ${p.lab}`, async (tx) => {
      await tx.objectStore('progress').put(p);
    });
  }

  exportRuns(ids: readonly string[], opts: ExportOptions = {}): Promise<Uint8Array> {
    const which = opts.checkpoints ?? 'latest';
    return this.tx(['runs', 'metrics', 'checkpoints', 'registry'], 'readonly', 'the runs to export', async (tx) => {
      const runs: RunRecord[] = [];
      const checkpoints: Checkpoint[] = [];
      for (const id of ids) {
        const head = await tx.objectStore('runs').get(id);
        if (!head) throw new StoreError('not-found', `Run ${id} is not in storage, so it cannot be exported.`);
        runs.push(joinRun(head, await tx.objectStore('metrics').getAll(runRange(id))));
        const cps = tx.objectStore('checkpoints');
        if (which === 'all') checkpoints.push(...(await cps.getAll(runRange(id))));
        if (which === 'latest') {
          const cur = await cps.openCursor(runRange(id), 'prev');
          if (cur) checkpoints.push(cur.value);
        }
      }
      const registry = opts.registry === 'none' ? [] : relatedRegistry(await tx.objectStore('registry').getAll(), ids);
      return encodeRunsFile({ schemaVersion: DB_VERSION, runs, checkpoints, ...(registry.length ? { registry } : {}) }, opts.appVersion);
    });
  }

  async importRuns(bytes: Uint8Array): Promise<string[]> {
    return (await this.importFile(bytes)).ids;
  }

  async importFile(bytes: Uint8Array): Promise<ImportReport> {
    const file = decodeRunsFile(bytes, DB_VERSION);
    if (file.runs.length === 0 && file.refused.length > 0) throw new StoreError('corrupt', `This file cannot be imported: ${file.refused.join(' ')}`);
    const ids = await this.tx(['runs', 'metrics', 'checkpoints', 'registry'], 'readwrite', 'the imported runs', async (tx) => {
      const runs = tx.objectStore('runs');
      const rename = new Map<string, string>();
      const taken = new Set<string>();
      for (const run of file.runs) {
        let id = run.id;
        while (taken.has(id) || (await runs.getKey(id)) !== undefined) id = newRunId();
        taken.add(id);
        if (!rename.has(run.id)) rename.set(run.id, id);
        // A run that was training when exported is not training here.
        const status = run.status === 'running' ? 'interrupted' : run.status;
        const { head, chunk } = splitRun({ ...run, id, status });
        await runs.put(head);
        if (chunk) await tx.objectStore('metrics').put(chunk);
      }
      const byRun = new Map<string, Checkpoint[]>();
      for (const cp of file.checkpoints) {
        const runId = rename.get(cp.runId)!;
        byRun.set(runId, [...(byRun.get(runId) ?? []), { ...cp, runId }]);
      }
      for (const cps of byRun.values()) {
        cps.sort((a, b) => a.step - b.step);
        for (const cp of cps.slice(-this.keep)) await tx.objectStore('checkpoints').put(cp);
      }
      if (file.registry?.length) {
        const registry = tx.objectStore('registry');
        const local = (await registry.getAll()).map((e) => e.model);
        for (const e of importedRegistry(file.registry, local, rename)) await registry.add(e);
      }
      return [...taken];
    });
    this.announce(ids);
    return { ids, repairs: file.repairs, refused: file.refused };
  }

  appendRegistryEvents(events: readonly RegistryEventRecord[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return this.tx(['registry'], 'readwrite', events.length === 1 ? 'the registry change' : 'the registry changes', async (tx) => {
      for (const e of events) await tx.objectStore('registry').add(e);
    });
  }

  registryEvents(model?: string): Promise<RegistryEventRecord[]> {
    return this.tx(['registry'], 'readonly', 'the model registry', (tx) =>
      model === undefined ? tx.objectStore('registry').getAll() : tx.objectStore('registry').index('byModel').getAll(model),
    );
  }

  async estimate(): Promise<{ usage?: number; quota?: number } | null> {
    const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
    if (!storage?.estimate) return null;
    const { usage, quota } = await storage.estimate();
    return { usage, quota };
  }

  close(): void {
    this.gone ??= 'closed';
    this.channel?.close();
    this.db.close();
  }
}

function checkAscending(points: readonly MetricPoint[]): void {
  for (let i = 1; i < points.length; i++) {
    if (!(points[i].step > points[i - 1].step)) throw new RangeError(`appendMetrics: steps must ascend (${points[i - 1].step} then ${points[i].step})`);
  }
}

function pointsLabel(points: readonly MetricPoint[]): string {
  const first = points[0].step;
  const last = points[points.length - 1].step;
  return first === last ? `the training record of step ${first}` : `the training record of steps ${first}–${last}`;
}

type MetricsStore = ReturnType<Tx<'metrics', 'readwrite'>['objectStore']>;
type CheckpointStore = ReturnType<Tx<'checkpoints', 'readwrite'>['objectStore']>;

/** Store curve points: drop stored points at steps ≥ the first new one (whole chunks, and the tail of the one before), then add the chunk. */
async function writePoints(metrics: MetricsStore, runId: string, points: readonly MetricPoint[]): Promise<void> {
  const first = points[0].step;
  await metrics.delete(runRange(runId, first));
  const prev = await metrics.openCursor(runRange(runId, -Infinity, first, 'upper'), 'prev');
  if (prev && prev.value.step[prev.value.step.length - 1] >= first) {
    const c = prev.value;
    const n = c.step.findIndex((x) => x >= first);
    await prev.update({ ...c, step: c.step.slice(0, n), epoch: c.epoch.slice(0, n), trainLoss: c.trainLoss.slice(0, n), trainAcc: c.trainAcc.slice(0, n) });
  }
  await metrics.put({
    runId,
    first,
    step: points.map((p) => p.step),
    epoch: points.map((p) => p.epoch),
    trainLoss: points.map((p) => p.trainLoss),
    trainAcc: points.map((p) => p.trainAcc),
  });
}

/** Store a checkpoint: drop any at later steps (an abandoned history) and all but the newest `keep`. */
async function writeCheckpoint(store: CheckpointStore, cp: Checkpoint, keep: number): Promise<void> {
  await store.delete(runRange(cp.runId, cp.step, Infinity, 'lower'));
  await store.put(cp);
  const keys = await store.getAllKeys(runRange(cp.runId));
  if (keys.length > keep) await store.delete(runRange(cp.runId, -Infinity, keys[keys.length - keep - 1][1]));
}
