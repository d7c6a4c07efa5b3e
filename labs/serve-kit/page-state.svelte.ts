/**
 * What the ONNX and serving pages share (their runs are made on the page from the inference
 * workers' results, not by a runner): messages, the lab's saved runs, exercise progress, and saving
 * a finished run.
 */
import { newRunId, openStore, type Store } from '../../src/lib/store';
import type { RunRecord } from '../../src/lib/store/types';
import { ExerciseProgress } from '../../src/app/progress.svelte';
import { withMessage, type Message } from '../../src/app/messages';
import type { CheckResult, LabMeta } from '../types';

/** What a saved run records beyond the lab, the times and the empty training fields. */
export type RunFields = Pick<RunRecord, 'params' | 'seed' | 'dataHash' | 'backend' | 'durationMs'> & Partial<Pick<RunRecord, 'name' | 'status'>>;

export abstract class ServePageState {
  messages = $state<Message[]>([]);
  runs = $state.raw<RunRecord[]>([]);
  readonly exercises: ExerciseProgress;
  readonly checks = $derived.by(() => {
    const out: Record<string, CheckResult> = {};
    for (const ex of this.meta.exercises) out[ex.id] = ex.check({ runs: this.runs, answers: this.exercises.answers });
    return out;
  });
  protected store?: Store;

  constructor(protected readonly meta: LabMeta) {
    this.exercises = new ExerciseProgress(meta.id, () => this.checks, (m) => this.note('error', m));
  }

  get exercisesMeta() {
    return this.meta.exercises;
  }

  note(kind: Message['kind'], text: string): void {
    this.messages = withMessage(this.messages, kind, text);
  }

  /** Open storage, then read the lab's runs and exercise progress; without storage the page says so and works on. */
  protected async openRuns(): Promise<void> {
    try {
      this.store = await openStore();
      await this.refreshRuns();
      await this.exercises.load(this.store);
    } catch (e) {
      this.note('error', `Runs cannot be saved in this browser: ${(e as Error).message}`);
    }
  }

  /** The stored runs the page lists (a lab may leave some out). */
  protected listed(runs: RunRecord[]): RunRecord[] {
    return runs;
  }

  protected async refreshRuns(): Promise<void> {
    if (this.store) this.runs = this.listed(await this.store.listRuns(this.meta.id));
  }

  /** Save a finished run (a failed save is a message) and list it. */
  protected async saveRun(fields: RunFields): Promise<void> {
    const now = Date.now();
    const run: RunRecord = {
      id: newRunId(), lab: this.meta.id, appVersion: __APP_VERSION__, status: 'done', createdAt: now, updatedAt: now, epochsDone: 0, stepsDone: 0,
      metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochMetrics: [], ...fields,
    };
    await this.store?.putRun(run).catch((e: Error) => this.note('error', `Not saved: ${e.message}`));
    await this.refreshRuns();
  }
}
