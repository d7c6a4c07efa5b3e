import * as Comlink from 'comlink';
import type { BenchmarkOptions, BenchmarkResult, InferService, LoadOptions, LoadResult, RunResult } from '../../src/lib/serve/infer';
import { InferError } from '../../src/lib/serve/infer-errors';
import { asInferError } from '../../src/lib/serve/worker-errors';
import type { ServeService, SetupResult } from '../../src/lib/serve/serve-service';
import type { Fault, ServeResult, ServeSettings, ServeTick } from '../../src/lib/serve/gateway';

export type { BenchmarkOptions, BenchmarkResult, LoadOptions, LoadResult, RunResult } from '../../src/lib/serve/infer';
export { InferError } from '../../src/lib/serve/infer-errors';

/** How long a model may take to load before its worker is stopped (a hung or enormous file). */
export const LOAD_TIMEOUT_MS = 60_000;

interface Handle {
  worker: Worker;
  api: Comlink.Remote<InferService>;
  /** Rejects if the worker dies (crash, out of memory). */
  crashed: Promise<never>;
}

function spawn(name: string): Handle {
  const worker = new Worker(new URL('../../workers/infer.ts', import.meta.url), { type: 'module', name });
  const crashed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      reject(new InferError('crashed', `The inference worker crashed: ${e.message || 'unknown error'}. Load the model again to start a fresh one.`));
    });
  });
  crashed.catch(() => {});
  return { worker, api: Comlink.wrap<InferService>(worker), crashed };
}

function timeout(ms: number, what: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new InferError('timeout', `${what} took over ${ms / 1000} s; its worker was stopped.`)), ms));
}

/**
 * The page's handle on one model in the inference worker. Every load() happens in a fresh,
 * disposable worker: if the file is corrupt, uses an operator the runtime lacks, or crashes the
 * worker, that worker is terminated and the model loaded before (if any) keeps serving. Only a
 * successful load replaces the current worker.
 */
export class InferClient {
  private current?: Handle;
  private info?: LoadResult;

  constructor(private readonly name = 'prodlab-infer') {}

  /** Loads `bytes` in a fresh worker; on success it becomes the one run() uses. `bytes` is copied, not transferred. */
  async load(bytes: Uint8Array, opts: LoadOptions = {}): Promise<LoadResult> {
    const fresh = spawn(this.name);
    try {
      const info = await Promise.race([fresh.api.load(bytes, opts), fresh.crashed, timeout(LOAD_TIMEOUT_MS, 'Loading the model')]);
      this.current?.worker.terminate();
      this.current = fresh;
      this.info = info;
      return info;
    } catch (e) {
      fresh.worker.terminate();
      throw asInferError(e);
    }
  }

  /** Runs the loaded model on `input` with shape `dims`; `input` is copied, the output's buffer transferred back. */
  async run(input: Float32Array, dims: number[]): Promise<RunResult> {
    const h = this.current;
    if (!h) throw new InferError('state', 'No model is loaded: call load(bytes) first.');
    try {
      return await Promise.race([h.api.run(input, dims), h.crashed]);
    } catch (e) {
      const err = asInferError(e);
      if (err.kind === 'crashed') this.dispose();
      throw err;
    }
  }

  /** Loads `bytes` in its own disposable worker, times it there, and stops that worker: the loaded model is not disturbed. */
  async benchmark(bytes: Uint8Array, opts: LoadOptions = {}, b: BenchmarkOptions = {}): Promise<BenchmarkResult> {
    const h = spawn(`${this.name}-bench`);
    try {
      return await Promise.race([h.api.benchmark(bytes, opts, b), h.crashed]);
    } catch (e) {
      throw asInferError(e);
    } finally {
      h.worker.terminate();
    }
  }

  /** What the current model is, or undefined before a successful load. */
  loaded(): LoadResult | undefined {
    return this.info;
  }

  dispose(): void {
    this.current?.worker.terminate();
    this.current = undefined;
    this.info = undefined;
  }
}

/**
 * The page's handle on the serving worker (gateway + model worker pool). A crash rejects the call
 * in flight; the next setup() starts a fresh worker.
 */
export class ServeClient {
  private h?: Handle & { remote: Comlink.Remote<ServeService> };

  private handle() {
    if (this.h) return this.h;
    const worker = new Worker(new URL('../../workers/serve.ts', import.meta.url), { type: 'module', name: 'prodlab-serve' });
    const crashed = new Promise<never>((_, reject) => {
      worker.addEventListener('error', (e) => {
        e.preventDefault();
        this.h = undefined;
        reject(new InferError('crashed', `The serving worker crashed: ${e.message || 'unknown error'}. Start the workers again.`));
      });
    });
    crashed.catch(() => {});
    const remote = Comlink.wrap<ServeService>(worker);
    this.h = { worker, api: remote as unknown as Comlink.Remote<InferService>, crashed, remote };
    return this.h;
  }

  async setup(...args: Parameters<ServeService['setup']>): Promise<SetupResult> {
    const h = this.handle();
    return Promise.race([h.remote.setup(...args), h.crashed]).catch((e) => {
      throw asInferError(e);
    });
  }

  async run(settings: ServeSettings, fault: Fault, onTick?: (t: ServeTick) => void): Promise<ServeResult> {
    const h = this.handle();
    return Promise.race([h.remote.run(settings, fault, onTick ? Comlink.proxy(onTick) : undefined), h.crashed]).catch((e) => {
      throw asInferError(e);
    });
  }

  stop(): void {
    void this.h?.remote.stop();
  }

  dispose(): void {
    this.h?.worker.terminate();
    this.h = undefined;
  }
}
