import * as Comlink from 'comlink';
import type { ExportedModel, ModelSource } from '../../src/lib/serve/model-source';
import { spawnTf, tfService } from '../kit/tf-client';

export type { ExportedModel, ModelOrigin, TestSample } from '../../src/lib/serve/model-source';

export const datasetUrl = (): string => new URL('data/fashion-mnist-subset.parquet', document.baseURI).href;

/**
 * The page's handle on the export service of the TensorFlow.js engine (workers/tf.ts): the learner's model as ONNX bytes plus reference
 * outputs. The worker is started on first use and stopped by dispose().
 */
export class ModelSourceClient {
  private worker?: Worker;
  private api?: Comlink.Remote<ModelSource>;
  private crashed: Promise<never> = new Promise(() => {});

  private remote(): Comlink.Remote<ModelSource> {
    if (this.api) return this.api;
    const worker = spawnTf('prodlab-onnx-export');
    this.crashed = new Promise<never>((_, reject) => {
      worker.addEventListener('error', (e) => {
        e.preventDefault();
        this.api = undefined;
        reject(new Error(`The export worker crashed: ${e.message || 'unknown error'}. Try again to start a fresh one.`));
      });
    });
    this.crashed.catch(() => {});
    this.worker = worker;
    this.api = tfService(worker, 'onnx');
    return this.api;
  }

  prepare(sample = 16, onStatus?: (m: string) => void): Promise<ExportedModel> {
    const api = this.remote();
    return Promise.race([api.prepare(datasetUrl(), { sample }, onStatus ? Comlink.proxy(onStatus) : undefined), this.crashed]);
  }

  testPixels(n: number, offset = 0): Promise<Float32Array> {
    const api = this.remote();
    return Promise.race([api.testPixels(datasetUrl(), n, offset), this.crashed]);
  }

  dispose(): void {
    this.worker?.terminate();
    this.api = undefined;
  }
}
