import type * as Comlink from 'comlink';
import type { TrainServiceApi } from '../../src/lib/ml/service';
import { openTf, type TfClient } from '../kit/tf-client';

export { WorkerCrashedError } from '../kit/client';

type Api = Comlink.Remote<TrainServiceApi>;

/**
 * The page's handle on the training service of the TensorFlow.js engine (workers/tf.ts). A worker
 * can die (out of memory, a wasm trap, or the lab's "kill the worker" drill); calls in flight then
 * reject with WorkerCrashedError instead of hanging (the kit's EngineClient, through openTf), and
 * the lab starts a fresh client, which loads the dataset again.
 */
export class TrainClient {
  private readonly engine: TfClient = openTf('training worker', { service: 'train' });

  /** Run a call on the training service, rejecting at once if the worker dies meanwhile. */
  call<T>(f: (api: Api) => Promise<T>): Promise<T> {
    return this.engine.call((api) => f(api.train));
  }

  /** Send to the running worker without waiting (pause, resume, stop); nothing to do without one. */
  signal(f: (api: Api) => unknown): void {
    this.engine.signal((api) => f(api.train));
  }

  /** The failure drill: end the worker as the browser would under memory pressure. */
  kill(): void {
    this.engine.kill();
  }

  dispose(): void {
    this.engine.dispose();
  }
}
