import { decodeParams, encodeParams, type ParamSpec } from '../../src/lib/core/url-state';
import type { BaseCandidate, BaseInfo, Progress } from '../../src/lib/compress/service';
import type { ExperimentId, ExperimentResult, ExperimentSettings } from '../../src/lib/compress/experiments';
import type { Field } from '../../src/lib/compress/experiments/fields';
import type { CheckResult, LabMeta } from '../types';
import { ExerciseProgress } from '../../src/app/progress.svelte';
import { VariantRuns } from './variants.svelte';
import { formatDuration } from '../../src/lib/core/format';

/** What a compression lab tells the shared state about its settings. */
export interface LabSettingsSpec<S> {
  defaults: S;
  /** Controls drawn by the page (eval-kit Controls). */
  fields: Field[];
  /** How settings travel in the link. */
  spec: ParamSpec<S>;
  validate: (s: S) => S;
}

export type Phase = 'starting' | 'loading-base' | 'ready' | 'running' | 'error';

/**
 * One compression lab's page state: the worker, the base model, settings (mirrored in the URL),
 * the latest result, the lab's saved variants and exercise progress.
 */
export class CompressLabState<K extends ExperimentId> extends VariantRuns {
  settings = $state() as ExperimentSettings<K>;
  settingsError = $state('');
  phase = $state<Phase>('starting');
  progress = $state<Progress>({ fraction: 0, stage: '' });
  backendNote = $state('');
  bases = $state.raw<BaseCandidate[]>([]);
  base = $state.raw<BaseInfo | null>(null);
  output = $state.raw<ExperimentResult<K> | null>(null);

  readonly exercises: ExerciseProgress;
  readonly checks = $derived.by(() => {
    const out: Record<string, CheckResult> = {};
    for (const ex of this.meta.exercises) out[ex.id] = ex.check({ runs: this.runs, answers: this.exercises.answers });
    return out;
  });

  constructor(
    readonly meta: LabMeta,
    readonly lab: K,
    readonly spec: LabSettingsSpec<ExperimentSettings<K>>,
    query: URLSearchParams,
    private readonly setQuery: (q: URLSearchParams) => void,
  ) {
    super([lab]);
    this.exercises = new ExerciseProgress(lab, () => this.checks, (m) => this.note('error', m));
    const { value, warnings } = decodeParams(query, spec.defaults, spec.spec, spec.validate);
    this.settings = value;
    for (const w of warnings) this.note('warn', `Link settings: ${w}`);
  }

  get datasetUrl(): string {
    return new URL('data/fashion-mnist-subset.parquet', document.baseURI).href;
  }

  async init(): Promise<void> {
    await this.openStorage();
    await this.refreshRuns();
    await this.exercises.load(this.store);
    await this.start();
  }

  /** Start (or restart) the worker and load the base model. */
  private async start(runId?: string): Promise<void> {
    this.phase = 'starting';
    try {
      this.progress = { fraction: 0, stage: 'loading Fashion-MNIST and starting TensorFlow.js' };
      const status = await this.client.init(this.datasetUrl);
      this.backendNote = status.decision.reason;
      if (status.storageProblem) this.note('warn', status.storageProblem);
      this.bases = await this.client.bases();
      await this.loadBase(runId, true);
    } catch (e) {
      // Ready without a base: Run starts the worker and loads the base again (a dataset that was down may be back).
      this.phase = 'ready';
      this.note('error', `${(e as Error).message} Press Run to try again.`);
    }
  }

  /** Use another base model: one of `bases` by run id, or the default (undefined). */
  async loadBase(runId?: string, starting = false): Promise<void> {
    if (!starting && this.phase !== 'ready') return;
    this.phase = 'loading-base';
    try {
      if (this.client.fresh) await this.client.init(this.datasetUrl);
      this.base = await this.client.loadBase(runId, (p) => (this.progress = p));
      if (this.base.trainedNow) {
        this.note('info', `You had no finished training run, so a default MLP was trained (${(100 * this.base.accuracy).toFixed(1)}% test accuracy) and saved in the training lab, where you can see its curves.`);
        this.bases = await this.client.bases();
      }
      this.output = null;
      this.phase = 'ready';
    } catch (e) {
      this.phase = 'ready';
      this.note('error', `The base model could not be loaded: ${(e as Error).message}`);
    }
  }

  update(patch: Partial<ExperimentSettings<K>>): void {
    const next = { ...this.settings, ...patch } as ExperimentSettings<K>;
    this.settings = next;
    try {
      this.spec.validate(next);
      this.settingsError = '';
      this.setQuery(new URLSearchParams(encodeParams(next, this.spec.spec)));
    } catch (e) {
      this.settingsError = (e as Error).message;
    }
  }

  async run(): Promise<void> {
    if (this.phase !== 'ready' || this.settingsError) return;
    const settings = $state.snapshot(this.settings) as ExperimentSettings<K>;
    this.phase = 'running';
    this.progress = { fraction: 0, stage: 'starting' };
    const t0 = performance.now();
    const before = this.runs.length;
    let stopped = false;
    try {
      if (this.client.fresh || !this.base) {
        await this.client.init(this.datasetUrl);
        if (!this.bases.length) this.bases = await this.client.bases();
        this.base = await this.client.loadBase(this.base?.runId, (p) => (this.progress = p));
      }
      this.output = await this.client.run(this.lab, settings, (p) => (this.progress = p));
      // The quantize page then times its two ONNX files in onnxruntime-web: say so, not just "Finished".
      const after = this.lab === 'quantize' ? ' The ONNX files are now being timed in onnxruntime-web (the table below fills in).' : '';
      this.note('ok', `Finished training and measuring in ${formatDuration(performance.now() - t0)}; the models are saved below.${after}`);
    } catch (e) {
      const msg = (e as Error).message;
      stopped = /Stopped by you/.test(msg);
      if (!stopped) this.note('error', msg);
    } finally {
      this.phase = 'ready';
      await this.refreshRuns();
      void this.exercises.save();
    }
    if (stopped) {
      const kept = this.runs.length - before;
      this.note('info', kept > 0 ? `Stopped. The ${kept} model${kept === 1 ? '' : 's'} finished before the stop ${kept === 1 ? 'is' : 'are'} saved.` : 'Stopped: nothing from this run was saved.');
    }
  }

  stop(): void {
    this.client.stop();
  }

  override async refreshRuns(): Promise<void> {
    await super.refreshRuns();
    void this.exercises.save();
  }
}
