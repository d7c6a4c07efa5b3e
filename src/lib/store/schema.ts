/**
 * IndexedDB schema and its migrations. Each migration takes the database from version v-1 to v;
 * upgrade() runs them in order inside the versionchange transaction, so a half-done upgrade
 * rolls back and the old data stays as it was.
 *
 * v1 (initial): runs {keyPath id, metrics inline}, checkpoints {keyPath [runId, step]}.
 * v2: runs gain index byLab; new store progress {keyPath lab}; per-step metrics move out of
 *     the run record into metrics {keyPath [runId, step]}, one record per appended chunk, so
 *     an append writes only the new points instead of rewriting the whole run.
 * v3: new store registry {autoIncrement key, index byModel}: the model registry's events
 *     (versions, aliases, deployments), append-only, in the order they were made. Additive:
 *     nothing else changes.
 */
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { Checkpoint, LabProgress, RegistryEventRecord, RunMetrics, RunRecord } from './types.ts';

export const DB_NAME = 'prodlab';
export const DB_VERSION = 3;

/** A run as stored since v2: everything except the per-step metrics. */
export type RunHead = Omit<RunRecord, 'metrics'>;

/** A contiguous slice of a run's per-step metrics, keyed by [runId, first]. */
export interface MetricChunk extends RunMetrics {
  runId: string;
  /** First step in the chunk (equals step[0]); chunks of a run never overlap. */
  first: number;
}

export interface ProdlabDB extends DBSchema {
  runs: { key: string; value: RunHead; indexes: { byLab: string } };
  metrics: { key: [string, number]; value: MetricChunk };
  checkpoints: { key: [string, number]; value: Checkpoint };
  progress: { key: string; value: LabProgress };
  registry: { key: number; value: RegistryEventRecord; indexes: { byModel: string } };
}

type Db = IDBPDatabase<ProdlabDB>;
type UpgradeTx = IDBPTransaction<ProdlabDB, StoreNames<ProdlabDB>[], 'versionchange'>;
type Migration = (db: Db, tx: UpgradeTx) => void | Promise<void>;

/** Key range over one run's [runId, n] keys with from ≤ n ≤ to (either end open on request). */
export function runRange(runId: string, from = -Infinity, to = Infinity, open: 'none' | 'lower' | 'upper' = 'none'): IDBKeyRange {
  return IDBKeyRange.bound([runId, from], [runId, to], open === 'lower', open === 'upper');
}

export const migrations: Record<number, Migration> = {
  1(db) {
    db.createObjectStore('runs', { keyPath: 'id' });
    db.createObjectStore('checkpoints', { keyPath: ['runId', 'step'] });
  },
  async 2(db, tx) {
    tx.objectStore('runs').createIndex('byLab', 'lab');
    db.createObjectStore('progress', { keyPath: 'lab' });
    const metrics = db.createObjectStore('metrics', { keyPath: ['runId', 'first'] });
    for (let cur = await tx.objectStore('runs').openCursor(); cur; cur = await cur.continue()) {
      const { metrics: m, ...head } = cur.value as RunHead & { metrics?: RunMetrics };
      if (m && m.step.length > 0) {
        const { step, epoch, trainLoss, trainAcc } = m;
        await metrics.put({ runId: head.id, first: step[0], step, epoch, trainLoss, trainAcc });
      }
      await cur.update(head);
    }
  },
  3(db) {
    db.createObjectStore('registry', { autoIncrement: true }).createIndex('byModel', 'model');
  },
};

/** Run migrations oldVersion+1 .. newVersion; a failing one aborts the upgrade. */
export function upgrade(db: Db, oldVersion: number, newVersion: number | null, tx: UpgradeTx): void {
  const target = newVersion ?? DB_VERSION;
  const run = async () => {
    for (let v = oldVersion + 1; v <= target; v++) {
      const m = migrations[v];
      if (!m) throw new Error(`no migration to schema v${v}`);
      await m(db, tx);
    }
  };
  run().catch((e: unknown) => {
    console.error('Prodlab store: migration failed, keeping the old schema', e);
    try {
      tx.abort();
    } catch {
      // already aborted
    }
  });
}
