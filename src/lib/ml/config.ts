/** Training configuration: every knob of the training lab, its default, its bounds and its one-line why. */

export type ModelKind = 'mlp' | 'cnn';
export type OptimizerKind = 'sgd' | 'momentum' | 'adam';
import type { BackendChoice } from '../runtime/choose';
export type { BackendChoice, BackendName } from '../runtime/choose';

export interface TrainConfig {
  /** Architecture: 'mlp' (784-256-128-10) or 'cnn' (two 3x3 conv blocks, dense 128). */
  model: ModelKind;
  /** Update rule: plain SGD, SGD with momentum 0.9, or Adam (beta1 0.9, beta2 0.999). */
  optimizer: OptimizerKind;
  /** Step size of every update. */
  learningRate: number;
  /** Examples per micro-batch (one forward/backward pass). */
  batchSize: number;
  /** Micro-batches whose gradients are averaged before one optimizer update. */
  accumSteps: number;
  /** Passes over the training set. */
  epochs: number;
  /** Seeds weight initialisation and the per-epoch shuffles. */
  seed: number;
  /** Number of training images used (of 9,000; 1,000 more are held out for validation). */
  trainSize: number;
  /** Where the math runs. */
  backend: BackendChoice;
}

export const DEFAULTS: TrainConfig = {
  model: 'mlp',
  optimizer: 'adam',
  learningRate: 0.001,
  batchSize: 64,
  accumSteps: 1,
  epochs: 3,
  seed: 42,
  trainSize: 9000,
  backend: 'auto',
};

interface NumberSpec { min: number; max: number; integer: boolean }

/** Bounds that keep a run meaningful and finishable in a browser tab. */
export const LIMITS: Record<'learningRate' | 'batchSize' | 'accumSteps' | 'epochs' | 'seed' | 'trainSize', NumberSpec> = {
  learningRate: { min: 1e-6, max: 10, integer: false },
  batchSize: { min: 1, max: 1024, integer: true },
  accumSteps: { min: 1, max: 64, integer: true },
  epochs: { min: 1, max: 50, integer: true },
  seed: { min: 0, max: 2 ** 31 - 1, integer: true },
  trainSize: { min: 64, max: 9000, integer: true },
};

/** One-line explanations shown beside each control. */
export const EXPLAIN: Record<keyof TrainConfig, string> = {
  model: 'An MLP sees pixels as a flat list; a CNN shares small filters across the image, so it learns shapes with fewer weights.',
  optimizer: 'SGD follows the gradient; momentum keeps a running direction; Adam also scales each weight\'s step by its gradient history.',
  learningRate: 'How far each update moves the weights. Too small crawls; too large overshoots and the loss explodes.',
  batchSize: 'Images per forward/backward pass. Larger batches give smoother gradients and use the hardware better, up to memory.',
  accumSteps: 'Average gradients over k micro-batches before updating: k x b behaves like one batch of k·b when memory is short.',
  epochs: 'How many times the model sees every training image.',
  seed: 'Fixes the initial weights and the shuffling order, so the same settings and backend give the same run: bit-identical on wasm and cpu, within 1e-4 in loss on webgpu (GPU reductions may add in a different order).',
  trainSize: 'Use fewer images for a quicker (but less accurate) run.',
  backend: 'auto picks the fastest engine it measures here; webgpu uses your GPU, wasm your CPU with SIMD, cpu is plain JavaScript.',
};

const MODELS: readonly ModelKind[] = ['mlp', 'cnn'];
const OPTIMIZERS: readonly OptimizerKind[] = ['sgd', 'momentum', 'adam'];
const BACKENDS: readonly BackendChoice[] = ['auto', 'webgpu', 'wasm', 'cpu'];

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly field: keyof TrainConfig, message: string) {
    super(message);
  }
}

/** Checks every field; throws ConfigError naming the first bad one. */
export function validateConfig(c: TrainConfig): TrainConfig {
  if (!MODELS.includes(c.model)) throw new ConfigError('model', `Unknown model "${c.model}": choose mlp or cnn.`);
  if (!OPTIMIZERS.includes(c.optimizer)) throw new ConfigError('optimizer', `Unknown optimizer "${c.optimizer}": choose sgd, momentum or adam.`);
  if (!BACKENDS.includes(c.backend)) throw new ConfigError('backend', `Unknown backend "${c.backend}": choose auto, webgpu, wasm or cpu.`);
  for (const [key, spec] of Object.entries(LIMITS) as [keyof typeof LIMITS, NumberSpec][]) {
    const v = c[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(key, `${label(key)} must be a number, got ${String(v)}.`);
    if (spec.integer && !Number.isInteger(v)) throw new ConfigError(key, `${label(key)} must be a whole number, got ${v}.`);
    if (v < spec.min || v > spec.max) throw new ConfigError(key, `${label(key)} must be between ${spec.min} and ${spec.max}, got ${v}.`);
  }
  if (c.batchSize * c.accumSteps > c.trainSize) {
    throw new ConfigError('batchSize', `One update needs batch size x accumulation = ${c.batchSize * c.accumSteps} images, more than the ${c.trainSize} training images.`);
  }
  return c;
}

function label(key: string): string {
  return key.replace(/([A-Z])/g, ' $1').replace(/^./, (s) => s.toUpperCase());
}

export const isModel = (v: string): v is ModelKind => (MODELS as readonly string[]).includes(v);
export const isOptimizer = (v: string): v is OptimizerKind => (OPTIMIZERS as readonly string[]).includes(v);
export const isBackendChoice = (v: string): v is BackendChoice => (BACKENDS as readonly string[]).includes(v);
