import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { distillationLoss, type DistillOptions } from '../distill';
import { quantizedApply, type QuantPlan } from '../qat';
import { crossEntropy } from '../../ml/step';
import { epochOrder } from '../../ml/batches';
import { StoppedError } from '../../core/task';

/** A labelled image set as the compression labs use it: pixels in [0, 1], 784 per image. */
export interface Images { pixels: Float32Array; labels: Uint8Array; n: number }


export interface Control {
  /** Set by cancel(); checked between updates. */
  cancelled: boolean;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Seeds the per-epoch shuffles (weights are seeded where the model was built). */
  seed: number;
  /** Quantization simulated in the forward pass: quantization-aware training. */
  plan?: QuantPlan;
  /** Teacher logits, n × classes row-major, aligned with the images: train against the distillation loss. */
  teacher?: { logits: Float32Array; classes: number; options: DistillOptions };
  /** Called after every update with the fraction of updates done and the update's loss. */
  onUpdate?: (fraction: number, loss: number) => void;
  /** Called after every epoch (1-based). */
  onEpoch?: (epoch: number) => Promise<void> | void;
  control?: Control;
}

/** Let the worker's event loop run (a cancel message, progress posts) between updates. */
const yieldNow = () => new Promise<void>((r) => setTimeout(r, 0));

/** Rows i of a flat array with `width` values per row, copied into one tensor. */
export function rowsTensor(data: Float32Array, width: number, rows: ArrayLike<number>, shape: number[]): tf.Tensor {
  const out = new Float32Array(rows.length * width);
  for (let i = 0; i < rows.length; i++) out.set(data.subarray(rows[i] * width, (rows[i] + 1) * width), i * width);
  return tf.tensor(out, [rows.length, ...shape]);
}

/** The model's logits, through the quantized forward pass when a plan is given. */
export function forward(model: tfl.LayersModel, x: tf.Tensor, plan?: QuantPlan, training = false): tf.Tensor2D {
  return (plan ? quantizedApply(model, x, plan, training) : model.apply(x, { training })) as tf.Tensor2D;
}

/**
 * Adam on mean cross-entropy, or on the distillation loss when teacher logits are given, for a
 * fixed budget: epochs × floor(n / batchSize) updates over seeded shuffles (ml/batches epochOrder),
 * so two runs with the same seed and budget see the same batches in the same order.
 */
export async function fit(model: tfl.LayersModel, data: Images, inputShape: number[], o: FitOptions): Promise<{ losses: number[] }> {
  const optimizer = tf.train.adam(o.learningRate);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const perEpoch = Math.floor(data.n / o.batchSize);
  if (perEpoch < 1) throw new RangeError(`Batch size ${o.batchSize} is larger than the ${data.n} training images.`);
  const total = perEpoch * o.epochs;
  const losses: number[] = [];
  try {
    for (let e = 0; e < o.epochs; e++) {
      const order = epochOrder(data.n, o.seed, e);
      for (let u = 0; u < perEpoch; u++) {
        if (o.control?.cancelled) throw new StoppedError();
        const rows = order.subarray(u * o.batchSize, (u + 1) * o.batchSize);
        const x = rowsTensor(data.pixels, 784, rows, inputShape);
        const y = tf.tensor1d(Int32Array.from(rows, (r) => data.labels[r]), 'int32');
        const t = o.teacher ? rowsTensor(o.teacher.logits, o.teacher.classes, rows, [o.teacher.classes]) : null;
        const { value, grads } = tf.variableGrads(() => {
          const logits = forward(model, x, o.plan, true);
          return t ? distillationLoss(logits, t as tf.Tensor2D, y, o.teacher!.options) : crossEntropy(logits, y);
        }, vars);
        optimizer.applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name] })));
        const loss = (await value.data())[0];
        tf.dispose([x, y, value, ...Object.values(grads), ...(t ? [t] : [])]);
        if (!Number.isFinite(loss)) throw new Error(`The loss became ${loss} at update ${e * perEpoch + u + 1}: lower the learning rate.`);
        losses.push(loss);
        o.onUpdate?.((e * perEpoch + u + 1) / total, loss);
        if (u % 4 === 0) await yieldNow();
      }
      await o.onEpoch?.(e + 1);
    }
  } finally {
    optimizer.dispose();
  }
  return { losses };
}

/** Accuracy (and the logits, n × classes) of a model on a set, in chunks, optionally through a quantized forward pass. */
export async function accuracy(model: tfl.LayersModel, data: Images, inputShape: number[], plan?: QuantPlan, chunk = 500): Promise<{ accuracy: number; logits: Float32Array }> {
  let hits = 0;
  let logits = new Float32Array(0);
  for (let start = 0; start < data.n; start += chunk) {
    const rows = Int32Array.from({ length: Math.min(chunk, data.n - start) }, (_, i) => start + i);
    const z = tf.tidy(() => forward(model, rowsTensor(data.pixels, 784, rows, inputShape), plan));
    const k = z.shape[1];
    if (logits.length === 0) logits = new Float32Array(data.n * k);
    const v = (await z.data()) as Float32Array;
    z.dispose();
    logits.set(v, start * k);
    for (let i = 0; i < rows.length; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (v[i * k + c] > v[i * k + best]) best = c;
      if (best === data.labels[start + i]) hits++;
    }
  }
  return { accuracy: hits / data.n, logits };
}

/**
 * Median time of a batch-1 prediction, after warm-up runs (the first compiles kernels). Each sample
 * times `inner` predictions back to back and divides: pages that are not cross-origin isolated get
 * performance.now() rounded to 0.1 ms, coarser than one prediction of a small model.
 */
export async function latencyMs(model: tfl.LayersModel, inputShape: number[], reps = 15, plan?: QuantPlan, inner = 20): Promise<number> {
  const x = tf.zeros([1, ...inputShape]);
  const once = async () => {
    const z = tf.tidy(() => forward(model, x, plan));
    await z.data();
    z.dispose();
  };
  for (let i = 0; i < 5; i++) await once();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) await once();
    times.push((performance.now() - t0) / inner);
  }
  x.dispose();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
