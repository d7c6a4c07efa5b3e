import * as Comlink from 'comlink';
import { decodeParams, encodeParams } from '../../src/lib/core/url-state';
import { newRunId, openStore, type Store } from '../../src/lib/store';
import type { RunRecord } from '../../src/lib/store/types';
import type { SimKind, SimProgress, SimResult } from '../../src/lib/stats/sim-service';
import type { CheckResult, LabMeta } from '../types';
import { SimClient } from './client';
import { checkField, fieldOfMessage, paramSpec, simRuns, type Field, type Settings, type SimRun } from './fields';
import { ExerciseProgress } from '../../src/app/progress.svelte';
import { withMessage, type Message } from '../../src/app/messages';

/** Everything a simulation lab page differs by; the rest (running, saving, checking) is shared. */
export interface SimLabDef<K extends SimKind, D> {
  meta: LabMeta;
  kind: K;
  fields: Field[];
  defaults: Settings;
  /** The library's own check of the settings (cross-field rules); throws with a message naming the field. */
  validate: (s: Settings) => void;
  /** The few numbers of a result that are saved with the run and read by exercises and the summary. */
  digest: (result: SimResult<K>, settings: Settings) => D;
  summarize: (runs: SimRun<Settings, D>[]) => string[];
}

export type Phase = 'starting' | 'ready' | 'running' | 'stopping';
export type { Message };

/** State of one simulation lab: settings (mirrored in the URL), the last result, saved runs, exercise checks. */
export class SimLabState<K extends SimKind, D> {
  readonly def: SimLabDef<K, D>;
  settings = $state<Settings>({});
  errors = $state<Record<string, string>>({});
  phase = $state<Phase>('starting');
  progress = $state<SimProgress>({ done: 0, elapsedMs: 0, etaMs: 0 });
  result = $state.raw<SimResult<K> | null>(null);
  resultSettings = $state.raw<Settings | null>(null);
  lastRun = $state.raw<RunRecord | null>(null);
  runs = $state.raw<RunRecord[]>([]);
  messages = $state<Message[]>([]);

  readonly simRuns = $derived(simRuns<Settings, D>(this.runs));
  readonly summary = $derived.by(() => this.def.summarize(this.simRuns));
  /** Exercise results and written answers, saved as they change. */
  readonly exercises: ExerciseProgress;

  readonly checks = $derived.by(() => {
    const out: Record<string, CheckResult> = {};
    for (const ex of this.def.meta.exercises) out[ex.id] = ex.check({ runs: this.runs, answers: this.exercises.answers });
    return out;
  });
  readonly valid = $derived(Object.values(this.errors).every((e) => !e));

  private client?: SimClient;
  private store?: Store;
  private setQuery: (q: URLSearchParams) => void;

  constructor(def: SimLabDef<K, D>, query: URLSearchParams, setQuery: (q: URLSearchParams) => void) {
    this.def = def;
    this.setQuery = setQuery;
    this.exercises = new ExerciseProgress(def.meta.id, () => this.checks, (m) => this.note('error', m));
    const { value, warnings } = decodeParams(query, def.defaults, paramSpec(def.fields));
    this.settings = value;
    for (const w of warnings) this.note('warn', `Link settings: ${w}`);
    this.validateAll();
  }

  note(kind: Message['kind'], text: string): void {
    this.messages = withMessage(this.messages, kind, text);
  }

  async init(): Promise<void> {
    try {
      this.store = await openStore();
      await this.refreshRuns();
      await this.exercises.load(this.store);
    } catch (e) {
      this.note('error', `Runs cannot be saved in this browser: ${(e as Error).message}`);
    }
    this.client = new SimClient();
    this.phase = 'ready';
  }

  /** Set one field from its control's raw text; check it and, when all is well, mirror the settings in the URL. */
  update(key: string, raw: string): void {
    const f = this.def.fields.find((x) => x.key === key);
    if (!f) return;
    this.settings = { ...this.settings, [key]: f.text ? raw : raw.trim() === '' ? Number.NaN : Number(raw) };
    if (this.validateAll()) this.setQuery(new URLSearchParams(encodeParams(this.settings, paramSpec(this.def.fields))));
  }

  private validateAll(): boolean {
    const errors: Record<string, string> = {};
    for (const f of this.def.fields) {
      const m = checkField(f, this.settings[f.key]);
      if (m) errors[f.key] = m;
    }
    if (Object.keys(errors).length === 0) {
      try {
        this.def.validate($state.snapshot(this.settings) as Settings);
      } catch (e) {
        const msg = (e as Error).message;
        errors[fieldOfMessage(this.def.fields, msg) ?? this.def.fields[0].key] = msg.charAt(0).toUpperCase() + msg.slice(1) + '.';
      }
    }
    this.errors = errors;
    return Object.keys(errors).length === 0;
  }

  async run(name?: string): Promise<void> {
    if (this.phase !== 'ready' || !this.client || !this.validateAll()) return;
    const settings = $state.snapshot(this.settings) as Settings;
    this.phase = 'running';
    this.progress = { done: 0, elapsedMs: 0, etaMs: 0 };
    const t0 = performance.now();
    try {
      // comlink's Remote drops the generic link between kind and settings; the def ties them.
      type Run = (kind: K, s: Settings, onProgress: (p: SimProgress) => void) => Promise<SimResult<K>>;
      const result = await this.client.call((api) => (api.run as unknown as Run)(this.def.kind, settings, Comlink.proxy((p: SimProgress) => (this.progress = p))));
      this.result = result;
      this.resultSettings = settings;
      const durationMs = performance.now() - t0;
      const now = Date.now();
      const run: RunRecord = {
        id: newRunId(),
        lab: this.def.meta.id,
        name: name || undefined,
        params: { settings, result: this.def.digest(result, settings) as unknown },
        seed: Number(settings.seed ?? 0),
        dataHash: 'simulated',
        backend: 'sim-worker',
        appVersion: __APP_VERSION__,
        status: 'done',
        createdAt: now,
        updatedAt: now,
        durationMs,
        epochsDone: 0,
        stepsDone: 0,
        metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] },
        epochMetrics: [],
      };
      this.lastRun = run;
      await this.store?.putRun(run).catch((e: Error) => this.note('error', `The run was not saved: ${e.message}`));
      this.note('ok', `Simulation finished in ${(durationMs / 1000).toFixed(1)} s and was saved.`);
      await this.refreshRuns();
    } catch (e) {
      const err = e as Error;
      if (err.name === 'SimCancelledError') this.note('info', 'Stopped. Nothing was saved from the unfinished simulation.');
      else {
        const key = fieldOfMessage(this.def.fields, err.message);
        if (key) this.errors = { ...this.errors, [key]: err.message };
        this.note('error', err.message);
        if (/crashed/.test(err.message)) {
          this.client?.dispose();
          this.client = new SimClient();
        }
      }
    }
    this.phase = 'ready';
  }

  stop(): void {
    if (this.phase !== 'running') return;
    this.phase = 'stopping';
    void this.client?.api.interrupt();
  }

  async refreshRuns(): Promise<void> {
    if (!this.store) return;
    this.runs = await this.store.listRuns(this.def.meta.id);
    await this.exercises.save();
  }

  async deleteRun(id: string): Promise<void> {
    await this.store?.deleteRun(id);
    await this.refreshRuns();
  }

  dispose(): void {
    this.client?.dispose();
    this.store?.close();
  }
}
