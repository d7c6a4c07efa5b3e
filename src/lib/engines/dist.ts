/**
 * The distributed-training engine: the five distributed labs' runners (data parallel, ZeRO/FSDP,
 * memory and precision, the scale planner, federated learning) in one worker (workers/dist.ts), with
 * tfjs on its wasm backend and the Fashion-MNIST file loaded once. Lifecycle, as the sim engine's:
 *
 *   check() → load(task) → run(task, settings, onProgress) → interrupt()
 *
 * Runs whose runner starts ranks (data parallel, ZeRO/FSDP) get `ranks(kind)`'s launcher when the
 * worker gives one (each rank in its own Web Worker), else the in-process one (tests, Node).
 * kill(rank) ends a rank's worker mid-run: the drill for a device lost during a step.
 */
import { checkFields } from '../core/fields';
import { Interrupt, taskContext, type OnProgress } from '../core/task';
import { loadFashion, sha256Hex, type FashionData } from '../data/fashion';
import type { Launcher, TransportKind } from '../distributed/launch';
import { configureEngine, useBackend, type EngineOptions } from '../runtime/engine';
import type { Field } from '../core/fields';
import { plainError } from './wire';

export const DIST_RUNNERS = {
  'data-parallel': () => import('../runners/data-parallel'),
  'zero-fsdp': () => import('../runners/zero-fsdp'),
  'memory-precision': () => import('../runners/memory-precision'),
  'scale-planner': () => import('../runners/scale-planner'),
  federated: () => import('../runners/federated'),
};

export type DistTask = keyof typeof DIST_RUNNERS;
type RunnerOf<K extends DistTask> = Awaited<ReturnType<(typeof DIST_RUNNERS)[K]>>;
export type DistSettings<K extends DistTask> = Parameters<RunnerOf<K>['run']>[1];
export type DistResult<K extends DistTask> = Awaited<ReturnType<RunnerOf<K>['run']>>;
export const DIST_TASKS = Object.keys(DIST_RUNNERS) as DistTask[];

interface AnyRunner {
  run: (ctx: never, settings: never, deps: never) => Promise<unknown>;
  FIELDS?: Field[];
  validate?: (s: never) => void;
}

export interface DistCheck {
  engine: 'dist';
  tasks: DistTask[];
  /** SharedArrayBuffer usable here (the page is cross-origin isolated). */
  isolated: boolean;
  /** Ranks run in Web Workers of their own (else in this thread). */
  rankWorkers: boolean;
}

export interface DistEngineApi {
  check(): Promise<DistCheck>;
  /** Where the Fashion-MNIST Parquet file is (the page knows its base URL); loaded on first need. */
  setDataset(url: string): Promise<void>;
  load(task: DistTask): Promise<void>;
  run<K extends DistTask>(task: K, settings: DistSettings<K>, onProgress?: OnProgress, opts?: DistRunOptions): Promise<DistResult<K>>;
  interrupt(): void;
  /** Updates done in the last checkpoint a failed run with these settings left (0: none). */
  checkpoint<K extends DistTask>(task: K, settings: DistSettings<K>): Promise<number>;
  /** End rank `rank`'s worker during a run (true when there was one to end). */
  kill(rank: number): Promise<boolean>;
}

export interface DistRunOptions {
  /** Continue from the last checkpoint of a failed run with the same settings (data parallel). */
  resume?: boolean;
}

export interface DistEngineOptions {
  engine?: EngineOptions;
  /** A launcher that puts each rank in its own worker, for a transport; absent: ranks in this thread. */
  ranks?: (kind: TransportKind) => Launcher;
  /** End a rank's worker (see RankPool.kill). */
  kill?: (rank: number) => boolean;
}

export class DistEngine implements DistEngineApi {
  private readonly stop = new Interrupt();
  private datasetUrl?: string;
  private data?: Promise<{ data: FashionData; bytes: Uint8Array; hash: string }>;
  /** The latest checkpoint of each run (by task and settings) that has not finished. */
  private readonly checkpoints = new Map<string, { update: number }>();

  constructor(private readonly opts: DistEngineOptions = {}) {
    configureEngine(opts.engine ?? {});
  }

  async check(): Promise<DistCheck> {
    return { engine: 'dist', tasks: [...DIST_TASKS], isolated: globalThis.crossOriginIsolated === true, rankWorkers: !!this.opts.ranks };
  }

  async setDataset(url: string): Promise<void> {
    if (url !== this.datasetUrl) this.data = undefined;
    this.datasetUrl = url;
  }

  /** The data set's bytes once loaded (what rank workers get), else undefined. */
  datasetBytes?: Uint8Array;

  private loadData() {
    const url = this.datasetUrl;
    if (!url) throw new Error('The engine was not told where the data set is (setDataset).');
    this.data ??= (async () => {
      let res: Response;
      try {
        res = await fetch(url);
      } catch (e) {
        throw new Error(`Could not download the dataset (${url}): ${(e as Error).message}`);
      }
      if (!res.ok) throw new Error(`Could not download the dataset (${url}): HTTP ${res.status}.`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const [data, hash] = await Promise.all([loadFashion(bytes), sha256Hex(bytes)]);
      this.datasetBytes = bytes;
      return { data, bytes, hash };
    })();
    this.data.catch(() => (this.data = undefined));
    return this.data;
  }

  async load(task: DistTask): Promise<void> {
    if (!Object.hasOwn(DIST_RUNNERS, task)) throw new Error(`The distributed engine has no task '${String(task)}'.`);
    await DIST_RUNNERS[task]();
    if (task !== 'scale-planner') await Promise.all([useBackend('wasm'), this.loadData()]);
  }

  async run<K extends DistTask>(task: K, settings: DistSettings<K>, onProgress?: OnProgress, opts: DistRunOptions = {}): Promise<DistResult<K>> {
    const key = `${task}:${JSON.stringify(settings)}`;
    try {
      await this.load(task);
      const runner = (await DIST_RUNNERS[task]()) as unknown as AnyRunner;
      if (runner.FIELDS) checkFields(runner.FIELDS, settings as object);
      runner.validate?.(settings as never);
      this.stop.reset();
      const ctx = taskContext(this.stop, onProgress);
      const s = settings as { transport?: TransportKind };
      const deps: Record<string, unknown> = {};
      if (task !== 'scale-planner') {
        const d = await this.loadData();
        deps.data = d.data;
        deps.dataHash = d.hash;
      }
      if (s.transport && this.opts.ranks) {
        deps.launch = this.opts.ranks(s.transport);
        deps.launchKind = 'workers';
      }
      if (task === 'data-parallel') {
        deps.onCheckpoint = (c: { update: number }) => this.checkpoints.set(key, c);
        if (opts.resume) {
          const c = this.checkpoints.get(key);
          if (!c) throw new Error('There is no checkpoint of a run with these settings to resume from: run it from the start.');
          deps.resume = c;
        }
      }
      const result = await runner.run(ctx as never, settings as never, deps as never);
      this.checkpoints.delete(key);
      onProgress?.({ fraction: 1, stage: 'done', etaMs: 0 });
      return result as DistResult<K>;
    } catch (e) {
      throw plainError(e);
    }
  }

  interrupt(): void {
    this.stop.interrupt();
  }

  async checkpoint<K extends DistTask>(task: K, settings: DistSettings<K>): Promise<number> {
    return this.checkpoints.get(`${task}:${JSON.stringify(settings)}`)?.update ?? 0;
  }

  async kill(rank: number): Promise<boolean> {
    return this.opts.kill?.(rank) ?? false;
  }
}
