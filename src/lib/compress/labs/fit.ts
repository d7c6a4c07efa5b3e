import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { distillationLoss, type DistillOptions } from '../distill';
import { quantizedApply, type QuantPlan } from '../qat';
import { rowsTensor, type FitOptions, type Images } from '../../ml/loop';
import { StoppedError } from '../../core/task';
import type { MeasureEntry, Measured } from '../kit';

/** A labelled image set as the compression labs use it: pixels in [0, 1], 784 per image (the one training loop's Images). */
export type { Images };
export { rowsTensor };

/** What the quantization and distillation labs measure with: the compression kit's one measurement path (kit.ts). */
export interface Meter {
  /** Accuracy, bytes and latency of models compared together (CompressKit.measure). */
  measure(entries: MeasureEntry[]): Promise<Measured[]>;
  /** Test accuracy, optionally through a quantized forward pass (CompressKit.evaluate). */
  accuracy(model: tfl.LayersModel, plan?: QuantPlan): Promise<number>;
  /** Throws StoppedError once the learner pressed Stop. */
  checkStop(): void;
}

/** A Meter over a kit, stopped by a Control (tests and benchmarks; the service builds one from its ExperimentContext). */
export function kitMeter(kit: { measure: Meter['measure']; evaluate(model: tfl.LayersModel, plan?: QuantPlan): Promise<{ accuracy: number }> }, control?: Control): Meter {
  return { measure: (e) => kit.measure(e), accuracy: async (m, plan) => (await kit.evaluate(m, plan)).accuracy, checkStop: stopWhen(control) };
}

export interface Control {
  /** Set by cancel(); checked between updates. */
  cancelled: boolean;
}

/** fitEpochs' beforeUpdate for a Control: a cancel() lands between two updates as StoppedError. */
export function stopWhen(control?: Control): () => void {
  return () => {
    if (control?.cancelled) throw new StoppedError();
  };
}

/** The model's logits, through the quantized forward pass when a plan is given. */
export function forward(model: tfl.LayersModel, x: tf.Tensor, plan?: QuantPlan, training = false): tf.Tensor2D {
  return (plan ? quantizedApply(model, x, plan, training) : model.apply(x, { training })) as tf.Tensor2D;
}

/** fitEpochs' forward option for quantization-aware training with `plan` (none without a plan). */
export function fakeQuant(plan?: QuantPlan): FitOptions['forward'] {
  return plan ? (model, x, training) => forward(model, x, plan, training) : undefined;
}

/** fitEpochs' teacher option: the distillation loss against the teacher's logits. */
export function teacherOf(logits: Float32Array, classes: number, options: DistillOptions): NonNullable<FitOptions['teacher']> {
  return { logits, classes, loss: (z, t, y) => distillationLoss(z, t, y, options) };
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
