/**
 * How data labs keep their runs, in the same shape as the evaluation labs (labs/eval-kit/runs.ts):
 * a finished RunRecord whose params hold the lab's settings plus `result`, the run's summary
 * numbers. So exercises read them with evalRuns(), and the run table works the same. Each lab
 * state holds one DataRuns: it opens the store, lists the lab's runs, saves new ones and keeps
 * the exercise progress in step.
 */
import { newRunId, openStore, type Store } from '../../src/lib/store';
import type { RunRecord } from '../../src/lib/store/types';
import { ExerciseProgress } from '../../src/app/progress.svelte';
import type { CheckResult, LabMeta } from '../types';
import type { Summary } from '../eval-kit/runs';

export { evalRuns as dataRuns, num, fmt, pct, type EvalRun as DataRun, type Summary } from '../eval-kit/runs';

export interface SaveRun {
  settings: Record<string, number | string | boolean>;
  result: Summary;
  seed: number;
  /** Hash of the input data (e.g. sha256 of the generated files), so two runs on the same data can be told apart. */
  dataHash: string;
  durationMs: number;
  name?: string;
  /** 'duckdb-wasm', 'js-worker', 'js-page'... */
  backend?: string;
}

/** A finished run record for a data lab. */
export function dataRunRecord(lab: string, r: SaveRun, id = newRunId(), now = Date.now()): RunRecord {
  return {
    id, lab, name: r.name, params: { ...r.settings, result: r.result }, seed: r.seed, dataHash: r.dataHash,
    backend: r.backend ?? 'duckdb-wasm', appVersion: __APP_VERSION__, status: 'done', createdAt: now, updatedAt: now, durationMs: r.durationMs,
    epochsDone: 0, stepsDone: 0, metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochMetrics: [],
  };
}

export class DataRuns {
  runs = $state.raw<RunRecord[]>([]);
  readonly exercises: ExerciseProgress;
  readonly checks = $derived.by(() => {
    const out: Record<string, CheckResult> = {};
    for (const ex of this.meta.exercises) out[ex.id] = ex.check({ runs: this.runs, answers: this.exercises.answers });
    return out;
  });
  private store?: Store;

  constructor(readonly meta: LabMeta, private readonly onError: (kind: 'warn' | 'error', message: string) => void) {
    this.exercises = new ExerciseProgress(meta.id, () => this.checks, (m) => onError('error', m));
  }

  async init(): Promise<void> {
    try {
      this.store = await openStore();
    } catch (e) {
      this.onError('warn', `Runs cannot be saved in this browser (${(e as Error).message}); results still show.`);
      return;
    }
    await this.refresh();
    await this.exercises.load(this.store);
  }

  /** Save a finished run; resolves with its record (also when saving failed: the learner still sees it). */
  async save(r: SaveRun): Promise<RunRecord> {
    const record = dataRunRecord(this.meta.id, r);
    if (this.store) {
      await this.store.putRun(record).catch((e: Error) => this.onError('error', `The run was not saved: ${e.message}`));
      await this.refresh();
    } else {
      this.runs = [record, ...this.runs];
    }
    return record;
  }

  async remove(id: string): Promise<void> {
    await this.store?.deleteRun(id);
    await this.refresh();
  }

  async refresh(): Promise<void> {
    if (!this.store) return;
    try {
      this.runs = (await this.store.listRuns(this.meta.id)).sort((a, b) => b.createdAt - a.createdAt);
    } catch (e) {
      this.onError('error', (e as Error).message);
    }
    void this.exercises.save();
  }

  dispose(): void {
    this.store?.close();
  }
}
