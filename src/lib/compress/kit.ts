/**
 * The compression kit's engine-side pieces: evaluate a model on the test images, time its
 * inference, train or fine-tune it (optionally keeping pruned weights at zero), and rewind a pruned model to its initial weights for the lottery ticket.
 * Everything runs on whatever tfjs backend is active; the worker service (service.ts) picks it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { confusionMatrix, evaluate as evaluateSet, type Objective } from '../ml/step';
import { quantizedApply, type QuantPlan } from './qat';
import { storedBytes, type WeightScheme } from './labs/weights';
import { floatPixels, subsetIndices } from '../ml/batches';
import { fitEpochs, type FitReport, type Images } from '../ml/loop';
import type { ImageSet } from '../data/fashion';
import { chain, exampleShape, WEIGHTED } from '../ml/layers';
import type { LayerMask } from './prune';
import { StoppedError } from '../core/task';

/** Train, validation and test images, as the training lab splits them. */
export interface KitData {
  train: ImageSet;
  val: ImageSet;
  test: ImageSet;
  /** SHA-256 of the dataset file: a saved variant records it. */
  hash: string;
}

export interface TrainOptions {
  /** Passes over the training subset. */
  epochs: number;
  /** Adam step size (default 1e-3, the training lab's default). */
  learningRate?: number;
  /** Images per update (default 64). */
  batchSize?: number;
  /** Training images used, a seeded subset (default: all). */
  trainSize?: number;
  /** Seeds the subset and the shuffles (default 0). */
  seed?: number;
  /** Pruning masks: masked kernel entries are zeroed after every update, so a pruned model stays pruned. */
  masks?: LayerMask[];
  /** The loss to minimise, from a batch's logits (default: softmax cross-entropy). */
  loss?: LossFn;
  /** Called after every update with the mean loss of that update. */
  onStep?: (p: { step: number; epoch: number; loss: number; progress: number }) => void;
  /** Checked before every update; throw from it (see StoppedError) to abandon training. */
  checkStop?: () => void;
}

/** A loss for `train`: a scalar from a micro-batch's logits (and its labels, mb.y). Called inside tf.variableGrads. */
export type LossFn = NonNullable<Objective['loss']>;

/** Loss and fractional epoch of every update (ml/loop.ts). */
export type TrainReport = FitReport;

/** A model to measure, with how it is stored and run: a weight scheme (packed codes) and activation rounding (static quantization). */
export interface MeasureEntry {
  model: tfl.LayersModel;
  /** How the kernels are stored: packed codes of this scheme (the model holds their dequantized values). Default float32. */
  scheme?: WeightScheme;
  /** Quantization simulated in the forward pass (static activation ranges); default none. */
  plan?: QuantPlan;
  /** Bytes stored beside the weights (e.g. activation ranges of a static variant). */
  extraBytes?: number;
}

/** A model measured for a variant table: test accuracy, size, latency. */
export interface Measured {
  accuracy: number;
  loss: number;
  params: number;
  nonzero: number;
  /** Stored bytes: see storedBytes. */
  bytes: number;
  latency: Latency;
  confusion: number[];
}

export interface Latency {
  /** Median ms of one prediction on a single image (read back included). */
  batch1Ms: number;
  /** Median ms of one prediction on 32 images. */
  batch32Ms: number;
  /** Timed samples per batch size (after the warm-up); each a burst of predictions at least LatencyOptions.minSampleMs long. */
  runs: number;
  backend: string;
}

export interface LatencyOptions {
  /** Timed repetitions per batch size (default 30). */
  runs?: number;
  /** Untimed predictions first: they compile shaders and warm caches (default 5). */
  warmup?: number;
  /** Shortest timed sample: a sample repeats the prediction until it lasts this long, and reports the mean (default 5 ms). */
  minSampleMs?: number;
}

/** The one stop error of every engine (core/task.ts), re-exported where the kit's callers found it. */
export { StoppedError };

/** Engine-side operations on models, over one loaded dataset. Holds the test tensors between calls; dispose() frees them. */
export class CompressKit {
  private tests = new Map<string, { x: tf.Tensor; y: tf.Tensor1D }>();
  private trainSet?: Images;

  constructor(readonly data: KitData) {}

  /** Test images shaped for a model's input ([n, 784] or [n, 28, 28, 1]), built once per shape. */
  private testSet(model: tfl.LayersModel): { x: tf.Tensor; y: tf.Tensor1D } {
    const shape = exampleShape(model);
    const key = shape.join('x');
    let t = this.tests.get(key);
    if (!t) {
      const s = this.data.test;
      t = { x: tf.tensor(floatPixels(s), [s.n, ...shape]), y: tf.tensor1d(Int32Array.from(s.labels), 'int32') };
      this.tests.set(key, t);
    }
    return t;
  }

  /** Accuracy and mean cross-entropy on the test images (never used for training or choices), with the predicted classes; through a quantized forward pass when `plan` is given. */
  async evaluate(model: tfl.LayersModel, plan?: QuantPlan): Promise<{ accuracy: number; loss: number; predicted: Int32Array }> {
    const t = this.testSet(model);
    const { accuracy, loss, predicted } = await evaluateSet(model, t.x, t.y, 500, plan && ((m, x) => quantizedApply(m, x, plan, false) as tf.Tensor2D));
    return { accuracy, loss, predicted };
  }

  /** The training images as the one training loop reads them (pixels in [0, 1]), made once. */
  trainImages(): Images {
    const s = this.data.train;
    this.trainSet ??= { pixels: floatPixels(s), labels: s.labels, n: s.n };
    return this.trainSet;
  }

  /**
   * The one measurement of every variant the compression labs make (pruned, low-rank, quantized,
   * distilled, QAT): accuracy and loss on the whole fixed test set, parameters and nonzero
   * parameters, stored bytes (storedBytes, with the entry's weight scheme) and batch-1/32 latency,
   * timed round-robin with the other entries on the active backend. So the trade-off view compares
   * like with like.
   */
  async measure(entries: (tfl.LayersModel | MeasureEntry)[]): Promise<Measured[]> {
    const es = entries.map((e) => ('model' in e && !('layers' in e) ? e : { model: e as tfl.LayersModel }) as MeasureEntry);
    const out: Omit<Measured, 'latency'>[] = [];
    for (const e of es) {
      const ev = await this.evaluate(e.model, e.plan);
      const { params, nonzero } = countParams(e.model);
      out.push({ accuracy: ev.accuracy, loss: ev.loss, params, nonzero, bytes: storedBytes(e.model, e.scheme) + (e.extraBytes ?? 0), confusion: confusionMatrix(this.data.test.labels, ev.predicted) });
    }
    const latencies = await this.latencies(es.map((e) => e.model), {}, es.map((e) => e.plan));
    return out.map((m, i) => ({ ...m, latency: latencies[i] }));
  }

  /** Latency of one model: see latencies. */
  async latency(model: tfl.LayersModel, opts: LatencyOptions = {}): Promise<Latency> {
    return (await this.latencies([model], opts))[0];
  }

  /**
   * Median wall time of model.predict on 1 and on 32 test images, each read back to the CPU (what
   * a caller waits for), after `warmup` untimed predictions. Models compared are timed round-robin,
   * one sample of each in turn, so a slow spell of a shared machine hits them all alike instead of
   * whichever happened to run then. Browsers coarsen performance.now() (to 100 µs in a worker of a
   * page that is not cross-origin isolated), below one prediction of a small model, so each sample
   * is a burst of predictions lasting at least `minSampleMs`, divided by its length.
   */
  async latencies(models: tfl.LayersModel[], opts: LatencyOptions = {}, plans: (QuantPlan | undefined)[] = []): Promise<Latency[]> {
    const runs = opts.runs ?? 30;
    const warmup = opts.warmup ?? 5;
    const minSampleMs = opts.minSampleMs ?? 5;
    const probes = models.flatMap((model, m) => [1, 32].map((b) => ({ m, b, model, plan: plans[m], x: tf.slice(this.testSet(model).x, 0, b), burst: 1, ms: [] as number[] })));
    const once = async (p: (typeof probes)[number]) => {
      // A static-quantization plan adds its activation rounding to the forward pass; predict() is model.apply under tidy.
      const y = p.plan ? tf.tidy(() => quantizedApply(p.model, p.x, p.plan!, false) as tf.Tensor) : (p.model.predict(p.x) as tf.Tensor);
      await y.data();
      y.dispose();
    };
    try {
      for (const p of probes) {
        const t0 = performance.now();
        for (let i = 0; i < warmup; i++) await once(p);
        const each = Math.max((performance.now() - t0) / Math.max(1, warmup), 0.001);
        p.burst = Math.max(1, Math.min(1000, Math.ceil(minSampleMs / each)));
      }
      for (let r = 0; r < runs; r++) {
        for (const p of probes) {
          const s0 = performance.now();
          for (let k = 0; k < p.burst; k++) await once(p);
          p.ms.push((performance.now() - s0) / p.burst);
        }
      }
    } finally {
      tf.dispose(probes.map((p) => p.x));
    }
    const backend = tf.getBackend();
    return models.map((_, m) => ({ batch1Ms: median(probes[2 * m].ms), batch32Ms: median(probes[2 * m + 1].ms), runs, backend }));
  }

  /** Adam on a seeded subset of the training images, through the one training loop (ml/loop.ts fitEpochs). */
  async train(model: tfl.LayersModel, opts: TrainOptions): Promise<TrainReport> {
    const seed = opts.seed ?? 0;
    const train = this.trainImages();
    return fitEpochs(model, train, exampleShape(model), {
      epochs: opts.epochs, batchSize: opts.batchSize ?? 64, learningRate: opts.learningRate ?? 1e-3, seed,
      subset: subsetIndices(train.n, opts.trainSize ?? train.n, seed), masks: opts.masks, loss: opts.loss, beforeUpdate: opts.checkStop, onStep: opts.onStep,
    });
  }

  /** Fine-tune: train for `epochs` keeping the pruned weights of `masks` at zero (see train). */
  fineTune(model: tfl.LayersModel, epochs: number, opts: Omit<TrainOptions, 'epochs'> = {}): Promise<TrainReport> {
    return this.train(model, { ...opts, epochs });
  }

  dispose(): void {
    for (const t of this.tests.values()) tf.dispose([t.x, t.y]);
    this.tests.clear();
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Lottery-ticket rewind (Frankle & Carbin, 2019): every weight of `model` takes its value from
 * `initial` (the same architecture at initialisation), and masked kernel entries are zeroed. The
 * result is the "winning ticket": the sparse subnetwork, back at its starting point.
 */
export function rewindToInit(model: tfl.LayersModel, initial: tfl.LayersModel, masks: LayerMask[]): void {
  const init = initial.getWeights();
  if (init.length !== model.weights.length) throw new Error(`The initial model has ${init.length} weight tensors; this one has ${model.weights.length}.`);
  init.forEach((w, i) => {
    if (String(w.shape) !== String(model.weights[i].shape)) throw new Error(`Weight ${model.weights[i].originalName} is [${model.weights[i].shape}] but its initial value is [${w.shape}].`);
  });
  model.setWeights(init);
  const byLayer = new Map(masks.map((m) => [m.layer, m]));
  for (const layer of chain(model)) {
    const m = byLayer.get(layer.name);
    if (!m || !WEIGHTED.has(layer.getClassName())) continue;
    const [kernel, ...rest] = layer.getWeights();
    const masked = tf.tidy(() => tf.mul(kernel, tf.tensor(m.mask, kernel.shape, 'float32')));
    layer.setWeights([masked, ...rest]);
    masked.dispose();
  }
}

/** Parameters, and nonzero parameters, of a model (every weight tensor, biases included). */
export function countParams(model: tfl.LayersModel): { params: number; nonzero: number } {
  let params = 0;
  let nonzero = 0;
  for (const w of model.getWeights()) {
    const d = w.dataSync();
    params += d.length;
    for (const v of d) if (v !== 0) nonzero++;
  }
  return { params, nonzero };
}
