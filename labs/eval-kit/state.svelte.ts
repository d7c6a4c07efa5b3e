import { newRunId, openStore, type Store } from '../../src/lib/store';
import type { RunRecord } from '../../src/lib/store/types';
import { decodeParams, encodeParams } from '../../src/lib/core/url-state';
import { isFailure, type EvalOutput } from '../../src/lib/eval/service';
import { DEFAULT_SETTINGS, paramSpec, validateSettings, type EvalLabId, type EvalSettings } from '../../src/lib/eval/experiments/settings';
import type { CheckResult, LabMeta } from '../types';
import { EvalClient } from './client';
import { ExerciseProgress } from '../../src/app/progress.svelte';
import { withMessage, type Message } from '../../src/app/messages';

export type { Message };

/** One evaluation lab's page state: settings (mirrored in the URL), the current result, saved runs, exercise progress. */
export class EvalLabState<K extends EvalLabId> {
  settings = $state() as EvalSettings[K];
  settingsError = $state('');
  phase = $state<'ready' | 'running'>('ready');
  progress = $state({ fraction: 0, stage: '' });
  output = $state.raw<EvalOutput<K> | null>(null);
  /** The run the charts show. */
  shown = $state.raw<RunRecord | null>(null);
  runs = $state.raw<RunRecord[]>([]);
  messages = $state<Message[]>([]);

  /** Exercise results and written answers, saved as they change. */
  readonly exercises: ExerciseProgress;

  readonly checks = $derived.by(() => {
    const out: Record<string, CheckResult> = {};
    for (const ex of this.meta.exercises) out[ex.id] = ex.check({ runs: this.runs, answers: this.exercises.answers });
    return out;
  });

  private client = new EvalClient();
  private store?: Store;

  constructor(
    readonly meta: LabMeta,
    readonly lab: K,
    query: URLSearchParams,
    private readonly setQuery: (q: URLSearchParams) => void,
  ) {
    this.exercises = new ExerciseProgress(lab, () => this.checks, (m) => this.note('error', m));
    const { value, warnings } = decodeParams(query, DEFAULT_SETTINGS[lab], paramSpec(lab), (v) => validateSettings(lab, v));
    this.settings = value;
    for (const w of warnings) this.note('warn', `Link settings: ${w}`);
  }

  note(kind: Message['kind'], text: string): void {
    this.messages = withMessage(this.messages, kind, text);
  }

  async init(): Promise<void> {
    try {
      this.store = await openStore();
    } catch (e) {
      this.note('warn', `Runs cannot be saved in this browser (${(e as Error).message}); results still show.`);
    }
    await this.refreshRuns();
    if (!this.store) return;
    try {
      await this.exercises.load(this.store);
    } catch (e) {
      this.note('error', (e as Error).message);
    }
  }

  /** Apply a settings change: validate it and mirror it in the URL. */
  update(patch: Partial<EvalSettings[K]>): void {
    const next = { ...this.settings, ...patch };
    this.settings = next;
    try {
      validateSettings(this.lab, next);
      this.settingsError = '';
      this.setQuery(new URLSearchParams(encodeParams(next, paramSpec(this.lab))));
    } catch (e) {
      this.settingsError = (e as Error).message;
    }
  }

  /** Compute with the current settings; save a run record unless `save` is false (re-showing an old run). */
  async run(name?: string, save = true): Promise<void> {
    if (this.phase === 'running' || this.settingsError) return;
    const settings = $state.snapshot(this.settings) as EvalSettings[K];
    const runId = newRunId();
    this.phase = 'running';
    this.progress = { fraction: 0, stage: 'starting the evaluation worker' };
    try {
      const out = await this.client.run(this.lab, settings, runId, (p) => (this.progress = p));
      if (isFailure(out)) {
        this.note('error', `The run failed: ${out.error.message}`);
        return;
      }
      this.output = out as EvalOutput<K>;
      const now = Date.now();
      const record: RunRecord = {
        id: runId, lab: this.lab, name, params: { ...settings, result: out.summary }, seed: settings.seed, dataHash: out.dataHash,
        backend: 'js-worker', appVersion: __APP_VERSION__, status: 'done', createdAt: now, updatedAt: now, durationMs: out.durationMs,
        epochsDone: 0, stepsDone: 0, metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochMetrics: [],
      };
      this.shown = record;
      if (save) {
        await this.store?.putRun(record).catch((e: Error) => this.note('error', `The run was not saved: ${e.message}`));
        await this.refreshRuns();
      }
      this.note('ok', `Finished in ${(out.durationMs / 1000).toFixed(2)} s${save ? ' and saved' : ''}.`);
    } catch (e) {
      this.note('error', (e as Error).message);
    } finally {
      this.phase = 'ready';
    }
  }

  /** Redraw an old run's charts: same settings and seed give the same numbers. */
  async show(r: RunRecord): Promise<void> {
    const { result: _result, ...settings } = r.params as Record<string, unknown>;
    this.update(settings as Partial<EvalSettings[K]>);
    await this.run(r.name, false);
    this.shown = r;
  }

  async deleteRun(id: string): Promise<void> {
    await this.store?.deleteRun(id);
    await this.refreshRuns();
  }

  async refreshRuns(): Promise<void> {
    if (!this.store) return;
    try {
      this.runs = (await this.store.listRuns(this.lab)).sort((a, b) => b.createdAt - a.createdAt);
    } catch (e) {
      this.note('error', (e as Error).message);
    }
    void this.exercises.save();
  }

  dispose(): void {
    this.client.dispose();
    this.store?.close();
  }
}
