import * as Comlink from 'comlink';
import { openStore, newRunId, type Store } from '../../src/lib/store';
import type { RunRecord } from '../../src/lib/store/types';
import { decodeParams, encodeParams } from '../../src/lib/core/url-state';
import { DEFAULT_FIELDS, paramSpec, validateFields, type QdFields, type QdLabId } from '../../src/lib/compress/labs/settings';
import type { DistillOutput, QuantizeOutput } from '../../src/lib/compress/labs/service';
import type { CheckResult, LabMeta } from '../types';
import { ExerciseProgress } from '../../src/app/progress.svelte';
import { QdClient } from './client';
import { withMessage, type Message } from '../../src/app/messages';

export type { Message };
export interface QdOutputs { quantize: QuantizeOutput; distill: DistillOutput }

/** A quantization or distillation lab page's state: settings (in the URL), the latest result, the saved variant runs, exercises. */
export class QdLabState<K extends QdLabId> {
  fields = $state() as QdFields[K];
  settingsError = $state('');
  phase = $state<'ready' | 'running'>('ready');
  progress = $state({ fraction: 0, stage: '' });
  output = $state.raw<QdOutputs[K] | null>(null);
  runs = $state.raw<RunRecord[]>([]);
  messages = $state<Message[]>([]);
  readonly exercises: ExerciseProgress;
  readonly checks = $derived.by(() => {
    const out: Record<string, CheckResult> = {};
    for (const ex of this.meta.exercises) out[ex.id] = ex.check({ runs: this.runs, answers: this.exercises.answers });
    return out;
  });

  readonly client = new QdClient(new URL('data/fashion-mnist-subset.parquet', document.baseURI).href);
  private store?: Store;

  constructor(readonly meta: LabMeta, readonly lab: K, query: URLSearchParams, private readonly setQuery: (q: URLSearchParams) => void) {
    this.exercises = new ExerciseProgress(lab, () => this.checks, (m) => this.note('error', m));
    const { value, warnings } = decodeParams(query, DEFAULT_FIELDS[lab], paramSpec(lab), (v) => validateFields(lab, v));
    this.fields = value;
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
    if (this.store) await this.exercises.load(this.store).catch((e: Error) => this.note('error', e.message));
  }

  update(patch: Partial<QdFields[K]>): void {
    const next = { ...this.fields, ...patch };
    this.fields = next;
    try {
      validateFields(this.lab, next);
      this.settingsError = '';
      this.setQuery(new URLSearchParams(encodeParams(next, paramSpec(this.lab))));
    } catch (e) {
      this.settingsError = (e as Error).message;
    }
  }

  async run(): Promise<void> {
    if (this.phase === 'running' || this.settingsError) return;
    const fields = $state.snapshot(this.fields) as QdFields[K];
    const group = newRunId();
    this.phase = 'running';
    this.progress = { fraction: 0, stage: 'starting the compression worker and loading the images' };
    try {
      const onProgress = (p: { fraction: number; stage: string }) => (this.progress = p);
      const out = await this.client.call((api) => (this.lab === 'quantize'
        ? api.quantize(fields as QdFields['quantize'], group, Comlink.proxy(onProgress))
        : api.distill(fields as QdFields['distill'], group, Comlink.proxy(onProgress))) as Promise<QdOutputs[K]>);
      this.output = out;
      await this.refreshRuns();
      this.note('ok', `Finished in ${(out.durationMs / 1000).toFixed(1)} s on ${out.backend}; ${Object.keys(out.runIds).length} variants saved.`);
    } catch (e) {
      const msg = (e as Error).message;
      this.note(/^Stopped/.test(msg) ? 'info' : 'error', msg);
    } finally {
      this.phase = 'ready';
    }
  }

  stop(): void {
    this.client.cancel();
  }

  async deleteGroup(group: string): Promise<void> {
    for (const r of this.runs.filter((x) => x.params.group === group)) await this.store?.deleteRun(r.id);
    await this.refreshRuns();
  }

  async refreshRuns(): Promise<void> {
    if (!this.store) return;
    try {
      this.runs = (await this.store.listRuns(this.lab)).filter((r) => r.variant);
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
