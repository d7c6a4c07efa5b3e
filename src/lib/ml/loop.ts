/**
 * The one training loop: the training lab's Trainer, fine-tuning after pruning or low-rank
 * factorisation, quantization-aware training and distillation all run their epochs here. What differs
 * between them is an option, not a copy of the loop:
 *
 * - `masks`: pruned kernel entries are multiplied by 0 after every update (the gradient step moves
 *   them; the mask puts them back), so a pruned model leaves training exactly as sparse as it came in;
 * - `forward`: the logits of a batch, e.g. through fake-quantized kernels (QAT, compress/qat.ts);
 * - `teacher`: the teacher's logits for every training image and the distillation loss;
 * - `accumSteps`: one update from k micro-batches (ml/step.ts accumulatedStep).
 *
 * Batches are seeded: epoch e visits the subset in epochOrder(size, seed, e), so two runs with the same
 * seed and budget see the same batches in the same order, and a run resumed at `startEpoch` too.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { MicroBatch, Objective } from './step';
import { epochOrder, updateAndRead } from './batches';

/** Images as the loop reads them: pixels in [0, 1], 784 per image (ml/batches floatPixels), and their labels. */
export interface Images {
  pixels: Float32Array;
  labels: ArrayLike<number>;
  n: number;
}

/** A pruning mask of one layer's kernel: 1 keeps a weight, 0 holds it at zero. */
export interface KernelMask {
  layer: string;
  mask: ArrayLike<number>;
}

export interface FitOptions {
  /** Passes over the training subset (a resumed run counts from 0, see startEpoch). */
  epochs: number;
  /** Images per micro-batch. */
  batchSize: number;
  /** Micro-batches per update (default 1). */
  accumSteps?: number;
  /** Seeds the per-epoch shuffles (weights are seeded where the model was built). */
  seed: number;
  /** Rows of `data` to train on (default: all of them, in order). */
  subset?: Int32Array;
  /** The optimizer, owned by the caller (the Trainer checkpoints it). Default: Adam at `learningRate`, owned by the loop. */
  optimizer?: tf.Optimizer;
  /** Adam step size when no optimizer is given (default 1e-3). */
  learningRate?: number;
  /** First epoch to run (a resumed run); default 0. */
  startEpoch?: number;
  /** Pruning masks, re-applied after every update. */
  masks?: KernelMask[];
  /** The logits of a batch (default model.apply(x, { training })). */
  forward?: Objective['forward'];
  /** The loss of a micro-batch from its logits (default: cross-entropy, or the teacher's loss). */
  loss?: Objective['loss'];
  /** Teacher logits, n × classes row-major and aligned with `data`, and the loss against them (distillation). */
  teacher?: { logits: Float32Array; classes: number; loss: (logits: tf.Tensor2D, teacher: tf.Tensor2D, labels: tf.Tensor1D) => tf.Scalar };
  /** Called before every update; throw from it (StoppedError) to abandon training, await in it to pause. */
  beforeUpdate?: () => Promise<void> | void;
  /** Called after every update, before the divergence check. */
  onStep?: (s: StepInfo) => void;
  /** Called after every epoch with its 1-based number. */
  onEpoch?: (epoch: number) => Promise<void> | void;
}

export interface StepInfo {
  /** Updates done in this call and before it (a resumed run continues its count from startEpoch). */
  step: number;
  /** Fractional epoch at the end of this update. */
  epoch: number;
  /** Mean loss of the update. */
  loss: number;
  /** Correctly classified examples of the update (argmax before the update). */
  correct: number;
  examples: number;
  /** Fraction of all the updates of `epochs` done. */
  progress: number;
}

export interface FitReport {
  /** Loss of every update. */
  losses: number[];
  /** Fractional epoch of every update. */
  epochs: number[];
  steps: number;
  ms: number;
}

/** The loss became NaN or infinite: the caller says what to do (the Trainer marks its run failed). */
export class DivergedError extends Error {
  override name = 'DivergedError';
  constructor(readonly step: number, readonly loss: number) {
    super(`Training diverged at update ${step}: the loss became ${loss}. Lower the learning rate.`);
  }
}

/** Let the worker's event loop run (a stop message, progress posts) between updates, without setTimeout's 4 ms clamp. */
export const yieldToEvents: () => Promise<void> = typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function'
  ? () => new Promise((r) => (globalThis as unknown as { setImmediate: (f: () => void) => void }).setImmediate(r))
  : (() => {
      const ch = new MessageChannel();
      const waiting: (() => void)[] = [];
      ch.port1.onmessage = () => waiting.shift()?.();
      return () => new Promise<void>((r) => {
        waiting.push(r);
        ch.port2.postMessage(0);
      });
    })();

/** Updates per epoch: the last partial update is dropped so every update averages exactly batchSize·accumSteps examples. */
export function updatesIn(size: number, batchSize: number, accumSteps = 1): number {
  return Math.floor(size / (batchSize * accumSteps));
}

/** Rows of a flat array with `width` values per row, copied into one tensor (a typed-array copy, not tf.gather). */
export function rowsTensor(data: Float32Array, width: number, rows: ArrayLike<number>, shape: number[]): tf.Tensor {
  const out = new Float32Array(rows.length * width);
  for (let i = 0; i < rows.length; i++) out.set(data.subarray(rows[i] * width, (rows[i] + 1) * width), i * width);
  return tf.tensor(out, [rows.length, ...shape]);
}

/** Train `model` on `data` (input shape `shape`) for `o.epochs` epochs; see the module comment. */
export async function fitEpochs(model: tfl.LayersModel, data: Images, shape: number[], o: FitOptions): Promise<FitReport> {
  const t0 = performance.now();
  const subset = o.subset ?? Int32Array.from({ length: data.n }, (_, i) => i);
  const b = o.batchSize;
  const k = o.accumSteps ?? 1;
  const perEpoch = updatesIn(subset.length, b, k);
  if (perEpoch < 1) throw new RangeError(`Batch size ${b * k} is larger than the ${subset.length} training images.`);
  const first = o.startEpoch ?? 0;
  const total = perEpoch * o.epochs;
  const optimizer = o.optimizer ?? tf.train.adam(o.learningRate ?? 1e-3);
  const maskers = (o.masks ?? []).map((m) => {
    const v = model.getLayer(m.layer).trainableWeights[0].read() as tf.Variable;
    return { v, mask: tf.tensor(Float32Array.from(m.mask), v.shape, 'float32') };
  });
  const objective = objectiveOf(o);
  const report: FitReport = { losses: [], epochs: [], steps: 0, ms: 0 };
  let step = first * perEpoch;
  try {
    for (let epoch = first; epoch < o.epochs; epoch++) {
      const order = epochOrder(subset.length, o.seed, epoch);
      for (let u = 0; u < perEpoch; u++) {
        await o.beforeUpdate?.();
        const batches = Array.from({ length: k }, (_, m) => microBatchOf(data, shape, o, Array.from({ length: b }, (_, r) => subset[order[(u * k + m) * b + r]])));
        let res: { loss: number; correct: number; examples: number };
        try {
          res = await updateAndRead(model, optimizer, batches, objective);
          for (const { v, mask } of maskers) v.assign(tf.tidy(() => tf.mul(v, mask)));
        } finally {
          for (const mb of batches) tf.dispose([mb.x, mb.y, ...(mb.teacher ? [mb.teacher] : [])]);
        }
        step++;
        const at = epoch + (u + 1) / perEpoch;
        report.steps++;
        report.losses.push(res.loss);
        report.epochs.push(at);
        o.onStep?.({ step, epoch: at, ...res, progress: (step - first * perEpoch) / Math.max(1, total - first * perEpoch) });
        if (!Number.isFinite(res.loss)) throw new DivergedError(step, res.loss);
        await yieldToEvents();
      }
      await o.onEpoch?.(epoch + 1);
    }
  } finally {
    if (!o.optimizer) optimizer.dispose();
    tf.dispose(maskers.map((m) => m.mask));
  }
  report.ms = performance.now() - t0;
  return report;
}

function objectiveOf(o: FitOptions): Objective | undefined {
  if (!o.forward && !o.teacher && !o.loss) return undefined;
  const t = o.teacher;
  return {
    forward: o.forward,
    loss: o.loss ?? (t ? (logits, mb) => t.loss(logits, mb.teacher!, mb.y) : undefined),
  };
}

function microBatchOf(data: Images, shape: number[], o: FitOptions, rows: number[]): MicroBatch {
  const t = o.teacher;
  return {
    x: rowsTensor(data.pixels, 784, rows, shape),
    y: tf.tensor1d(Int32Array.from(rows, (r) => data.labels[r]), 'int32'),
    ...(t ? { teacher: rowsTensor(t.logits, t.classes, rows, [t.classes]) as tf.Tensor2D } : {}),
  };
}
