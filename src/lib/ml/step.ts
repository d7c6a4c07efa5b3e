import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

export interface MicroBatch {
  /** Inputs, first dimension is the batch. */
  x: tf.Tensor;
  /** Integer class labels, shape [b]. */
  y: tf.Tensor1D;
  /** Teacher logits of the same examples, [b, classes] (distillation). */
  teacher?: tf.Tensor2D;
}

/** What an update minimises, where it is not plain cross-entropy of model.apply (ml/loop.ts fitEpochs' options). */
export interface Objective {
  /** The logits of a batch (e.g. through fake-quantized kernels); default model.apply(x, { training }). */
  forward?: (model: tfl.LayersModel, x: tf.Tensor, training: boolean) => tf.Tensor2D;
  /** The loss of a micro-batch from its logits; default mean softmax cross-entropy against mb.y. */
  loss?: (logits: tf.Tensor2D, mb: MicroBatch) => tf.Scalar;
}

export interface StepResult {
  /** Mean cross-entropy over all examples of the update. */
  loss: number;
  /** Correctly classified examples (argmax of the logits before the update). */
  correct: number;
  /** Examples in the update. */
  examples: number;
}

/** Mean softmax cross-entropy of logits against integer labels. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, logits.shape[1]), logits) as tf.Scalar;
}

function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * One optimizer update from k micro-batches. With n_i examples in micro-batch i and N = Σ n_i, the
 * gradient of the mean loss over all N examples is Σ (n_i / N) · ∇L_i, where L_i is micro-batch i's
 * mean loss. So k micro-batches of b give the update of one batch of k·b (up to float32 summation
 * order), while only one micro-batch of activations is alive at a time.
 */
export function accumulatedStep(model: tfl.LayersModel, optimizer: tf.Optimizer, batches: MicroBatch[], objective: Objective = {}): { loss: tf.Scalar; correct: tf.Scalar; examples: number } {
  const vars = trainableVariables(model);
  const total = batches.reduce((s, b) => s + b.y.shape[0], 0);
  if (batches.length === 1) {
    // k = 1: the weight is exactly 1, so scaling and summing would only copy the gradients.
    const { value, grads, correct } = microBatchGrads(model, vars, batches[0], objective);
    optimizer.applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name] })));
    tf.dispose(Object.values(grads));
    return { loss: value, correct, examples: total };
  }
  let sums: tf.Tensor[] | null = null;
  let loss: tf.Scalar = tf.scalar(0);
  let correct: tf.Scalar = tf.scalar(0);
  for (const b of batches) {
    const w = b.y.shape[0] / total;
    const { value, grads, correct: hits } = microBatchGrads(model, vars, b, objective);
    const [prevLoss, prevCorrect] = [loss, correct];
    loss = tf.tidy(() => tf.add(prevLoss, tf.mul(value, w)));
    correct = tf.add(prevCorrect, hits);
    tf.dispose([prevLoss, prevCorrect, value, hits]);
    const scaled = vars.map((v) => tf.mul(grads[v.name], w));
    tf.dispose(Object.values(grads));
    if (sums === null) {
      sums = scaled;
    } else {
      const prev: tf.Tensor[] = sums;
      sums = prev.map((s, i) => tf.add(s, scaled[i]));
      tf.dispose(prev);
      tf.dispose(scaled);
    }
  }
  const named = vars.map((v, i) => ({ name: v.name, tensor: sums![i] }));
  optimizer.applyGradients(named);
  tf.dispose(sums!);
  return { loss, correct, examples: total };
}

/** Mean loss of one micro-batch, its gradients, and how many of its examples the logits classify correctly. */
function microBatchGrads(model: tfl.LayersModel, vars: tf.Variable[], b: MicroBatch, o: Objective): { value: tf.Scalar; grads: tf.NamedTensorMap; correct: tf.Scalar } {
  let correct: tf.Scalar | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const logits = o.forward ? o.forward(model, b.x, true) : (model.apply(b.x, { training: true }) as tf.Tensor2D);
    correct = tf.keep(tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(b.y, 'int32')), 'float32')) as tf.Scalar));
    return o.loss ? o.loss(logits, b) : crossEntropy(logits, b.y);
  }, vars);
  return { value, grads, correct: correct! };
}

/** Loss, accuracy, predictions and logits (n x classes, row-major) of a model on a labelled set, in chunks. */
export async function evaluate(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor1D, chunk = 500, forward?: (model: tfl.LayersModel, x: tf.Tensor) => tf.Tensor2D): Promise<{ loss: number; accuracy: number; predicted: Int32Array; logits: Float32Array }> {
  const n = y.shape[0];
  const predicted = new Int32Array(n);
  let logits = new Float32Array(0);
  let lossSum = 0;
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    const [lossT, predT, logitsT] = tf.tidy(() => {
      const xb = tf.slice(x, start, size);
      const yb = tf.slice(y, start, size);
      const z = forward ? forward(model, xb) : (model.apply(xb, { training: false }) as tf.Tensor2D);
      return [tf.mul(crossEntropy(z, yb), size), tf.argMax(z, 1), z];
    });
    const classes = logitsT.shape[1]!;
    if (logits.length === 0) logits = new Float32Array(n * classes);
    lossSum += (await lossT.data())[0];
    predicted.set((await predT.data()) as Int32Array, start);
    logits.set((await logitsT.data()) as Float32Array, start * classes);
    tf.dispose([lossT, predT, logitsT]);
  }
  const labels = await y.data();
  let hits = 0;
  for (let i = 0; i < n; i++) if (predicted[i] === labels[i]) hits++;
  return { loss: lossSum / n, accuracy: hits / n, predicted, logits };
}

/** Confusion matrix, row-major [true][predicted]. */
export function confusionMatrix(labels: ArrayLike<number>, predicted: ArrayLike<number>, classes = 10): number[] {
  const m = new Array<number>(classes * classes).fill(0);
  for (let i = 0; i < labels.length; i++) m[labels[i] * classes + predicted[i]]++;
  return m;
}
