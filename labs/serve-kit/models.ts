import type { ExportedModel } from '../../src/lib/serve/model-source';
import { openTf, type TfClient } from '../kit/tf-client';
import { proxy } from '../kit/client';

export type { ExportedModel, ModelOrigin, TestSample } from '../../src/lib/serve/model-source';

export const datasetUrl = (): string => new URL('data/fashion-mnist-subset.parquet', document.baseURI).href;

/**
 * The page's handle on the export service of the TensorFlow.js engine (workers/tf.ts): the learner's
 * model as ONNX bytes plus reference outputs. The worker is started on first use and stopped by
 * dispose(); one that dies fails the call in flight with a message, and the next call starts a
 * fresh one (the kit's EngineClient, through openTf).
 */
export class ModelSourceClient {
  private readonly engine: TfClient = openTf('export worker', { service: 'onnx' });

  prepare(sample = 16, onStatus?: (m: string) => void): Promise<ExportedModel> {
    return this.engine.call((api) => api.onnx.prepare(datasetUrl(), { sample }, onStatus ? proxy(onStatus) : undefined));
  }

  testPixels(n: number, offset = 0): Promise<Float32Array> {
    return this.engine.call((api) => api.onnx.testPixels(datasetUrl(), n, offset));
  }

  dispose(): void {
    this.engine.dispose();
  }
}
