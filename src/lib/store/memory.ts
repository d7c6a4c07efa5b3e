import type { Checkpoint, MetricPoint, RunRecord } from './types.ts';

/**
 * Runs kept in memory only: what the trainer writes to when the browser refuses storage (a
 * third-party iframe with storage blocked, a private window without IndexedDB). Same calls as the
 * store's run and checkpoint methods; gone when the page closes.
 */
export class MemoryRunStore {
  private runs = new Map<string, RunRecord>();
  private checkpoints = new Map<string, Checkpoint>();

  async putRun(run: RunRecord): Promise<void> {
    this.runs.set(run.id, structuredClone(run));
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const r = this.runs.get(id);
    return r && structuredClone(r);
  }

  /** Runs, newest first; only `lab`'s when given (as the IndexedDB store lists them). */
  async listRuns(lab?: string): Promise<RunRecord[]> {
    return [...this.runs.values()].filter((r) => lab === undefined || r.lab === lab).sort((a, b) => b.createdAt - a.createdAt).map((r) => structuredClone(r));
  }

  async deleteRun(id: string): Promise<void> {
    this.runs.delete(id);
    this.checkpoints.delete(id);
  }

  async appendMetrics(runId: string, points: readonly MetricPoint[]): Promise<void> {
    const r = this.runs.get(runId);
    if (!r) return;
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

  /** Keeps the newest checkpoint per run: enough to resume. */
  async putCheckpoint(cp: Checkpoint): Promise<void> {
    this.checkpoints.set(cp.runId, cp);
  }

  async latestCheckpoint(runId: string): Promise<Checkpoint | undefined> {
    return this.checkpoints.get(runId);
  }
}
