/** The federated lab's settings: defaults, fields and checks, with no TensorFlow.js (the page imports these). */
import { SettingsError, checkFields, type Field } from '../core/fields';
import type { FedAlgorithm } from '../distributed/federated';
import type { PartitionKind } from '../distributed/partition';

export interface FederatedSettings {
  clients: number;
  partition: PartitionKind;
  alpha: number;
  algorithm: FedAlgorithm;
  localEpochs: number;
  clientFraction: number;
  localBatch: number;
  learningRate: number;
  rounds: number;
  targetAccuracy: number;
  dropRate: number;
  secureAgg: boolean;
  dpNoise: number;
  clipNorm: number;
  trainSize: number;
  testSize: number;
  seed: number;
}

export const DEFAULTS: FederatedSettings = {
  clients: 10, partition: 'dirichlet', alpha: 0.3, algorithm: 'fedavg', localEpochs: 1, clientFraction: 0.5, localBatch: 32, learningRate: 0.05, rounds: 15,
  targetAccuracy: 0.65, dropRate: 0, secureAgg: false, dpNoise: 0, clipNorm: 1, trainSize: 2000, testSize: 1000, seed: 42,
};

export const FIELDS: Field[] = [
  { key: 'clients', label: 'Clients (K)', kind: 'number', group: 'Clients and data', min: 2, max: 100, step: 1, integer: true, explain: 'Devices that each keep their own images; the server never sees them.' },
  { key: 'partition', label: 'Data split', kind: 'choice', options: [{ value: 'iid', label: 'IID (shuffled evenly)' }, { value: 'dirichlet', label: 'Dirichlet over labels (α)' }, { value: 'shards', label: '2 label shards per client (McMahan 2017)' }], explain: 'Real devices see skewed data: a phone of shoe photos, another of shirts.' },
  { key: 'alpha', label: 'Dirichlet α', kind: 'number', min: 0.01, max: 100, step: 0.01, explain: 'Small α: each client gets a few classes; large α: close to IID.' },
  { key: 'algorithm', label: 'Algorithm', kind: 'choice', group: 'Training', options: [{ value: 'fedavg', label: 'FedAvg (E local epochs)' }, { value: 'fedsgd', label: 'FedSGD (one gradient step)' }], explain: 'FedAvg does more work per round on the device to need fewer rounds of communication.' },
  { key: 'localEpochs', label: 'Local epochs (E)', kind: 'number', min: 1, max: 20, step: 1, integer: true, explain: 'Passes over its own data each client makes per round (FedAvg).' },
  { key: 'clientFraction', label: 'Client fraction (C)', kind: 'number', min: 0.05, max: 1, step: 0.05, explain: 'Share of the clients asked to train each round.' },
  { key: 'localBatch', label: 'Local batch (B)', kind: 'number', min: 1, max: 512, step: 1, integer: true, explain: 'Minibatch of the local SGD (FedAvg).' },
  { key: 'learningRate', label: 'Learning rate', kind: 'number', min: 0.0001, max: 2, step: 0.001, explain: 'SGD step size on the clients.' },
  { key: 'rounds', label: 'Rounds', kind: 'number', min: 1, max: 200, step: 1, integer: true, explain: 'Rounds of send-train-aggregate.' },
  { key: 'targetAccuracy', label: 'Target accuracy', kind: 'number', min: 0.1, max: 0.99, step: 0.01, explain: 'Rounds and bytes until the global model first reaches this test accuracy.' },
  { key: 'dropRate', label: 'Drop rate', kind: 'number', group: 'Failures and privacy', min: 0, max: 0.9, step: 0.05, explain: 'Chance a selected client goes offline before reporting: its work is lost.' },
  { key: 'secureAgg', label: 'Secure aggregation', kind: 'boolean', explain: 'Clients add pairwise masks that cancel in the sum: the server sees only the total.' },
  { key: 'dpNoise', label: 'DP noise σ', kind: 'number', min: 0, max: 10, step: 0.1, explain: 'Gaussian noise σ·S added to the sum of clipped updates (0: off): privacy paid in accuracy.' },
  { key: 'clipNorm', label: 'Clip norm S', kind: 'number', min: 0.001, max: 100, step: 0.001, explain: 'With DP noise, each update is scaled down to at most this L2 norm.' },
  { key: 'trainSize', label: 'Training images', kind: 'number', min: 200, max: 9000, step: 1, integer: true, advanced: true, explain: 'A seeded subset spread over the clients.' },
  { key: 'testSize', label: 'Test images', kind: 'number', min: 100, max: 2000, step: 1, integer: true, advanced: true, explain: 'Held-out images the global model is scored on after every round.' },
  { key: 'seed', label: 'Seed', kind: 'number', min: 0, max: 2 ** 31 - 1, step: 1, integer: true, explain: 'Fixes the split, the client choices, drops, shuffles and noise.' },
];

export function validate(s: FederatedSettings): void {
  checkFields(FIELDS, s);
  if (s.partition === 'shards' && s.trainSize < 2 * s.clients) throw new SettingsError('clients', `Two shards for each of ${s.clients} clients need at least ${2 * s.clients} training images.`);
}
