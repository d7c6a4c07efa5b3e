/**
 * What every lab page's state shares: settings checked against the lab's field table and mirrored
 * in the link, status messages, the lab's saved runs, exercise progress, and one way to run a piece
 * of work (phase, progress, Stop, errors told in words). A lab extends LabState with its engine
 * client, its result and its own actions.
 */
import { newRunId, type Store } from '../../src/lib/store';
import { LabStorage } from './storage.svelte';
import type { RunRecord } from '../../src/lib/store/types';
import type { Summary } from './runs';
import { decodeSettings, fieldErrors, fieldOfMessage, fieldSpec, type Field } from '../../src/lib/core/fields';
import { encodeParams } from '../../src/lib/core/url-state';
import { isStopped, type Progress } from '../../src/lib/core/task';
import { formatDuration } from '../../src/lib/core/format';
import type { CheckResult, LabMeta } from '../types';
import { ExerciseProgress } from '../../src/app/progress.svelte';
import { withMessage, type Message, type MessageKind } from '../../src/app/messages';

export type { Message };

/** 'starting' until the engine and storage are up; 'stopping' between Stop and the run's end. */
export type Phase = 'starting' | 'ready' | 'running' | 'stopping' | 'error';

export interface LabConfig<S extends object> {
  meta: LabMeta;
  /** The lab's settings as a field table: controls, link and checks all read it. */
  fields: Field[];
  defaults: S;
  /** Cross-field rules beyond each field's bounds; throw SettingsError (or an Error naming a field). */
  validate?: (s: S) => void;
  /** Labs whose saved runs this page lists and its exercises read (default: its own id). */
  runLabs?: string[];
}

/** A one-shot run as a lab state keeps it: its settings, the few result numbers, where it ran. */
export interface ResultRun { name?: string; settings: object; result: Summary; dataHash: string; backend: string; durationMs?: number; id?: string; seed?: number }

/** A finished one-shot run (a simulation, an evaluation, a query) as a store record. */
export function oneShotRecord(o: { lab: string; name?: string; params: Record<string, unknown>; seed: number; dataHash: string; backend: string; durationMs: number; id?: string }): RunRecord {
  const now = Date.now();
  return {
    id: o.id ?? newRunId(), lab: o.lab, ...(o.name ? { name: o.name } : {}), params: o.params, seed: o.seed, dataHash: o.dataHash, backend: o.backend,
    appVersion: __APP_VERSION__, status: 'done', createdAt: now, updatedAt: now, durationMs: o.durationMs, epochsDone: 0, stepsDone: 0,
    metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochMetrics: [],
  };
}

/** A library message as a sentence: capital first letter, a full stop at the end. */
export function sentence(message: string): string {
  const m = message.trim();
  return m.charAt(0).toUpperCase() + m.slice(1) + (/[.!?]$/.test(m) ? '' : '.');
}

export class LabState<S extends object> {
  settings = $state() as S;
  /** Per-field messages ('' fields left out); a run waits until there are none. */
  errors = $state<Record<string, string>>({});
  phase = $state<Phase>('starting');
  progress = $state<Progress>({ fraction: 0, stage: '' });
  messages = $state<Message[]>([]);
  runs = $state.raw<RunRecord[]>([]);
  /** The saved run whose result is on screen (its id, seed and data hash head the results). */
  shown = $state.raw<RunRecord | null>(null);

  readonly valid = $derived(Object.keys(this.errors).length === 0);
  /** The first settings problem, for a one-line alert. */
  readonly settingsError = $derived(Object.values(this.errors)[0] ?? '');
  readonly exercises: ExerciseProgress;
  readonly checks = $derived.by(() => {
    const out: Record<string, CheckResult> = {};
    for (const ex of this.meta.exercises) out[ex.id] = ex.check({ runs: this.runs, answers: this.exercises.answers });
    return out;
  });

  readonly meta: LabMeta;
  readonly fields: Field[];
  /** The store runs are saved in (IndexedDB, or memory once the browser took storage away); other tabs' changes refresh the runs. */
  readonly storage = new LabStorage({
    changed: () => {
      this.exercises.useStore(this.storage.store);
      void this.refreshRuns();
    },
  });
  protected get store(): Store | undefined {
    return this.storage.store;
  }
  private readonly validateExtra?: (s: S) => void;
  private readonly runLabs: string[];

  constructor(config: LabConfig<S>, query: URLSearchParams, private readonly setQuery: (q: URLSearchParams) => void) {
    this.meta = config.meta;
    this.fields = config.fields;
    this.validateExtra = config.validate;
    this.runLabs = config.runLabs ?? [config.meta.id];
    this.exercises = new ExerciseProgress(config.meta.id, () => this.checks, (m) => this.note('error', m));
    const { value, warnings } = decodeSettings(query, config.defaults, config.fields, config.validate);
    this.settings = value;
    for (const w of warnings) this.note('warn', `Link settings: ${w}`);
    this.check(value);
  }

  note(kind: MessageKind, text: string): void {
    this.messages = withMessage(this.messages, kind, text);
  }

  /** Open storage and read the saved runs and exercise progress, then start the lab's engine (start()). */
  async init(): Promise<void> {
    try {
      await this.storage.start();
    } catch (e) {
      this.note('warn', `Runs cannot be saved in this browser (${(e as Error).message}); results still show.`);
    }
    await this.refreshRuns();
    if (this.store) await this.exercises.load(this.store);
    try {
      await this.start();
      if (this.phase === 'starting') this.phase = 'ready';
    } catch (e) {
      this.phase = 'error';
      this.note('error', (e as Error).message);
    }
  }

  /** Start the lab's engine, load its data: a lab overrides this; the base has nothing to start. */
  protected async start(): Promise<void> {}

  /** A form edit: keep the value, check every field, and write valid settings to the link. */
  update(patch: Partial<S>): void {
    const next = { ...this.settings, ...patch };
    this.settings = next;
    if (this.check(next)) this.setQuery(new URLSearchParams(encodeParams(next, fieldSpec<S>(this.fields))));
  }

  private check(value: S): boolean {
    const errors = fieldErrors(this.fields, value);
    if (Object.keys(errors).length === 0 && this.validateExtra) {
      try {
        this.validateExtra(value);
      } catch (e) {
        const err = e as Error & { field?: string };
        errors[err.field ?? fieldOfMessage(this.fields, err.message) ?? this.fields[0]?.key ?? 'settings'] = sentence(err.message);
      }
    }
    this.errors = errors;
    return Object.keys(errors).length === 0;
  }

  /** A snapshot of the settings, plain and safe to send to a worker. */
  protected plainSettings(): S {
    return $state.snapshot(this.settings) as S;
  }

  /**
   * Run one piece of work: phase 'running' with fresh progress, Stop honoured (a StoppedError is
   * told as information, not as a failure), any other error told in words; runs and exercises
   * refreshed afterwards. Returns the work's value, or undefined when it stopped or failed.
   */
  protected async task<T>(stage: string, work: (onProgress: (p: Progress) => void) => Promise<T>, opts: { stoppedNote?: string } = {}): Promise<T | undefined> {
    if (this.phase !== 'ready' || !this.valid) return undefined;
    this.phase = 'running';
    this.progress = { fraction: 0, stage };
    const t0 = performance.now();
    try {
      const out = await work((p) => (this.progress = p));
      this.lastDurationMs = performance.now() - t0;
      return out;
    } catch (e) {
      const err = e as Error;
      if (isStopped(e)) this.note('info', opts.stoppedNote ?? 'Stopped. Nothing from the unfinished run was saved.');
      else {
        this.note('error', err.message);
        // A setting the engine refused (a rule the page did not know): mark it at its control.
        const key = err.name === 'SettingsError' || err.name === 'RangeError' ? fieldOfMessage(this.fields, err.message) : undefined;
        if (key) this.errors = { ...this.errors, [key]: sentence(err.message) };
      }
      return undefined;
    } finally {
      this.phase = 'ready';
      await this.refreshRuns();
    }
  }

  /** Wall time of the last task that finished, for "Finished in 3.2 s". */
  lastDurationMs = 0;

  protected finished(extra = ''): void {
    this.note('ok', `Finished in ${formatDuration(this.lastDurationMs)}${extra}.`);
  }

  /** Ask the running work to stop; a lab forwards it to its engine (onStop). */
  stop(): void {
    if (this.phase !== 'running') return;
    this.phase = 'stopping';
    this.onStop();
  }

  protected onStop(): void {}

  /**
   * Save a finished one-shot run: its settings plus `result`, the few numbers the run table,
   * exercises and summary read (labRuns reads them back). The record becomes the shown run (unless
   * `show` is false) and is returned also when the write failed (the result stays on screen; the
   * failure is told).
   */
  protected async saveResult(o: ResultRun & { show?: boolean }): Promise<{ record: RunRecord; saved: boolean }> {
    const record = this.recordOf(o);
    if (o.show !== false) this.shown = record;
    const saved = await this.saveRun(record);
    await this.refreshRuns();
    return { record, saved };
  }

  /**
   * A computed result's run, on screen: saved and listed when `save` (a new run), or shown as it is
   * (Show recomputing a saved run); then "Finished". Every engine's lab state ends its run here.
   */
  protected async keepResult(o: ResultRun, save: boolean): Promise<RunRecord> {
    if (!save) {
      this.shown = this.recordOf(o);
      this.finished();
      return this.shown;
    }
    const { record, saved } = await this.saveResult(o);
    this.finished(saved ? ' and saved' : '');
    return record;
  }

  private recordOf(o: ResultRun): RunRecord {
    const seed = o.seed ?? Number((o.settings as { seed?: unknown }).seed ?? 0);
    return oneShotRecord({
      id: o.id, lab: this.meta.id, name: o.name, params: { ...o.settings, result: o.result }, seed, dataHash: o.dataHash, backend: o.backend, durationMs: o.durationMs ?? this.lastDurationMs,
    });
  }

  /** Save a run; a failed write is told, and the result stays on screen. */
  async saveRun(run: RunRecord): Promise<boolean> {
    if (!this.store) return false;
    try {
      await this.store.putRun(run);
      return true;
    } catch (e) {
      this.note('error', `The run was not saved: ${(e as Error).message}`);
      return false;
    }
  }

  async deleteRun(id: string): Promise<void> {
    try {
      await this.store?.deleteRun(id);
    } catch (e) {
      this.note('error', `The run was not deleted: ${(e as Error).message}`);
    }
    await this.refreshRuns();
  }

  private refreshing?: Promise<void>;
  private refreshAgain = false;

  /**
   * Re-read the runs this lab lists (newest first) and record what the exercise checks now say.
   * Serialized: a call during a refresh (another tab's change, a run ending) runs once more after
   * it, so the last read always sees the last write and two reads never race to set the list.
   */
  async refreshRuns(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        do {
          this.refreshAgain = false;
          await this.readRuns();
        } while (this.refreshAgain);
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private async readRuns(): Promise<void> {
    if (!this.store) return;
    try {
      const lists = await Promise.all(this.runLabs.map((lab) => this.store!.listRuns(lab)));
      this.runs = lists.flat().sort((a, b) => b.createdAt - a.createdAt);
    } catch (e) {
      this.note('error', `Your saved runs could not be read: ${(e as Error).message}`);
    }
    await this.exercises.save();
  }

  /** Let the engines and storage go with the page. */
  dispose(): void {
    this.storage.close();
  }
}
