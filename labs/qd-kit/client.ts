import type * as Comlink from 'comlink';
import type { CompressLabService } from '../../src/lib/compress/labs/service';
import { spawnTf, tfService } from '../kit/tf-client';

type Api = Comlink.Remote<CompressLabService>;

/**
 * The page's handle on the quantization/distillation worker. If the worker dies (out of memory, a
 * crash) a call in flight rejects with a clear message instead of hanging, and the next call
 * starts a fresh worker (which reloads the data set).
 */
export class QdClient {
  private worker?: Worker;
  private api?: Api;
  private crashed: Promise<never> = new Promise(() => {});

  constructor(private datasetUrl: string) {}

  private spawn(): Api {
    const worker = spawnTf('prodlab-quantdistill');
    this.crashed = new Promise<never>((_, reject) => {
      worker.addEventListener('error', (e) => {
        e.preventDefault();
        this.api = undefined;
        reject(new Error(`The compression worker crashed: ${e.message || 'unknown error'}. Run again to start a fresh one.`));
      });
    });
    this.crashed.catch(() => {});
    this.worker = worker;
    this.api = tfService(worker, 'quantdistill');
    return this.api;
  }

  /** Call the worker, loading the data set first in a fresh one. */
  async call<T>(f: (api: Api) => Promise<T>): Promise<T> {
    const fresh = !this.api;
    const api = this.api ?? this.spawn();
    if (fresh) {
      try {
        await Promise.race([api.load(this.datasetUrl), this.crashed]);
      } catch (e) {
        // A worker without its data set is of no use: the next call starts afresh.
        this.dispose();
        throw e;
      }
    }
    return Promise.race([f(api), this.crashed]);
  }

  cancel(): void {
    void this.api?.cancel();
  }

  /** For tests of a killed worker: end it as a crash would. */
  kill(): void {
    this.worker?.terminate();
    this.worker?.dispatchEvent(new ErrorEvent('error', { message: 'worker terminated' }));
  }

  dispose(): void {
    this.worker?.terminate();
    this.api = undefined;
  }
}
