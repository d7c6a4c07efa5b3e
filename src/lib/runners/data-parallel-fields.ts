/** The data-parallel lab's settings: defaults, fields and checks, with no TensorFlow.js (the page imports these). */
import { SettingsError, checkFields, type Field } from '../core/fields';
import type { TransportKind } from '../distributed/launch';
import type { CollectiveAlgorithm } from '../distributed/network';
import type { ModelKind } from '../ml/config';
import type { OptimizerName } from '../distributed/memory-model';

export interface DataParallelSettings {
  model: ModelKind;
  ranks: number;
  transport: TransportKind;
  batchPerRank: number;
  accumSteps: number;
  optimizer: OptimizerName;
  learningRate: number;
  steps: number;
  trainSize: number;
  seed: number;
  compareSingle: boolean;
  algorithm: CollectiveAlgorithm;
  ranksPerNode: number;
  latencyUs: number;
  bandwidthGBps: number;
  interLatencyUs: number;
  interBandwidthGBps: number;
}

export const DEFAULTS: DataParallelSettings = {
  model: 'mlp', ranks: 4, transport: 'port', batchPerRank: 32, accumSteps: 1, optimizer: 'sgd', learningRate: 0.05, steps: 40, trainSize: 4000, seed: 42,
  compareSingle: true, algorithm: 'ring', ranksPerNode: 2, latencyUs: 20, bandwidthGBps: 1, interLatencyUs: 200, interBandwidthGBps: 0.1,
};

/** Largest relative weight difference (max |Δw| / max |w|) still called "the same training". */
export const EQUIVALENCE_TOLERANCE = 1e-4;

export const FIELDS: Field[] = [
  { key: 'model', label: 'Model', kind: 'choice', group: 'Ranks and data', options: [{ value: 'mlp', label: 'MLP (235k parameters)' }, { value: 'cnn', label: 'CNN (206k parameters)' }], explain: 'Every rank holds a full replica of this model; only its gradients travel.' },
  { key: 'ranks', label: 'Ranks', kind: 'number', min: 1, max: 8, step: 1, integer: true, explain: 'Workers acting as devices; each trains on its own shard of the images.' },
  { key: 'transport', label: 'Transport', kind: 'choice', options: [{ value: 'shared', label: 'SharedArrayBuffer (needs an isolated page)' }, { value: 'port', label: 'MessagePorts' }], explain: 'How ranks exchange gradient chunks: shared memory with Atomics, or copied messages.' },
  { key: 'batchPerRank', label: 'Batch per rank', kind: 'number', min: 1, max: 256, step: 1, integer: true, explain: 'Images each rank takes per micro-batch; the global batch is ranks × this × accumulation.' },
  { key: 'accumSteps', label: 'Accumulation steps', kind: 'number', min: 1, max: 16, step: 1, integer: true, explain: 'Micro-batches each rank sums before the all-reduce: one all-reduce per k micro-batches.' },
  { key: 'optimizer', label: 'Optimizer', kind: 'choice', group: 'Training', options: [{ value: 'sgd', label: 'SGD' }, { value: 'adam', label: 'Adam' }], explain: 'Adam divides each gradient by its running size, so summation-order differences grow more than with SGD (at the defaults 2.6e-6 vs 2.3e-7, both far inside the tolerance).' },
  { key: 'learningRate', label: 'Learning rate', kind: 'number', min: 1e-5, max: 1, step: 0.0001, explain: 'Step size of every update.' },
  { key: 'steps', label: 'Updates', kind: 'number', min: 1, max: 500, step: 1, integer: true, explain: 'Optimizer updates to run (the sampler reshuffles at each new epoch).' },
  { key: 'trainSize', label: 'Training images', kind: 'number', min: 256, max: 9000, step: 1, integer: true, explain: 'A seeded subset of the 9,000 training images, split across the ranks.' },
  { key: 'seed', label: 'Seed', kind: 'number', min: 0, max: 2 ** 31 - 1, step: 1, integer: true, explain: 'Fixes the initial weights (the same on every rank) and the sampler\'s shuffles.' },
  { key: 'compareSingle', label: 'Compare with one worker', kind: 'boolean', explain: 'Also train one worker on each whole global batch and measure how far the weights end apart.' },
  { key: 'algorithm', label: 'Algorithm', kind: 'choice', group: 'Simulated network', advanced: true, options: [{ value: 'ring', label: 'Ring' }, { value: 'tree', label: 'Binary tree' }, { value: 'hierarchical', label: 'Hierarchical (ring in node, ring across)' }], explain: 'Ring: 2(N−1) small steps; tree: 2 log N whole-message hops; hierarchical: fast links first.' },
  { key: 'ranksPerNode', label: 'Ranks per node', kind: 'number', min: 1, max: 8, step: 1, integer: true, advanced: true, explain: 'Ranks sharing a machine; links between machines are the slow ones below.' },
  { key: 'latencyUs', label: 'Latency in a node (µs)', kind: 'number', min: 0, max: 100000, step: 1, advanced: true, explain: 'α: the fixed cost of every message between ranks of one node.' },
  { key: 'bandwidthGBps', label: 'Bandwidth in a node (GB/s)', kind: 'number', min: 0.001, max: 1000, step: 0.001, advanced: true, explain: 'β: bytes per second on a link inside a node.' },
  { key: 'interLatencyUs', label: 'Latency across nodes (µs)', kind: 'number', min: 0, max: 100000, step: 1, advanced: true, explain: 'α between machines.' },
  { key: 'interBandwidthGBps', label: 'Bandwidth across nodes (GB/s)', kind: 'number', min: 0.001, max: 1000, step: 0.001, advanced: true, explain: 'β between machines: with more than one node, every ring step waits for it.' },
];

export function validate(s: DataParallelSettings): void {
  checkFields(FIELDS, s);
  const perRank = Math.floor(s.trainSize / s.ranks);
  if (s.batchPerRank * s.accumSteps > perRank) throw new SettingsError('batchPerRank', `One update needs batch per rank × accumulation = ${s.batchPerRank * s.accumSteps} images on each rank, more than the ${perRank} each of the ${s.ranks} ranks gets from ${s.trainSize} images.`);
}
