/**
 * What a careful team checks beyond test accuracy, for the image classifier: is its confidence
 * calibrated (and does temperature scaling fix it), and how does it hold up under noise, occlusion
 * and shifted inputs. Pure functions on logits and pixels, run in the worker after training.
 */
import { expectedCalibrationError, reliabilityDiagram } from '../eval/calibration';
import { multiclassTemperature, softmaxNll } from '../eval/temperature';
import { mulberry32 } from '../core/rng';
import { gaussian } from '../math/random';

export interface Reliability { confidence: number[]; accuracy: number[]; count: number[] }

export interface CalibrationReport {
  /** Fitted on the validation set's logits, judged on the test set's. */
  temperature: number;
  eceBefore: number;
  eceAfter: number;
  nllBefore: number;
  nllAfter: number;
  /** Top-label reliability diagrams (10 equal-width confidence bins); empty bins have NaN. */
  before: Reliability;
  after: Reliability;
}

export type Perturbation = 'noise' | 'occlusion' | 'shift';

export interface RobustnessReport { clean: number; noise: number; occlusion: number; shift: number }

/** Top-label confidence (max softmax of z/T) and whether the top label is right, per row. */
export function topLabel(logits: ArrayLike<number>, classes: number, labels: ArrayLike<number>, temperature = 1): { confidence: Float64Array; correct: Float64Array } {
  const n = labels.length;
  const confidence = new Float64Array(n);
  const correct = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) {
      const z = logits[i * classes + c] / temperature;
      if (z > max) {
        max = z;
        best = c;
      }
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[i * classes + c] / temperature - max);
    confidence[i] = 1 / sum;
    correct[i] = best === labels[i] ? 1 : 0;
  }
  return { confidence, correct };
}

function reliability(logits: ArrayLike<number>, classes: number, labels: ArrayLike<number>, temperature: number): { ece: number; diagram: Reliability } {
  const { confidence, correct } = topLabel(logits, classes, labels, temperature);
  const d = reliabilityDiagram(correct, confidence, 10);
  return {
    ece: expectedCalibrationError(correct, confidence, { bins: 10 }),
    diagram: { confidence: Array.from(d.meanProb), accuracy: Array.from(d.frequency), count: Array.from(d.counts) },
  };
}

/** Temperature fitted on validation logits; ECE (top-label, 10 bins) and NLL on the test logits before and after. */
export function calibrationReport(valLogits: ArrayLike<number>, valLabels: ArrayLike<number>, testLogits: ArrayLike<number>, testLabels: ArrayLike<number>, classes = 10): CalibrationReport {
  const temperature = multiclassTemperature(valLogits, classes, valLabels);
  const before = reliability(testLogits, classes, testLabels, 1);
  const after = reliability(testLogits, classes, testLabels, temperature);
  return {
    temperature,
    eceBefore: before.ece,
    eceAfter: after.ece,
    nllBefore: softmaxNll(testLogits, classes, testLabels, 1),
    nllAfter: softmaxNll(testLogits, classes, testLabels, temperature),
    before: before.diagram,
    after: after.diagram,
  };
}

const SIDE = 28;
/** Gaussian noise of this standard deviation on [0,1] pixels (then clipped). */
export const NOISE_SD = 0.2;
/** Side of the square patch set to 0 at a random place in each image. */
export const OCCLUSION_SIDE = 8;
/** Pixels the image moves right and down (zeros come in). */
export const SHIFT_PIXELS = 3;

/** A perturbed copy of n images of 28x28 pixels in [0,1]; seeded, so every run sees the same damage. */
export function perturb(pixels: Float32Array, kind: Perturbation, seed: number): Float32Array {
  const n = pixels.length / (SIDE * SIDE);
  const rng = mulberry32(seed);
  if (kind === 'noise') return pixels.map((v) => Math.min(1, Math.max(0, v + NOISE_SD * gaussian(rng))));
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < n; i++) {
    const img = pixels.subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE);
    const dst = out.subarray(i * SIDE * SIDE, (i + 1) * SIDE * SIDE);
    if (kind === 'occlusion') {
      dst.set(img);
      const r0 = Math.floor(rng() * (SIDE - OCCLUSION_SIDE + 1));
      const c0 = Math.floor(rng() * (SIDE - OCCLUSION_SIDE + 1));
      for (let r = r0; r < r0 + OCCLUSION_SIDE; r++) dst.fill(0, r * SIDE + c0, r * SIDE + c0 + OCCLUSION_SIDE);
    } else {
      for (let r = SHIFT_PIXELS; r < SIDE; r++) dst.set(img.subarray((r - SHIFT_PIXELS) * SIDE, (r - SHIFT_PIXELS) * SIDE + SIDE - SHIFT_PIXELS), r * SIDE + SHIFT_PIXELS);
    }
  }
  return out;
}
