import * as tf from '@tensorflow/tfjs-core';

export interface DistillOptions {
  /**
   * Softmax temperature T > 0 for both teacher and student in the soft term. T > 1 flattens the
   * teacher's distribution so the student also learns which wrong classes it finds similar.
   */
  temperature: number;
  /** Weight α in [0, 1] of the soft (teacher) term; 1 − α weighs the hard-label cross-entropy. α = 0 is training alone. */
  alpha: number;
}

/** Checks T and α; throws RangeError naming the bad one. */
export function validateDistill(o: DistillOptions): DistillOptions {
  if (!(Number.isFinite(o.temperature) && o.temperature > 0)) throw new RangeError(`Temperature must be a positive number; got ${o.temperature}.`);
  if (!(o.alpha >= 0 && o.alpha <= 1)) throw new RangeError(`Alpha must lie in [0, 1]; got ${o.alpha}.`);
  return o;
}

/**
 * Hinton et al.'s distillation loss, averaged over the batch:
 *   L = α · T² · KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α) · CE(y, softmax(s)),
 * KL(p ‖ q) = Σ_k p_k (log p_k − log q_k), both logs from logSoftmax so large logits stay finite.
 * The T² keeps the soft term's gradient, which scales as 1/T², comparable to the hard term's as T
 * changes. Teacher logits are data here: no gradient flows into them (pass them as a plain tensor,
 * not a variable, under tf.variableGrads). Its gradients are the ops' registered ones, which importing
 * @tensorflow/tfjs-layers (as every model does) registers.
 */
export function distillationLoss(student: tf.Tensor2D, teacher: tf.Tensor2D, labels: tf.Tensor1D, opts: DistillOptions): tf.Scalar {
  const { temperature: T, alpha } = validateDistill(opts);
  if (student.shape[1] !== teacher.shape[1] || student.shape[0] !== teacher.shape[0]) throw new RangeError(`Student logits [${student.shape}] and teacher logits [${teacher.shape}] differ in shape.`);
  return tf.tidy(() => {
    const logQ = tf.logSoftmax(tf.div(student, T));
    const logP = tf.logSoftmax(tf.div(teacher, T));
    const kl = tf.mean(tf.sum(tf.mul(tf.exp(logP), tf.sub(logP, logQ)), 1));
    const logS = tf.logSoftmax(student);
    const ce = tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(tf.cast(labels, 'int32'), student.shape[1]), logS), 1)));
    return tf.add(tf.mul(kl, alpha * T * T), tf.mul(ce, 1 - alpha)) as tf.Scalar;
  });
}
