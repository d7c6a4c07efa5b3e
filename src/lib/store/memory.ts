import { StoreError } from './errors.ts';
import { DB_VERSION } from './schema.ts';
import { decodeRunsFile, encodeRunsFile } from './format.ts';
import { readableProgress, readableRun } from './validate.ts';
import type { Checkpoint, LabProgress, MetricPoint, RegistryEventRecord, RunPatch, RunRecord } from './types.ts';
import { importedRegistry, relatedRegistry } from './registry.ts';
import type { Commit, ExportOptions, ImportReport, Store, StoreChange } from './runs.ts';

const KEEP = 3;

/**
 * Runs kept in memory only: where runs go when the browser refuses storage (a third-party iframe
 * with storage blocked, a private window without IndexedDB) or takes it away (site data cleared
 * under an open lab). The same calls and checks as the IndexedDB store, export included, so the
 * learner can still save their work to a file; gone when the page closes.
 */
export class MemoryRunStore implements Store {
  private runs = new Map<string, RunRecord>();
  private checkpoints = new Map<string, Checkpoint[]>();
  private progress = new Map<string, LabProgress>();
  private registry: RegistryEventRecord[] = [];
  private listeners = new Set<(c: StoreChange) => void>();
  readonly persistent = false;

  constructor(private readonly keep = KEEP) {}

  async putRun(run: RunRecord): Promise<void> {
    this.runs.set(run.id, structuredClone(run));
    this.changed([run.id]);
  }

  async updateRun(id: string, patch: RunPatch): Promise<void> {
    const r = this.runs.get(id);
    if (!r) throw new StoreError('not-found', `Run ${id} is not in storage (deleted?).`);
    this.runs.set(id, { ...r, ...structuredClone(patch), id, metrics: r.metrics });
    this.changed([id]);
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const r = this.runs.get(id);
    return r && readableRun(structuredClone(r), id);
  }

  /** Runs, newest first; only `lab`'s when given (as the IndexedDB store lists them). */
  async listRuns(lab?: string): Promise<RunRecord[]> {
    return [...this.runs.values()]
      .filter((r) => lab === undefined || r.lab === lab)
      .map((r) => readableRun(structuredClone(r), r.id))
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  }

  async deleteRun(id: string): Promise<void> {
    this.runs.delete(id);
    this.checkpoints.delete(id);
    this.changed([id]);
  }

  async appendMetrics(runId: string, points: readonly MetricPoint[]): Promise<void> {
    const r = this.runs.get(runId);
    if (!r) throw new StoreError('not-found', `Run ${runId} is not in storage, so its training record was not saved.`);
    append(r, points);
  }

  async putCheckpoint(cp: Checkpoint): Promise<void> {
    if (!this.runs.has(cp.runId)) throw new StoreError('not-found', `Run ${cp.runId} is not in storage, so its checkpoint for epoch ${cp.epoch} was not saved.`);
    const kept = (this.checkpoints.get(cp.runId) ?? []).filter((c) => c.step < cp.step);
    kept.push(cp);
    this.checkpoints.set(cp.runId, kept.slice(-this.keep));
  }

  async commit(c: Commit): Promise<void> {
    const { metrics: _m, ...head } = c.run;
    const prev = this.runs.get(c.run.id);
    const run: RunRecord = { ...structuredClone(head), metrics: prev?.metrics ?? { step: [], epoch: [], trainLoss: [], trainAcc: [] } };
    this.runs.set(run.id, run);
    if (c.points?.length) append(run, c.points);
    if (c.checkpoint) await this.putCheckpoint(c.checkpoint);
    this.changed([run.id]);
  }

  async latestCheckpoint(runId: string): Promise<Checkpoint | undefined> {
    const cps = this.checkpoints.get(runId);
    return cps?.[cps.length - 1];
  }

  async checkpointSteps(runId: string): Promise<number[]> {
    return (this.checkpoints.get(runId) ?? []).map((c) => c.step);
  }

  async getProgress(lab: string): Promise<LabProgress | undefined> {
    return readableProgress(this.progress.get(lab), lab);
  }

  async putProgress(p: LabProgress): Promise<void> {
    this.progress.set(p.lab, structuredClone(p));
  }

  async exportRuns(ids: readonly string[], opts: ExportOptions = {}): Promise<Uint8Array> {
    const runs: RunRecord[] = [];
    const checkpoints: Checkpoint[] = [];
    for (const id of ids) {
      const r = await this.getRun(id);
      if (!r) throw new StoreError('not-found', `Run ${id} is not in storage, so it cannot be exported.`);
      runs.push(r);
      const cps = this.checkpoints.get(id) ?? [];
      if (opts.checkpoints === 'all') checkpoints.push(...cps);
      else if ((opts.checkpoints ?? 'latest') === 'latest' && cps.length) checkpoints.push(cps[cps.length - 1]);
    }
    const registry = opts.registry === 'none' ? [] : relatedRegistry(this.registry, ids);
    return encodeRunsFile({ schemaVersion: DB_VERSION, runs, checkpoints, ...(registry.length ? { registry: structuredClone(registry) } : {}) }, opts.appVersion);
  }

  async importRuns(bytes: Uint8Array): Promise<string[]> {
    return (await this.importFile(bytes)).ids;
  }

  async importFile(bytes: Uint8Array): Promise<ImportReport> {
    const file = decodeRunsFile(bytes, DB_VERSION);
    if (file.runs.length === 0 && file.refused.length > 0) throw new StoreError('corrupt', `This file cannot be imported: ${file.refused.join(' ')}`);
    const rename = new Map<string, string>();
    for (const run of file.runs) {
      let id = run.id;
      for (let k = 2; this.runs.has(id) || [...rename.values()].includes(id); k++) id = `${run.id}-${k}`;
      rename.set(run.id, id);
      this.runs.set(id, { ...run, id, status: run.status === 'running' ? 'interrupted' : run.status });
    }
    for (const cp of file.checkpoints) {
      const runId = rename.get(cp.runId);
      if (runId) this.checkpoints.set(runId, [...(this.checkpoints.get(runId) ?? []), { ...cp, runId }].sort((a, b) => a.step - b.step).slice(-this.keep));
    }
    if (file.registry?.length) this.registry.push(...importedRegistry(file.registry, this.registry.map((e) => e.model), rename));
    const ids = [...rename.values()];
    this.changed(ids);
    return { ids, repairs: file.repairs, refused: file.refused };
  }

  async appendRegistryEvents(events: readonly RegistryEventRecord[]): Promise<void> {
    this.registry.push(...structuredClone(events));
  }

  async registryEvents(model?: string): Promise<RegistryEventRecord[]> {
    return structuredClone(this.registry.filter((e) => model === undefined || e.model === model));
  }

  async estimate(): Promise<{ usage?: number; quota?: number } | null> {
    return null;
  }

  onChange(cb: (c: StoreChange) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  onLost(): () => void {
    return () => {};
  }

  close(): void {
    this.listeners.clear();
  }

  private changed(ids: string[]): void {
    for (const cb of this.listeners) cb({ ids });
  }
}

function append(r: RunRecord, points: readonly MetricPoint[]): void {
  for (const p of points) {
    // Points at or before the last stored step replace the tail, as in the IndexedDB store.
    let n = r.metrics.step.length;
    while (n > 0 && r.metrics.step[n - 1] >= p.step) n--;
    for (const k of ['step', 'epoch', 'trainLoss', 'trainAcc'] as const) r.metrics[k].length = n;
    r.metrics.step.push(p.step);
    r.metrics.epoch.push(p.epoch);
    r.metrics.trainLoss.push(p.trainLoss);
    r.metrics.trainAcc.push(p.trainAcc);
  }
}
