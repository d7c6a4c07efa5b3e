/**
 * The quantization and distillation labs' settings as flat fields (numbers and choices), as the
 * URL and the shared settings form hold them (the base model is the compression kit's choice, not a field), with bounds, one-line reasons, and the conversion to
 * the experiments' option objects.
 */
import { SettingsError, checkFields, fieldSpec, type Field } from '../../eval/experiments/settings';
import type { ParamSpec } from '../../core/url-state';
import { DISTILL_DEFAULTS, QUANTIZE_DEFAULTS, type DistillSettings, type QuantizeSettings } from './defaults';

export type QdLabId = 'quantize' | 'distill';

export interface QuantizeFields { seed: number; calibrationSize: number; percentile: number; activationBits: string; int4Granularity: string; qatEpochs: number; qatLearningRate: number; trainSize: number }
export interface DistillFields { seed: number; trainSize: number; epochs: number; learningRate: number; studentUnits: number; temperatures: string; alphas: string; selfDistill: string; qatBits: string }
export interface QdFields { quantize: QuantizeFields; distill: DistillFields }

export { SettingsError };

const seed: Field = { key: 'seed', label: 'Seed', kind: 'number', min: 0, max: 2 ** 31 - 1, step: 1, integer: true, explain: 'Fixes every random choice, so a link reproduces the numbers.' };
const trainSize: Field = { key: 'trainSize', label: 'Training images', kind: 'number', min: 256, max: 9000, step: 1, integer: true, explain: 'Images used for training or fine-tuning here; fewer is quicker.' };
const list = (raw: string, what: string, ok: (x: number) => boolean): number[] => {
  const xs = raw.split(',').map((s) => Number(s.trim()));
  if (!xs.length || xs.some((x) => !Number.isFinite(x) || !ok(x))) throw new SettingsError(what, `"${raw}" is not a list of valid ${what} values.`);
  return xs;
};

export const FIELDS: { [K in QdLabId]: Field[] } = {
  quantize: [
    seed,
    { key: 'calibrationSize', label: 'Calibration images', kind: 'number', min: 16, max: 2000, step: 1, integer: true, explain: 'Static quantization fixes each layer’s activation range from these images before deployment.' },
    { key: 'percentile', label: 'Percentile range', kind: 'number', min: 90, max: 100, step: 0.01, explain: 'Clip activations to this percentile instead of the extremes: a few outliers no longer stretch the grid for everyone.' },
    { key: 'activationBits', label: 'Activation bits (static)', kind: 'choice', explain: 'At 8 bits min–max and percentile ranges barely differ; at 4 bits the choice of range decides the accuracy.', options: [{ value: '8', label: 'int8' }, { value: '4', label: 'int4' }] },
    { key: 'int4Granularity', label: 'int4 scales', kind: 'choice', explain: 'One scale for a whole kernel, or one per output unit: per channel keeps small filters from rounding to zero.', options: [{ value: 'tensor', label: 'per tensor' }, { value: 'channel', label: 'per channel' }] },
    { key: 'qatEpochs', label: 'QAT epochs', kind: 'number', min: 1, max: 10, step: 1, integer: true, explain: 'Fine-tuning with the rounding in the forward pass lets the weights settle where int4 rounding hurts least.' },
    { key: 'qatLearningRate', label: 'QAT learning rate', kind: 'number', min: 1e-5, max: 0.01, step: 0.0001, explain: 'Small: QAT nudges a trained model; a large rate would undo its training.' },
    trainSize,
  ],
  distill: [
    seed,
    { key: 'studentUnits', label: 'Student hidden units', kind: 'number', min: 4, max: 512, step: 1, integer: true, explain: 'The student is an MLP 784-units-10: its size against the teacher’s is the compression.' },
    { key: 'temperatures', label: 'Temperatures T', kind: 'choice', explain: 'Higher T softens the teacher’s probabilities so the student also learns which wrong classes look alike.', options: ['1,4', '4', '1', '2', '2,4,8', '1,2,4,8'].map((v) => ({ value: v, label: v })) },
    { key: 'alphas', label: 'Teacher weight α', kind: 'choice', explain: 'Share of the loss from matching the teacher; the rest is ordinary cross-entropy on the labels.', options: ['0.5', '0.9', '0.3', '0.5,0.9', '0.3,0.5,0.9'].map((v) => ({ value: v, label: v })) },
    { key: 'epochs', label: 'Student epochs', kind: 'number', min: 1, max: 20, step: 1, integer: true, explain: 'Every student gets the same budget, so differences come from the loss alone.' },
    { key: 'learningRate', label: 'Learning rate', kind: 'number', min: 1e-5, max: 0.05, step: 0.0001, explain: 'Adam step size for every student.' },
    { key: 'selfDistill', label: 'Self-distillation', kind: 'choice', explain: 'Also train a fresh copy of the teacher’s own architecture from the teacher: can a model learn from itself?', options: [{ value: 'no', label: 'no' }, { value: 'yes', label: 'yes' }] },
    { key: 'qatBits', label: 'Quantized student', kind: 'choice', explain: 'Also distil into a student whose kernels are fake-quantized during training: distillation and QAT together.', options: [{ value: '0', label: 'no' }, { value: '8', label: 'int8 QAT' }, { value: '4', label: 'int4 QAT' }] },
    trainSize,
  ],
};

export const DEFAULT_FIELDS: QdFields = {
  quantize: { seed: QUANTIZE_DEFAULTS.seed, calibrationSize: QUANTIZE_DEFAULTS.calibrationSize, percentile: QUANTIZE_DEFAULTS.percentile, activationBits: String(QUANTIZE_DEFAULTS.activationBits), int4Granularity: QUANTIZE_DEFAULTS.int4Granularity, qatEpochs: QUANTIZE_DEFAULTS.qatEpochs, qatLearningRate: QUANTIZE_DEFAULTS.qatLearningRate, trainSize: QUANTIZE_DEFAULTS.trainSize },
  distill: { seed: DISTILL_DEFAULTS.seed, trainSize: DISTILL_DEFAULTS.trainSize, epochs: DISTILL_DEFAULTS.epochs, learningRate: DISTILL_DEFAULTS.learningRate, studentUnits: DISTILL_DEFAULTS.studentUnits, temperatures: DISTILL_DEFAULTS.temperatures.join(','), alphas: DISTILL_DEFAULTS.alphas.join(','), selfDistill: DISTILL_DEFAULTS.selfDistill ? 'yes' : 'no', qatBits: String(DISTILL_DEFAULTS.qatBits) },
};

/** Checks every field against its bounds and options; throws SettingsError naming the first bad one. */
export function validateFields<K extends QdLabId>(lab: K, v: QdFields[K]): QdFields[K] {
  checkFields(FIELDS[lab], v, ' | ');
  return v;
}

export function paramSpec<K extends QdLabId>(lab: K): ParamSpec<QdFields[K]> {
  return fieldSpec<QdFields[K]>(FIELDS[lab]);
}

export function toQuantizeSettings(f: QuantizeFields): QuantizeSettings {
  validateFields('quantize', f);
  return { seed: f.seed, calibrationSize: f.calibrationSize, percentile: f.percentile, activationBits: Number(f.activationBits) as 8 | 4, int4Granularity: f.int4Granularity as 'tensor' | 'channel', qatEpochs: f.qatEpochs, qatLearningRate: f.qatLearningRate, trainSize: f.trainSize };
}

export function toDistillSettings(f: DistillFields): DistillSettings {
  validateFields('distill', f);
  return {
    seed: f.seed, trainSize: f.trainSize, epochs: f.epochs, learningRate: f.learningRate, studentUnits: f.studentUnits,
    temperatures: list(f.temperatures, 'temperatures', (x) => x > 0), alphas: list(f.alphas, 'alphas', (x) => x >= 0 && x <= 1),
    selfDistill: f.selfDistill === 'yes', qatBits: Number(f.qatBits) as 0 | 8 | 4,
  };
}

/** What the compression kit's lab state needs of a lab's settings: defaults, the controls' fields, the link spec and the check. */
export function settingsSpec<K extends QdLabId>(lab: K) {
  return { defaults: DEFAULT_FIELDS[lab], fields: FIELDS[lab], spec: paramSpec(lab), validate: (v: QdFields[K]) => validateFields(lab, v) };
}
