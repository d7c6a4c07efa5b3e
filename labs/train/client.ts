import type * as Comlink from 'comlink';
import type { TrainServiceApi } from '../../src/lib/ml/service';
import { spawnTf, tfService } from '../kit/tf-client';

/**
 * The page's handle on the training worker (the TensorFlow.js engine's, workers/tf.ts). A worker can die (out of memory, a wasm trap, or the
 * lab's "kill the worker" drill); calls in flight then reject with WorkerCrashedError instead of
 * hanging, and respawn() starts a fresh worker.
 */
export class WorkerCrashedError extends Error {
  override name = 'WorkerCrashedError';
}

export class TrainClient {
  api!: Comlink.Remote<TrainServiceApi>;
  private worker!: Worker;
  private crashed!: Promise<never>;
  private crash!: (e: Error) => void;

  constructor() {
    this.spawn();
  }

  private spawn(): void {
    this.worker = spawnTf('prodlab-train');
    this.crashed = new Promise<never>((_, reject) => (this.crash = reject));
    this.crashed.catch(() => {});
    this.worker.addEventListener('error', (e) => {
      e.preventDefault();
      this.crash(new WorkerCrashedError(`The training worker crashed: ${e.message || 'unknown error'}.`));
    });
    this.api = tfService(this.worker, 'train');
  }

  /** Run a worker call, rejecting at once if the worker dies meanwhile. */
  call<T>(f: (api: Comlink.Remote<TrainServiceApi>) => Promise<T>): Promise<T> {
    return Promise.race([f(this.api), this.crashed]);
  }

  /** The failure drill: terminate the worker as the browser would under memory pressure. */
  kill(): void {
    this.worker.terminate();
    this.crash(new WorkerCrashedError('The training worker was killed.'));
  }

  respawn(): void {
    this.worker.terminate();
    this.spawn();
  }

  dispose(): void {
    this.worker.terminate();
  }
}
