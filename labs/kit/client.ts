/**
 * The page's handle on one engine worker, the same for every engine (tf, duck, ort, sim). Calls go
 * through comlink; if the worker dies (out of memory, a crash, terminated), the call in flight
 * rejects with a WorkerCrashedError whose message a learner can read, instead of hanging, and the
 * next call starts a fresh worker, which `onFresh` prepares (loads the dataset, reloads tables).
 */
import * as Comlink from 'comlink';
import { StoppedError } from '../../src/lib/core/task';

/** How long (ms) a Stop waits for the work to stop itself before its worker is ended. */
export const STOP_GRACE_MS = 1500;

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
  /** Calls not yet settled. */
  inFlight: number;
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
    const live: Live<Api> = { worker, api: Comlink.wrap<Api>(worker), crashed, crash, inFlight: 0 };
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
    // Reject the calls in flight first: releasing the proxy (in drop) rejects them too, in comlink's words.
    live.crash(new WorkerCrashedError(message));
    if (this.live === live) this.drop(live);
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
    live.inFlight++;
    try {
      if (live.ready) await live.ready;
      // The worker died (or was stopped) while this call waited for it: fail with that reason.
      if (this.live !== live) await live.crashed;
      return await Promise.race([f(live.api), live.crashed]);
    } finally {
      live.inFlight--;
    }
  }

  /**
   * Stop the work in flight: `interrupt` goes to the worker at once, and a call still running after
   * graceMs is ended with its worker (it rejects with StoppedError; the next call starts a fresh
   * worker). The grace lets work that checks for Stop end cleanly; the rest cannot hold the page.
   */
  stop(interrupt: (api: Comlink.Remote<Api>) => unknown, graceMs = STOP_GRACE_MS): void {
    const live = this.live;
    if (!live) return;
    this.signal(interrupt);
    setTimeout(() => {
      if (this.live !== live || live.inFlight === 0) return;
      live.crash(new StoppedError('Stopped by you: the work did not stop by itself, so its worker was ended. The next run starts a fresh one.'));
      this.drop(live);
    }, graceMs);
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
      live.crash(new WorkerCrashedError(`The ${this.opts.name} was closed with its page.`));
      this.drop(live);
    }
  }
}

/** Wrap a page callback so comlink can call it from the worker (progress, events). */
export const proxy = Comlink.proxy;

/** Hand typed-array buffers to the worker instead of copying them. */
export const transfer = Comlink.transfer;
