import { DEFAULTS, isBackendChoice, isModel, isOptimizer, validateConfig, type TrainConfig } from './config';
import { decodeParams, encodeParams, type Decoded, type ParamSpec } from '../core/url-state';

/** How each training setting travels in the URL (#/lab/train?model=cnn&lr=...). */
export const TRAIN_PARAMS: ParamSpec<TrainConfig> = {
  model: { kind: 'string', parse: (s) => (isModel(s) ? s : undefined) },
  optimizer: { kind: 'string', parse: (s) => (isOptimizer(s) ? s : undefined) },
  learningRate: { kind: 'number' },
  batchSize: { kind: 'number' },
  accumSteps: { kind: 'number' },
  epochs: { kind: 'number' },
  seed: { kind: 'number' },
  trainSize: { kind: 'number' },
  backend: { kind: 'string', parse: (s) => (isBackendChoice(s) ? s : undefined) },
};

export const encodeTrainConfig = (c: TrainConfig): string => encodeParams(c, TRAIN_PARAMS);
export const decodeTrainConfig = (q: string | URLSearchParams): Decoded<TrainConfig> => decodeParams(q, DEFAULTS, TRAIN_PARAMS, validateConfig);
