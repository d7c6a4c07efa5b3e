/** Settings of the quantization and distillation experiments and their defaults (no engine imports: the page reads these). */
import type { Bits } from '../../ml/quantize';
import type { Granularity } from '../qat';

export interface QuantizeSettings {
  /** Seeds the calibration sample and the QAT shuffles. */
  seed: number;
  /** Training images whose activations set the static ranges. */
  calibrationSize: number;
  /** Upper percentile of the 'percentile' calibration (the lower is 100 − p). */
  percentile: number;
  /** Bits of the activations in the static variants. */
  activationBits: Bits;
  /** Per tensor or per channel for the int4 variants (PTQ and QAT). */
  int4Granularity: Granularity;
  /** Epochs of quantization-aware fine-tuning of the int4 model. */
  qatEpochs: number;
  qatLearningRate: number;
  /** Training images QAT fine-tunes on (every variant is scored on the kit's whole fixed test set). */
  trainSize: number;
}

export const QUANTIZE_DEFAULTS: QuantizeSettings = {
  seed: 42, calibrationSize: 256, percentile: 99.9, activationBits: 8, int4Granularity: 'tensor', qatEpochs: 1, qatLearningRate: 1e-4, trainSize: 3000,
};

export interface DistillSettings {
  /** Seeds every student's initial weights and batch order (the same for all students, so only the loss differs). */
  seed: number;
  /** Training images the students learn from. */
  trainSize: number;
  /** Epochs of every student: one budget for all. */
  epochs: number;
  learningRate: number;
  /** Hidden units of the student MLP (784 → units → 10). */
  studentUnits: number;
  /** Temperatures to try. */
  temperatures: number[];
  /** Soft-loss weights to try. */
  alphas: number[];
  /** Also distil into a fresh copy of the teacher's own architecture. */
  selfDistill: boolean;
  /** Also distil into a student trained with its kernels fake-quantized to this many bits (0: no). */
  qatBits: 0 | Bits;
}

export const DISTILL_DEFAULTS: DistillSettings = {
  seed: 42, trainSize: 9000, epochs: 5, learningRate: 1e-3, studentUnits: 32, temperatures: [1, 4], alphas: [0.5], selfDistill: false, qatBits: 0,
};
