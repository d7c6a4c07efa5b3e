/**
 * The state of a distributed-training lab page: RunnerLab's shape (settings → one run → result on
 * screen → a saved record of the settings and the runner's summary) on the distributed engine
 * (workers/dist.ts), whose data-parallel and ZeRO runs put every rank in a Web Worker of its own.
 * killRank ends one rank's worker mid-run (the lost-device drill).
 */
import * as Comlink from 'comlink';
import type { DistCheck, DistEngineApi, DistResult, DistRunOptions, DistSettings, DistTask } from '../../src/lib/engines/dist';
import type { OnProgress } from '../../src/lib/core/task';
import type { RunRecord } from '../../src/lib/store/types';
import { newRunId } from '../../src/lib/store';
import { EngineClient, STOP_GRACE_MS } from '../kit/client';
import { LabState, type LabConfig } from '../kit/state.svelte';
import type { LabRun, Summary } from '../kit/runs';

export type DistClient = EngineClient<DistEngineApi>;

/** Where the engine downloads Fashion-MNIST from: the site's own copy. */
export const datasetUrl = (): string => new URL('data/fashion-mnist-subset.parquet', document.baseURI).href;

export function openDist(): DistClient {
  return new EngineClient<DistEngineApi>({
    spawn: () => new Worker(new URL('../../workers/dist.ts', import.meta.url), { type: 'module', name: 'prodlab-dist' }),
    name: 'distributed engine',
    onFresh: (api) => api.setDataset(datasetUrl()),
  });
}

export interface DistLabConfig<K extends DistTask> extends LabConfig<DistSettings<K>> {
  task: K;
}

type WithSummary = { summary: Summary };

export class DistLab<K extends DistTask> extends LabState<DistSettings<K>> {
  result = $state.raw<DistResult<K> | null>(null);
  resultSettings = $state.raw<DistSettings<K> | null>(null);
  /** What the engine found: isolation (SharedArrayBuffer) and whether ranks get workers of their own. */
  engine = $state.raw<DistCheck | null>(null);
  /** Updates done in the checkpoint the last failed or stopped run left (0: nothing to resume). */
  resumable = $state(0);
  readonly client: DistClient;
  private readonly task_: K;

  constructor(config: DistLabConfig<K>, query: URLSearchParams, setQuery: (q: URLSearchParams) => void) {
    super(config, query, setQuery);
    this.task_ = config.task;
    this.client = openDist();
  }

  protected override async start(): Promise<void> {
    this.engine = await this.client.call((api) => api.check());
    await this.client.call((api) => api.load(this.task_));
  }

  async run(name?: string): Promise<RunRecord | undefined> {
    return this.compute(this.plainSettings(), { name, save: true });
  }

  /** Continue the failed run from its last checkpoint (the same settings), and save it when it ends. */
  async resume(name?: string): Promise<RunRecord | undefined> {
    return this.compute(this.plainSettings(), { name, save: true, resume: true });
  }

  async show(run: LabRun<DistSettings<K>, unknown>): Promise<void> {
    this.update(run.settings as Partial<DistSettings<K>>);
    await this.compute(this.plainSettings(), { id: run.id, save: false });
    if (this.resultSettings) this.shown = run.record;
  }

  /** End rank `rank`'s worker during the run in flight. */
  async killRank(rank: number): Promise<boolean> {
    return this.client.call((api) => api.kill(rank));
  }

  private async compute(settings: DistSettings<K>, o: { name?: string; id?: string; save: boolean; resume?: boolean }): Promise<RunRecord | undefined> {
    const id = o.id ?? newRunId();
    type Run = (task: K, settings: DistSettings<K>, onProgress?: OnProgress, opts?: DistRunOptions) => Promise<DistResult<K>>;
    this.resumable = 0;
    const result = await this.task(o.resume ? 'resuming from the checkpoint' : 'starting the distributed engine', (onProgress) => this.client.call((api) => (api.run as unknown as Run)(this.task_, settings, Comlink.proxy(onProgress), { resume: !!o.resume })));
    if (result === undefined) {
      type Ck = (task: K, settings: DistSettings<K>) => Promise<number>;
      this.resumable = this.client.fresh ? 0 : await this.client.call((api) => (api.checkpoint as unknown as Ck)(this.task_, settings)).catch(() => 0);
      if (this.resumable > 0) this.note('info', `A checkpoint after update ${this.resumable} was kept: Resume continues from it with the same settings.`);
      return undefined;
    }
    this.result = result;
    this.resultSettings = settings;
    const summary = (result as WithSummary).summary;
    const backend = String(summary.launchKind ?? 'dist-worker') === 'workers' ? 'rank-workers' : 'dist-worker';
    const run = { id, name: o.name, settings, result: summary, dataHash: 'fashion-mnist-subset', backend };
    return this.keepResult(run, o.save);
  }

  protected override onStop(): void {
    this.client.stop((api) => api.interrupt(), STOP_GRACE_MS);
  }

  override dispose(): void {
    this.client.dispose();
    super.dispose();
  }
}
