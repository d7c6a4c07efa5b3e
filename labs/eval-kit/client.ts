import * as Comlink from 'comlink';
import type { EvalService } from '../../src/lib/eval/service';

/**
 * The page's handle on the evaluation worker. If the worker dies (out of memory, a crash), a call
 * in flight rejects instead of hanging, and the next call starts a fresh worker.
 */
export class EvalClient {
  private worker?: Worker;
  private api?: Comlink.Remote<EvalService>;
  private crashed: Promise<never> = new Promise(() => {});

  private spawn(): Comlink.Remote<EvalService> {
    const worker = new Worker(new URL('../../workers/eval.ts', import.meta.url), { type: 'module', name: 'prodlab-eval' });
    this.crashed = new Promise<never>((_, reject) => {
      worker.addEventListener('error', (e) => {
        e.preventDefault();
        this.api = undefined;
        reject(new Error(`The evaluation worker crashed: ${e.message || 'unknown error'}. Run again to start a fresh one.`));
      });
    });
    this.crashed.catch(() => {});
    this.worker = worker;
    this.api = Comlink.wrap<EvalService>(worker);
    return this.api;
  }

  run(...args: Parameters<EvalService['run']>): ReturnType<EvalService['run']> {
    const api = this.api ?? this.spawn();
    const [lab, settings, runId, onProgress] = args;
    return Promise.race([api.run(lab, settings, runId, onProgress ? Comlink.proxy(onProgress) : undefined), this.crashed]) as ReturnType<EvalService['run']>;
  }

  dispose(): void {
    this.worker?.terminate();
    this.api = undefined;
  }
}
