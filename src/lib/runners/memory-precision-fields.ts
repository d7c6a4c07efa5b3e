/** The memory-precision lab's settings: defaults, fields and checks, with no TensorFlow.js (the page imports these). */
import { SettingsError, checkFields, type Field } from '../core/fields';
import type { ComputePrecision } from '../distributed/precision';
import type { LossScaling } from '../distributed/scaler';

export interface MemoryPrecisionSettings {
  experiment: 'checkpointing' | 'precision';
  depth: number;
  width: number;
  batch: number;
  repeats: number;
  model: 'mlp' | 'deep';
  precision: ComputePrecision;
  scaling: LossScaling;
  initScale: number;
  growthInterval: number;
  steps: number;
  batchSize: number;
  learningRate: number;
  compareFp32: boolean;
  trainSize: number;
  seed: number;
}

export const DEFAULTS: MemoryPrecisionSettings = {
  experiment: 'checkpointing', depth: 12, width: 256, batch: 256, repeats: 1,
  model: 'mlp', precision: 'fp16', scaling: 'none', initScale: 65536, growthInterval: 50, steps: 60, batchSize: 64, learningRate: 0.001, compareFp32: true, trainSize: 4000, seed: 42,
};

export const FIELDS: Field[] = [
  { key: 'experiment', label: 'Experiment', kind: 'choice', options: [{ value: 'checkpointing', label: 'Activation checkpointing' }, { value: 'precision', label: 'Mixed precision' }], explain: 'Trade memory for recompute, or bits for range.' },
  { key: 'depth', label: 'Depth (blocks)', kind: 'number', group: 'Checkpointing', min: 2, max: 48, step: 1, integer: true, explain: 'Hidden dense+ReLU blocks of the deep MLP (n = depth + 1 with the output block).' },
  { key: 'width', label: 'Width', kind: 'number', min: 32, max: 1024, step: 1, integer: true, explain: 'Units per block: one block\'s activations are batch × width × 4 bytes.' },
  { key: 'batch', label: 'Batch', kind: 'number', min: 16, max: 2048, step: 1, integer: true, explain: 'Examples per step: activations grow with it, weights do not.' },
  { key: 'repeats', label: 'Timed steps per mode', kind: 'number', min: 1, max: 10, step: 1, integer: true, explain: 'Steps timed for each mode (the median is shown) after one warm-up and one profiled step.' },
  { key: 'model', label: 'Model', kind: 'choice', group: 'Precision', options: [{ value: 'mlp', label: 'Training lab MLP' }, { value: 'deep', label: 'Deep MLP (depth × width above)' }], explain: 'Deeper nets have smaller gradients in early layers, closer to fp16\'s floor.' },
  { key: 'precision', label: 'Precision', kind: 'choice', options: [{ value: 'fp16', label: 'fp16' }, { value: 'bf16', label: 'bf16' }, { value: 'fp32', label: 'fp32' }], explain: 'fp16: 10 mantissa bits, range 6e-8 to 65504; bf16: 7 mantissa bits, fp32\'s range.' },
  { key: 'scaling', label: 'Loss scaling', kind: 'choice', options: [{ value: 'none', label: 'None' }, { value: 'static', label: 'Static' }, { value: 'dynamic', label: 'Dynamic' }], explain: 'Multiply the loss by S so small gradients stay above fp16\'s floor; dynamic halves S on overflow and skips the step.' },
  { key: 'initScale', label: 'Loss scale S', kind: 'number', min: 1, max: 2 ** 40, step: 1, explain: 'The static scale, or where the dynamic one starts (PyTorch starts at 65,536).' },
  { key: 'growthInterval', label: 'Growth interval', kind: 'number', min: 1, max: 2000, step: 1, integer: true, advanced: true, explain: 'Dynamic scaling doubles S after this many steps without overflow.' },
  { key: 'steps', label: 'Updates', kind: 'number', min: 1, max: 500, step: 1, integer: true, explain: 'Optimizer updates to run.' },
  { key: 'batchSize', label: 'Batch size', kind: 'number', min: 1, max: 512, step: 1, integer: true, explain: 'Images per update.' },
  { key: 'learningRate', label: 'Learning rate', kind: 'number', min: 1e-5, max: 1, step: 0.0001, explain: 'Adam\'s step size.' },
  { key: 'compareFp32', label: 'Compare with fp32', kind: 'boolean', explain: 'Run the same updates in fp32 to see what the precision cost.' },
  { key: 'trainSize', label: 'Training images', kind: 'number', min: 256, max: 9000, step: 1, integer: true, advanced: true, explain: 'A seeded subset of the training images.' },
  { key: 'seed', label: 'Seed', kind: 'number', min: 0, max: 2 ** 31 - 1, step: 1, integer: true, explain: 'Fixes the initial weights and the batches.' },
];

export function validate(s: MemoryPrecisionSettings): void {
  checkFields(FIELDS, s);
  if (s.experiment === 'precision' && s.batchSize > s.trainSize) throw new SettingsError('batchSize', `Batch size (${s.batchSize}) is more than the ${s.trainSize} training images.`);
  if (s.experiment === 'checkpointing' && s.depth * s.width * s.batch > 16 * 1024 * 2048) throw new SettingsError('batch', `depth × width × batch is ${(s.depth * s.width * s.batch).toLocaleString('en')}: keep it under 33,554,432 (about 128 MB of activations) so a step fits in a browser tab.`);
}
