/**
 * Where the ONNX and serving labs get their model: the learner's newest finished training-lab run
 * (weights from its checkpoint), or, when there is none, a default MLP trained right here on first
 * use and saved as a run of the 'onnx' lab so it is ready next time. Exports it to ONNX (float32
 * and int8 weights) and computes tfjs's outputs on real test images, the reference the ONNX
 * runtime's outputs are checked against. Runs in the TensorFlow.js engine's worker (workers/tf.ts) or in Node.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULTS as TRAIN_DEFAULTS, type ModelKind, type TrainConfig } from '../ml/config';
import { buildModel, buildOptimizer, inputShape } from '../ml/models';
import { restore } from '../ml/checkpoint';
import { floatPixels } from '../ml/batches';
import { Trainer, type TrainData } from '../ml/trainer';
import { configureEngine, type EngineOptions } from '../runtime/engine';
import { startBackend } from '../ml/backend';
import { loadFashion, sha256Hex, splitValidation } from '../data/fashion';
import { openStore, MemoryRunStore, newRunId, type Store } from '../store';
import type { RunRecord } from '../store/types';
import { exportOnnx } from '../onnx/export';
import { newestTrainingRun } from '../compress/base';

/** The default model trained when the learner has no training run: quick (~5 s on wasm), ~80% test accuracy. */
export const DEFAULT_MODEL: TrainConfig = { ...TRAIN_DEFAULTS, model: 'mlp', epochs: 1, trainSize: 4000, backend: 'wasm' };
const VALIDATION_FRACTION = 0.1;
const VALIDATION_SEED = 7;

export interface ModelOrigin {
  runId: string;
  /** The run's name, or its id. */
  label: string;
  lab: string;
  model: ModelKind;
  testAcc?: number;
  /** True when the default was trained just now, for this call. */
  trainedNow: boolean;
  /** One sentence for the page: where this model came from. */
  detail: string;
}

export interface TestSample {
  n: number;
  /** n test images, pixels in [0, 1], row-major n × 784. */
  pixels: Float32Array;
  labels: number[];
  /** tfjs's outputs (class probabilities) for those images, n × 10. */
  tfjs: Float32Array;
}

export interface ExportedModel {
  origin: ModelOrigin;
  float32: Uint8Array;
  int8: Uint8Array;
  /** Shape of one input, without the batch dimension ([784] for the MLP, [28, 28, 1] for the CNN). */
  inputShape: number[];
  sample: TestSample;
}

export interface PrepareOptions {
  /** Test images to return with tfjs's outputs (the first of the test split). Default 16. */
  sample?: number;
}

export class ModelSource {
  private data?: TrainData;
  private storePromise?: Promise<Store>;

  constructor(engine: EngineOptions = {}, private readonly appVersion = 'dev', private readonly storeName?: string) {
    configureEngine(engine);
  }

  private store(): Promise<Store> {
    this.storePromise ??= openStore({ name: this.storeName }).catch(() => new MemoryRunStore() as unknown as Store);
    return this.storePromise;
  }

  private async dataset(url: string): Promise<TrainData> {
    if (this.data) return this.data;
    const res = await fetch(url).catch((e: Error) => {
      throw new Error(`Could not download the dataset (${url}): ${e.message}`);
    });
    if (!res.ok) throw new Error(`Could not download the dataset (${url}): HTTP ${res.status}.`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const [fashion, hash] = await Promise.all([loadFashion(bytes), sha256Hex(bytes)]);
    const { train, val } = splitValidation(fashion.train, VALIDATION_FRACTION, VALIDATION_SEED);
    this.data = { train, val, test: fashion.test, hash };
    return this.data;
  }

  /** The newest finished run with a checkpoint: the learner's training run on this dataset (compress/base.ts), else this lab's own default. */
  private async newestRun(store: Store, dataHash: string): Promise<RunRecord | undefined> {
    const trained = await newestTrainingRun(store, dataHash);
    if (trained) return trained;
    for (const run of await store.listRuns('onnx')) {
      if (run.status === 'done' && (await store.checkpointSteps(run.id)).length > 0) return run;
    }
    return undefined;
  }

  /** `onStatus` says what is happening (training a default takes a few seconds); a separate argument so comlink can proxy it. */
  async prepare(datasetUrl: string, opts: PrepareOptions = {}, onStatus?: (message: string) => void): Promise<ExportedModel> {
    const say = onStatus ?? (() => {});
    const { backend } = await startBackend(DEFAULT_MODEL.backend);
    const [data, store] = await Promise.all([this.dataset(datasetUrl), this.store()]);
    let run = await this.newestRun(store, data.hash);
    let trainedNow = false;
    if (!run) {
      say(`No finished training run yet: training a default MLP (${DEFAULT_MODEL.epochs} epoch on ${DEFAULT_MODEL.trainSize} images) in this worker…`);
      const trainer = new Trainer(store);
      trainer.setData(data);
      run = await trainer.run({ ...DEFAULT_MODEL, backend }, { runId: newRunId(), backend, lab: 'onnx', name: 'default MLP for export', appVersion: this.appVersion }, () => {});
      trainedNow = true;
    }
    const kind = (run.params.model as ModelKind) ?? 'mlp';
    // A run without a name is called as the run tables call it: its model and the end of its id.
    const name = run.name ?? `${kind.toUpperCase()} run ${run.id.slice(-6)}`;
    const cp = await store.latestCheckpoint(run.id);
    if (!cp) throw new Error(`Run ${name} has no checkpoint to export.`);
    say(`Exporting run ${name} (${kind})…`);
    const model = buildModel(kind, run.seed);
    await restore(model, buildOptimizer('adam', 1e-3), { ...cp, optimizer: [] });
    const float32 = exportOnnx(model, { weights: 'float32' });
    const int8 = exportOnnx(model, { weights: 'int8' });
    const n = Math.min(opts.sample ?? 16, data.test.n);
    const pixels = floatPixels({ images: data.test.images.subarray(0, n * 784), labels: data.test.labels.subarray(0, n), n });
    const shape = inputShape(kind);
    const tfjs = tf.tidy(() => (model.predict(tf.tensor(pixels, [n, ...shape])) as tf.Tensor).dataSync() as Float32Array);
    model.dispose();
    const acc = run.final?.testAcc;
    const origin: ModelOrigin = {
      runId: run.id,
      label: name,
      lab: run.lab,
      model: kind,
      testAcc: acc,
      trainedNow,
      detail: run.lab === 'train'
        ? `Your newest finished training-lab run, "${name}" (${kind}${acc !== undefined ? `, test accuracy ${(acc * 100).toFixed(1)}%` : ''}).`
        : `No finished training-lab run found, so a default ${kind.toUpperCase()} was ${trainedNow ? 'trained just now' : 'trained on your first visit'} (${DEFAULT_MODEL.epochs} epoch, ${DEFAULT_MODEL.trainSize} images, seed ${DEFAULT_MODEL.seed}${acc !== undefined ? `, test accuracy ${(acc * 100).toFixed(1)}%` : ''}). Train a model in the training lab to export your own.`,
    };
    return { origin, float32, int8, inputShape: shape, sample: { n, pixels, labels: Array.from(data.test.labels.subarray(0, n)), tfjs: Float32Array.from(tfjs) } };
  }

  /** n test images as float pixels (for load generators), starting at `offset`. */
  async testPixels(datasetUrl: string, n: number, offset = 0): Promise<Float32Array> {
    const data = await this.dataset(datasetUrl);
    const m = Math.max(0, Math.min(n, data.test.n - offset));
    return floatPixels({ images: data.test.images.subarray(offset * 784, (offset + m) * 784), labels: data.test.labels.subarray(offset, offset + m), n: m });
  }
}
