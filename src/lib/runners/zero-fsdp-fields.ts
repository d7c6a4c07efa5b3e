/** The zero-fsdp lab's settings: defaults, fields and checks, with no TensorFlow.js (the page imports these). */
import { SettingsError, checkFields, type Field } from '../core/fields';
import type { TransportKind } from '../distributed/launch';
import type { OptimizerName, TrainPrecision } from '../distributed/memory-model';
import { STRATEGIES, type Strategy } from '../distributed/strategy';
import type { ModelKind } from '../ml/config';

export interface ZeroSettings {
  model: ModelKind;
  ranks: number;
  transport: TransportKind;
  strategy: Strategy;
  precision: TrainPrecision;
  optimizer: OptimizerName;
  learningRate: number;
  offload: boolean;
  batchPerRank: number;
  steps: number;
  trainSize: number;
  seed: number;
  compareDp: boolean;
}

export const DEFAULTS: ZeroSettings = {
  model: 'mlp', ranks: 4, transport: 'port', strategy: 'zero3', precision: 'mixed', optimizer: 'adam', learningRate: 0.001, offload: false,
  batchPerRank: 32, steps: 12, trainSize: 4000, seed: 42, compareDp: true,
};

export const STRATEGY_LABEL: Record<Strategy, string> = {
  dp: 'Data parallel (ZeRO-0, FSDP NO_SHARD)',
  zero1: 'ZeRO-1: optimizer states sharded',
  zero2: 'ZeRO-2: + gradients sharded',
  'shard-grad-op': 'FSDP SHARD_GRAD_OP: + parameters sharded between steps',
  zero3: 'ZeRO-3 (FSDP FULL_SHARD): + parameters gathered per block',
};

export const FIELDS: Field[] = [
  { key: 'strategy', label: 'Strategy', kind: 'choice', group: 'Sharding', options: STRATEGIES.map((v) => ({ value: v, label: STRATEGY_LABEL[v] })), explain: 'What each rank keeps whole and what it keeps only a 1/N shard of.' },
  { key: 'ranks', label: 'Ranks', kind: 'number', min: 1, max: 8, step: 1, integer: true, explain: 'Workers the model states are sharded over (N).' },
  { key: 'precision', label: 'Precision', kind: 'choice', options: [{ value: 'mixed', label: 'Mixed (fp16 weights and gradients, fp32 master)' }, { value: 'fp32', label: 'fp32' }], explain: 'Mixed precision keeps 2+2 bytes per parameter for compute and 12 for Adam\'s fp32 master, momentum and variance.' },
  { key: 'optimizer', label: 'Optimizer', kind: 'choice', options: [{ value: 'adam', label: 'Adam' }, { value: 'sgd', label: 'SGD' }], explain: 'Adam keeps two states per parameter (8 bytes in fp32); SGD without momentum keeps none.' },
  { key: 'offload', label: 'Offload the optimizer', kind: 'boolean', explain: 'Keep master weights and optimizer states on a host endpoint; pay for it in transfer bytes every step (ZeRO stage 1 or more).' },
  { key: 'transport', label: 'Transport', kind: 'choice', options: [{ value: 'shared', label: 'SharedArrayBuffer (needs an isolated page)' }, { value: 'port', label: 'MessagePorts' }], explain: 'How ranks exchange shards.' },
  { key: 'model', label: 'Model', kind: 'choice', group: 'Training', options: [{ value: 'mlp', label: 'MLP' }, { value: 'cnn', label: 'CNN' }], explain: 'The training lab\'s models, cut into blocks (layers) that ZeRO-3 gathers one at a time.' },
  { key: 'learningRate', label: 'Learning rate', kind: 'number', min: 1e-5, max: 1, step: 0.0001, explain: 'Step size of every update.' },
  { key: 'batchPerRank', label: 'Batch per rank', kind: 'number', min: 1, max: 256, step: 1, integer: true, explain: 'Images each rank takes per update.' },
  { key: 'steps', label: 'Updates', kind: 'number', min: 1, max: 300, step: 1, integer: true, explain: 'Optimizer updates to run.' },
  { key: 'trainSize', label: 'Training images', kind: 'number', min: 256, max: 9000, step: 1, integer: true, explain: 'A seeded subset of the training images, split across the ranks.' },
  { key: 'seed', label: 'Seed', kind: 'number', min: 0, max: 2 ** 31 - 1, step: 1, integer: true, explain: 'Fixes the initial weights and the shuffles.' },
  { key: 'compareDp', label: 'Compare with data parallel', kind: 'boolean', explain: 'Run the same updates unsharded and compare the weights value by value.' },
];

export function validate(s: ZeroSettings): void {
  checkFields(FIELDS, s);
  if (s.offload && s.strategy === 'dp') throw new SettingsError('offload', 'Offload moves each rank\'s optimizer shard to the host: choose ZeRO-1 or more (or turn offload off).');
  const per = Math.floor(s.trainSize / s.ranks);
  if (s.batchPerRank > per) throw new SettingsError('batchPerRank', `Batch per rank (${s.batchPerRank}) is more than the ${per} images each of the ${s.ranks} ranks gets.`);
}
