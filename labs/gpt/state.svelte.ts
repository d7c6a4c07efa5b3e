/**
 * The gpt lab's state: settings → the lm service of the TensorFlow.js engine → a live loss curve while
 * it trains → the result on screen → a saved record of the settings and the digest's numbers. "Show"
 * recomputes a saved run from its settings (same seed, same backend: the same run), without saving it twice.
 */
import type { RunRecord } from '../../src/lib/store/types';
import { newRunId } from '../../src/lib/store';
import { defaults, digest, fields, validate, type GptResult, type GptSettings, type LossPoint } from '../../src/lib/runners/gpt';
import { LabState, oneShotRecord } from '../kit/state.svelte';
import { openTf, stopTf, type TfClient } from '../kit/tf-client';
import { proxy } from '../kit/client';
import type { LabRun } from '../kit/runs';
import { meta } from './lab';

export class GptLab extends LabState<GptSettings> {
  result = $state.raw<GptResult | null>(null);
  resultSettings = $state.raw<GptSettings | null>(null);
  /** The loss curve of the run in progress (and of the last run until the next starts). */
  live = $state.raw<LossPoint[]>([]);
  readonly tf: TfClient = openTf('language-model engine', { service: 'lm' });

  constructor(query: URLSearchParams, setQuery: (q: URLSearchParams) => void) {
    super({ meta, fields, defaults, validate }, query, setQuery);
  }

  protected override async start(): Promise<void> {
    await this.tf.call((api) => api.load('lm'));
  }

  async run(name?: string): Promise<RunRecord | undefined> {
    return this.compute(this.plainSettings(), { name, save: true });
  }

  async show(run: LabRun<GptSettings, unknown>): Promise<void> {
    this.update(run.settings);
    await this.compute(this.plainSettings(), { id: run.id, save: false });
    if (this.resultSettings) this.shown = run.record;
  }

  private async compute(settings: GptSettings, o: { name?: string; id?: string; save: boolean }): Promise<RunRecord | undefined> {
    const id = o.id ?? newRunId();
    let points: LossPoint[] = [];
    let last = 0;
    const onPoint = (p: LossPoint) => {
      points = [...points, p];
      const now = performance.now();
      // Redraw at most ~10 times a second, and at every validation point.
      if (p.val !== undefined || now - last > 100) { this.live = points; last = now; }
    };
    this.live = [];
    const result = await this.task('starting the language-model engine', (onProgress) =>
      this.tf.call((api) => api.lm.run('gpt', settings, proxy(onProgress), proxy(onPoint))));
    if (result === undefined) return undefined;
    this.live = result.curve;
    this.result = result;
    this.resultSettings = settings;
    const run = { id, name: o.name, settings, result: digest(result), dataHash: result.dataHash, backend: `tf-worker (${result.backend})` };
    if (!o.save) {
      this.shown = oneShotRecord({ ...run, lab: meta.id, params: { ...settings, result: run.result }, seed: settings.seed, durationMs: this.lastDurationMs });
      this.finished();
      return this.shown;
    }
    const { record, saved } = await this.saveResult(run);
    this.finished(saved ? ' and saved' : '');
    return record;
  }

  protected override onStop(): void {
    stopTf(this.tf);
  }

  override dispose(): void {
    this.tf.dispose();
    super.dispose();
  }
}
