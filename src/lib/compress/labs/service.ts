import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadFashion, sha256Hex, splitValidation, type ImageSet } from '../../data/fashion';
import { MemoryRunStore, newRunId, openStore, type Store } from '../../store';
import type { CompressionTechnique, RunRecord } from '../../store/types';
import { saveVariant } from '../variants';
import { configureEngine, type EngineOptions } from '../../runtime/engine';
import { startBackend } from '../../ml/backend';
import { buildModel, inputShape } from '../../ml/models';
import type { ModelKind } from '../../ml/config';
import { stopWhen, type Control, type Images } from './fit';
import { fitEpochs } from '../../ml/loop';
import { isStopped } from '../../core/task';
import { newestTrainingRun } from '../base';
import { runQuantize, type QuantizeResult, type Progress } from './quantize-lab';
import { runDistill, type DistillResult } from './distill-lab';
import { toDistillSettings, toQuantizeSettings, type BaseChoice, type DistillFields, type QuantizeFields } from './settings';

/** The training lab's fixed validation split (ml/service.ts): the same 9,000 training images. */
const VALIDATION_SEED = 2024;
/**
 * The default model when the learner has none: the training lab's MLP, Adam at 1e-3 for 3 epochs,
 * then 1 epoch at 1e-4 so it is close to converged (without that last step, any fine-tuning, with
 * or without quantization, gains about 3 points and hides what quantization costs).
 */
export const DEFAULT_BASE = { kind: 'mlp' as ModelKind, epochs: 3, learningRate: 1e-3, annealEpochs: 1, annealLearningRate: 1e-4, batchSize: 64, seed: 42 };

export interface BaseInfo { description: string; runId?: string; kind: ModelKind }

export interface QuantizeOutput {
  result: Omit<QuantizeResult, 'models'>;
  runIds: Record<string, string>;
  base: BaseInfo;
  dataHash: string;
  backend: string;
  durationMs: number;
}

export interface DistillOutput {
  result: Omit<DistillResult, 'models'>;
  runIds: Record<string, string>;
  base: BaseInfo;
  dataHash: string;
  backend: string;
  durationMs: number;
}

function images(s: ImageSet): Images {
  return { pixels: Float32Array.from(s.images, (v) => v / 255), labels: s.labels, n: s.n };
}

/**
 * The quantization and distillation labs' worker service: loads the data set, finds the model to
 * compress (the learner's latest finished training run, or a default MLP trained on first use),
 * runs a lab, and saves every variant as a run with its weights, so the trade-off view and the
 * exercises see it. One run at a time; cancel() stops it between updates and saves nothing.
 */
export class CompressLabService {
  private data?: { train: Images; test: Images; hash: string };
  private defaultBase?: tfl.LayersModel;
  private storePromise?: Promise<Store>;
  private control: Control = { cancelled: false };
  private busy = false;
  private backend = 'wasm';

  constructor(engine: EngineOptions = {}, private appVersion = 'dev', private storeName?: string) {
    configureEngine(engine);
  }

  private store(): Promise<Store> {
    this.storePromise ??= openStore({ name: this.storeName }).catch(() => new MemoryRunStore() as unknown as Store);
    return this.storePromise;
  }

  async load(datasetUrl: string): Promise<{ hash: string; train: number; test: number }> {
    if (!this.data) {
      const res = await fetch(datasetUrl).catch((e: Error) => { throw new Error(`Could not download the dataset (${datasetUrl}): ${e.message}`); });
      if (!res.ok) throw new Error(`Could not download the dataset (${datasetUrl}): HTTP ${res.status}.`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const [fashion, hash] = await Promise.all([loadFashion(bytes), sha256Hex(bytes)]);
      const { train } = splitValidation(fashion.train, 0.1, VALIDATION_SEED);
      this.data = { train: images(train), test: images(fashion.test), hash };
    }
    this.backend = (await startBackend('wasm')).backend;
    return { hash: this.data.hash, train: this.data.train.n, test: this.data.test.n };
  }

  cancel(): void {
    this.control.cancelled = true;
  }

  /** The learner's latest finished training-lab run with saved weights, rebuilt; or the default model. */
  private async base(choice: BaseChoice, progress: Progress): Promise<{ model: tfl.LayersModel; info: BaseInfo; owned: boolean }> {
    if (choice === 'auto') {
      const store = await this.store();
      // The shared policy (compress/base.ts); a run whose weights do not fit its model is passed over.
      const unfit = new Set<string>();
      for (let run; (run = await newestTrainingRun(store, this.data!.hash, (r) => ['mlp', 'cnn'].includes(r.params.model as string) && !unfit.has(r.id))); ) {
        const cp = (await store.latestCheckpoint(run.id))!;
        const kind = run.params.model as ModelKind;
        const model = buildModel(kind, run.seed);
        if (cp.weights.length !== model.weights.length) { model.dispose(); unfit.add(run.id); continue; }
        const ws = cp.weights.map((w) => tf.tensor(w.data, w.shape));
        model.setWeights(ws);
        tf.dispose(ws);
        const acc = run.final ? `, test accuracy ${(100 * run.final.testAcc).toFixed(1)}% in the training lab` : '';
        return { model, owned: true, info: { description: `your training run ${run.name ?? run.id.slice(-6)} (${kind}${acc})`, runId: run.id, kind } };
      }
    }
    const d = DEFAULT_BASE;
    const n = this.data!.train.n;
    if (!this.defaultBase) {
      const model = buildModel(d.kind, d.seed);
      const total = d.epochs + d.annealEpochs;
      for (const [i, [epochs, lr]] of [[d.epochs, d.learningRate], [d.annealEpochs, d.annealLearningRate]].entries()) {
        await fitEpochs(model, this.data!.train, inputShape(d.kind), {
          epochs, batchSize: d.batchSize, learningRate: lr, seed: d.seed + i, beforeUpdate: stopWhen(this.control),
          onStep: (p) => progress({ fraction: (0.3 * ((i ? d.epochs : 0) + p.progress * epochs)) / total, stage: `training the default MLP (${total} epochs on ${n} images, once per visit)` }),
        });
      }
      this.defaultBase = model;
    }
    return { model: this.defaultBase, owned: false, info: { description: `default MLP 784-256-128-10: Adam, ${d.epochs} epochs at ${d.learningRate} + ${d.annealEpochs} at ${d.annealLearningRate}, ${n} images, seed ${d.seed}`, kind: d.kind } };
  }

  private async begin<T>(work: () => Promise<T>): Promise<T> {
    if (!this.data) throw new Error('The dataset is not loaded yet.');
    if (this.busy) throw new Error('A run is already in progress in this worker.');
    this.busy = true;
    this.control = { cancelled: false };
    try {
      return await work();
    } catch (e) {
      if (isStopped(e)) throw new Error('Stopped: nothing from this run was saved.');
      throw e;
    } finally {
      this.busy = false;
    }
  }

  async quantize(fields: QuantizeFields, group: string, onProgress: Progress): Promise<QuantizeOutput> {
    const settings = toQuantizeSettings(fields);
    return this.begin(async () => {
      const t0 = performance.now();
      const b = await this.base(fields.base, onProgress);
      const scaled: Progress = (p) => onProgress({ fraction: 0.3 + 0.65 * p.fraction, stage: p.stage });
      const { models, ...result } = await runQuantize(b.model, inputShape(b.info.kind), this.data!, settings, scaled, this.control);
      if (b.owned) b.model.dispose();
      onProgress({ fraction: 0.97, stage: 'saving the variants' });
      const runIds: Record<string, string> = {};
      for (const [order, v] of result.variants.entries()) {
        const technique: CompressionTechnique = v.key === 'float32' || v.key === 'float-ft' ? 'baseline' : 'quantize';
        runIds[v.key] = await this.save('quantize', models[v.key]!, { ...fields, group, order, key: v.key, base: b.info.description }, fields.seed, {
          technique, description: v.description, accuracy: v.accuracy, bytes: v.bytes, params: models[v.key]!.countParams(), latencyMs: v.latencyMs,
          latencyBackend: `tfjs-${this.backend}${v.activationRanges ? ' (activation quantization simulated in float)' : ''}`,
          exportWeights: v.weights?.bits === 8 ? 'int8' : 'float32', parentRunId: b.info.runId,
        });
        models[v.key]!.dispose();
      }
      return { result, runIds, base: b.info, dataHash: this.data!.hash, backend: this.backend, durationMs: performance.now() - t0 };
    });
  }

  async distill(fields: DistillFields, group: string, onProgress: Progress): Promise<DistillOutput> {
    const settings = toDistillSettings(fields);
    return this.begin(async () => {
      const t0 = performance.now();
      const b = await this.base(fields.base, onProgress);
      const scaled: Progress = (p) => onProgress({ fraction: 0.3 + 0.65 * p.fraction, stage: p.stage });
      const { models, ...result } = await runDistill({ model: b.model, inputShape: inputShape(b.info.kind), description: b.info.description }, this.data!, settings, scaled, this.control);
      if (b.owned) b.model.dispose();
      onProgress({ fraction: 0.97, stage: 'saving the students' });
      const runIds: Record<string, string> = {};
      for (const [order, st] of result.students.entries()) {
        runIds[st.key] = await this.save('distill', models[st.key], { ...fields, group, order, key: st.key, kind: st.kind, temperature: st.temperature, alpha: st.alpha, teacherAccuracy: result.teacher.accuracy, teacherBytes: result.teacher.bytes, base: b.info.description }, fields.seed, {
          technique: 'distill', description: st.description, accuracy: st.accuracy, bytes: st.bytes, params: st.params, latencyMs: st.latencyMs,
          latencyBackend: `tfjs-${this.backend}`, exportWeights: st.kind === 'qat' && fields.qatBits === '8' ? 'int8' : 'float32', parentRunId: b.info.runId,
        });
        models[st.key].dispose();
      }
      return { result, runIds, base: b.info, dataHash: this.data!.hash, backend: this.backend, durationMs: performance.now() - t0 };
    });
  }

  /** One variant as a finished run in the compression kit's shared format (compress/variants saveVariant): settings, layers and input shape in params, weights as its checkpoint. */
  private async save(lab: string, model: tfl.LayersModel, settings: Record<string, unknown>, seed: number, variant: NonNullable<RunRecord['variant']>): Promise<string> {
    return saveVariant(await this.store(), model, variant, { lab, runId: newRunId(), name: variant.description, settings, seed, dataHash: this.data!.hash, backend: this.backend, appVersion: this.appVersion });
  }
}
