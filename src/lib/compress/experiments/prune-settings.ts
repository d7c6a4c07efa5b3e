import { epochsField, seedField, trainSizeField, validateFields, type Field } from './fields';

export type PruneExperiment = 'oneshot' | 'structured' | 'iterative' | 'lottery';

export interface PruneSettings {
  /** Which experiment: one-shot magnitude pruning, structured (units removed and compacted), iterative, or the lottery ticket. */
  experiment: PruneExperiment;
  /** 'layer': every kernel loses the same fraction; 'global': one threshold over all kernels. */
  scope: 'layer' | 'global';
  /** Target fraction of kernel weights to remove (of units, for structured). */
  sparsity: number;
  /** Iterative: prune-and-fine-tune rounds to reach the target. */
  steps: number;
  /** Fine-tune epochs after pruning (per round when iterative; retraining epochs for the lottery ticket). */
  epochs: number;
  trainSize: number;
  seed: number;
}

export const PRUNE_DEFAULTS: PruneSettings = { experiment: 'oneshot', scope: 'global', sparsity: 0.8, steps: 5, epochs: 1, trainSize: 2048, seed: 1 };

export const PRUNE_FIELDS: Field[] = [
  {
    key: 'experiment', label: 'Experiment', kind: 'choice', explain: 'One-shot shows the sparsity/accuracy curve; structured removes whole neurons or filters; iterative prunes in rounds; the lottery ticket rewinds to the initial weights.',
    options: [
      { value: 'oneshot', label: 'one-shot magnitude pruning' },
      { value: 'structured', label: 'structured: remove units, compact' },
      { value: 'iterative', label: 'iterative prune and fine-tune' },
      { value: 'lottery', label: 'lottery ticket vs random re-init' },
    ],
  },
  {
    key: 'scope', label: 'Scope', kind: 'choice', explain: 'Per layer, every kernel loses the same share; global ranks all weights together, so big layers with many small weights lose more.',
    options: [
      { value: 'global', label: 'global threshold' },
      { value: 'layer', label: 'same share per layer' },
    ],
  },
  { key: 'sparsity', label: 'Target sparsity', kind: 'number', min: 0, max: 0.99, step: 0.05, explain: 'Share of kernel weights set to zero (structured: share of each hidden layer\'s units removed). Biases are kept.' },
  { key: 'steps', label: 'Rounds (iterative)', kind: 'number', integer: true, min: 1, max: 10, step: 1, explain: 'Iterative pruning removes the same share of what is left each round, fine-tuning in between, so the network can adapt.' },
  epochsField('Training after pruning lets the remaining weights take over the work of the removed ones (0: none).'),
  trainSizeField,
  seedField,
];

export function validatePrune(s: PruneSettings): PruneSettings {
  return validateFields(PRUNE_FIELDS, s);
}

/**
 * Sparsity after round i of n reaching `target`: 1 − (1 − target)^(i/n). Each round removes the same
 * share of the weights still alive, so early rounds remove many small weights and later ones few.
 */
export function iterativeSchedule(target: number, rounds: number): number[] {
  return Array.from({ length: rounds }, (_, i) => 1 - (1 - target) ** ((i + 1) / rounds));
}
