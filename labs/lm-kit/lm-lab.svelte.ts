/**
 * The state of a language-model lab (gpt, speculative): settings → one task of the lm service on the
 * TensorFlow.js engine → a live loss curve while it trains → the result on screen → a saved record of
 * the settings and the digest's numbers. "Show" recomputes a saved run from its settings (same seed,
 * same backend: the same run), without saving it twice.
 */
import type { RunRecord } from '../../src/lib/store/types';
import { newRunId } from '../../src/lib/store';
import type { LmPoint, LmResult, LmSettings, LmTaskName } from '../../src/lib/engines/lm';
import { LabState, type LabConfig } from '../kit/state.svelte';
import { openTf, stopTf, type TfClient } from '../kit/tf-client';
import { proxy } from '../kit/client';
import type { LabRun, Summary } from '../kit/runs';

export interface LmLabConfig<K extends LmTaskName> extends LabConfig<LmSettings<K>> {
  task: K;
  digest: (r: LmResult<K>) => Summary;
}

export class LmLab<K extends LmTaskName> extends LabState<LmSettings<K>> {
  result = $state.raw<LmResult<K> | null>(null);
  resultSettings = $state.raw<LmSettings<K> | null>(null);
  /** The loss curve of the run in progress (and of the last run until the next starts). */
  live = $state.raw<LmPoint[]>([]);
  readonly tf: TfClient = openTf('language-model engine', { service: 'lm' });
  private readonly cfg: LmLabConfig<K>;

  constructor(config: LmLabConfig<K>, query: URLSearchParams, setQuery: (q: URLSearchParams) => void) {
    super(config, query, setQuery);
    this.cfg = config;
  }

  protected override async start(): Promise<void> {
    await this.tf.call((api) => api.load('lm'));
  }

  async run(name?: string): Promise<RunRecord | undefined> {
    return this.compute(this.plainSettings(), { name, save: true });
  }

  async show(run: LabRun<LmSettings<K>, unknown>): Promise<void> {
    this.update(run.settings);
    await this.compute(this.plainSettings(), { id: run.id, save: false });
    if (this.resultSettings) this.shown = run.record;
  }

  private async compute(settings: LmSettings<K>, o: { name?: string; id?: string; save: boolean }): Promise<RunRecord | undefined> {
    const id = o.id ?? newRunId();
    let points: LmPoint[] = [];
    let last = 0;
    const onPoint = (p: LmPoint) => {
      points = [...points, p];
      const now = performance.now();
      // Redraw at most ~10 times a second, and at every validation point.
      if (p.val !== undefined || now - last > 100) { this.live = points; last = now; }
    };
    this.live = [];
    type Run = (task: K, s: LmSettings<K>, onProgress: unknown, onPoint: unknown) => Promise<LmResult<K>>;
    const result = await this.task('starting the language-model engine', (onProgress) =>
      this.tf.call((api) => (api.lm.run as unknown as Run)(this.cfg.task, settings, proxy(onProgress), proxy(onPoint))));
    if (result === undefined) return undefined;
    this.live = points;
    this.result = result;
    this.resultSettings = settings;
    const r = result as { dataHash: string; backend: string };
    const run = { id, name: o.name, settings, result: this.cfg.digest(result), dataHash: r.dataHash, backend: `tf-worker (${r.backend})` };
    return this.keepResult({ ...run, seed: settings.seed }, o.save);
  }

  protected override onStop(): void {
    stopTf(this.tf);
  }

  override dispose(): void {
    this.tf.dispose();
    super.dispose();
  }
}
