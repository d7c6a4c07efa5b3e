import type * as Comlink from 'comlink';
import type { CompressLabService } from '../../src/lib/compress/labs/service';
import { openTf, type TfClient } from '../kit/tf-client';

type Api = Comlink.Remote<CompressLabService>;

/**
 * The page's handle on the quantization/distillation service of the TensorFlow.js engine
 * (workers/tf.ts). If the worker dies (out of memory, a crash) a call in flight rejects with a
 * clear message instead of hanging, and the next call starts a fresh worker, which loads the data
 * set before its first call (the kit's EngineClient, through openTf).
 */
export class QdClient {
  private readonly engine: TfClient;

  constructor(datasetUrl: string) {
    this.engine = openTf('compression worker', { service: 'quantdistill', onFresh: (api) => api.quantdistill.load(datasetUrl) });
  }

  /** Call the service (in a fresh worker, after it loaded the data set). */
  call<T>(f: (api: Api) => Promise<T>): Promise<T> {
    return this.engine.call((api) => f(api.quantdistill));
  }

  cancel(): void {
    this.engine.signal((api) => api.quantdistill.cancel());
  }

  /** For tests of a killed worker: end it as a crash would. */
  kill(): void {
    this.engine.kill();
  }

  dispose(): void {
    this.engine.dispose();
  }
}
