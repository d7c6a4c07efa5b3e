/**
 * The page's handle on one engine worker, the same for every engine (tf, duck, ort, sim). Calls go
 * through comlink; if the worker dies (out of memory, a crash, terminated), the call in flight
 * rejects with a WorkerCrashedError whose message a learner can read, instead of hanging, and the
 * next call starts a fresh worker, which `onFresh` prepares (loads the dataset, reloads tables).
 */
import * as Comlink from 'comlink';

export interface EngineClientOptions<Api> {
  /**
   * Start the worker. Write `new Worker(new URL('../../workers/x.ts', import.meta.url), { type: 'module' })`
   * at the call site: Vite bundles a worker only where it sees that expression.
   */
  spawn: () => Worker;
  /** What the learner calls this worker, e.g. "training engine" ("The training engine crashed: …"). */
  name: string;
  /** Prepare a fresh worker before its first call (load the dataset, reload tables). A failure here fails that call. */
  onFresh?: (api: Comlink.Remote<Api>) => Promise<unknown>;
  /** Told once per crash, with the message the call in flight rejects with. */
  onCrash?: (message: string) => void;
}

export class WorkerCrashedError extends Error {
  override name = 'WorkerCrashedError';
}

interface Live<Api> {
  worker: Worker;
  api: Comlink.Remote<Api>;
  crashed: Promise<never>;
  crash: (e: Error) => void;
  ready?: Promise<unknown>;
}

export class EngineClient<Api> {
  private live?: Live<Api>;
  private disposed = false;

  constructor(private readonly opts: EngineClientOptions<Api>) {}

  /** True when no worker is running: the next call starts (and prepares) a fresh one. */
  get fresh(): boolean {
    return !this.live;
  }

  private start(): Live<Api> {
    if (this.live) return this.live;
    if (this.disposed) throw new Error(`The ${this.opts.name} was closed with its page.`);
    const worker = this.opts.spawn();
    let crash!: (e: Error) => void;
    const crashed = new Promise<never>((_, reject) => (crash = reject));
    crashed.catch(() => {});
    const live: Live<Api> = { worker, api: Comlink.wrap<Api>(worker), crashed, crash };
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      this.fail(live, `The ${this.opts.name} crashed (${e.message || 'no message'}). Run again to start a fresh one; your saved runs are untouched.`);
    });
    worker.addEventListener('messageerror', () => this.fail(live, `The ${this.opts.name} sent a message the page could not read. Run again to start a fresh one.`));
    this.live = live;
    if (this.opts.onFresh) {
      live.ready = Promise.race([this.opts.onFresh(live.api), crashed]);
      // A worker that could not be prepared is of no use: the next call starts afresh.
      live.ready.catch(() => {
        if (this.live === live) this.drop(live);
      });
    }
    return live;
  }

  private fail(live: Live<Api>, message: string): void {
    if (this.live === live) this.drop(live);
    live.crash(new WorkerCrashedError(message));
    this.opts.onCrash?.(message);
  }

  private drop(live: Live<Api>): void {
    live.worker.terminate();
    live.api[Comlink.releaseProxy]?.();
    this.live = undefined;
  }

  /** Call the worker (a fresh one if the last died), after it was prepared; rejects at once if it dies meanwhile. */
  async call<T>(f: (api: Comlink.Remote<Api>) => Promise<T>): Promise<T> {
    const live = this.start();
    if (live.ready) await live.ready;
    return Promise.race([f(live.api), live.crashed]);
  }

  /** Send without waiting, to a running worker only (Stop, Pause): a dead or absent worker has nothing to stop. */
  signal(f: (api: Comlink.Remote<Api>) => unknown): void {
    if (!this.live) return;
    try {
      const r = f(this.live.api) as Promise<unknown> | undefined;
      r?.catch?.(() => {});
    } catch {
      /* the worker is going away; nothing to signal */
    }
  }

  /** The failure drill and the tests: end the worker as the browser would under memory pressure. */
  kill(): void {
    if (this.live) this.fail(this.live, `The ${this.opts.name} was ended. The next run starts a fresh one; your saved runs are untouched.`);
  }

  dispose(): void {
    this.disposed = true;
    if (this.live) {
      const live = this.live;
      this.drop(live);
      live.crash(new WorkerCrashedError(`The ${this.opts.name} was closed with its page.`));
    }
  }
}

/** Wrap a page callback so comlink can call it from the worker (progress, events). */
export const proxy = Comlink.proxy;

/** Hand typed-array buffers to the worker instead of copying them. */
export const transfer = Comlink.transfer;
