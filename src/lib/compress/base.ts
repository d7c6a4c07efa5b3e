/**
 * The one base-model policy of the compression labs (prune, low-rank, trade-off, quantize, distill):
 * the learner's newest finished training-lab run on this dataset with saved weights (only a model
 * trained on these very images will do: its test images must be unseen); without one, DEFAULT_BASE,
 * trained once by the training lab's Trainer and saved as a training-lab run named DEFAULT_BASE_NAME,
 * so every later lab (and visit) reuses it. compress/service.ts loadBase applies it. The serving
 * labs' model source (serve/model-source.ts DEFAULT_MODEL) shares newestTrainingRun.
 */
import type { Store } from '../store';
import type { RunRecord } from '../store/types';
import { DEFAULTS as TRAIN_DEFAULTS, type TrainConfig } from '../ml/config';

/** The default base: the training lab's MLP, 4 epochs on its 9,000 training images, seed 42 (at 2 epochs, 81%, the distillation teacher was weaker than a student trained alone). */
export const DEFAULT_BASE: Omit<TrainConfig, 'backend'> = { ...TRAIN_DEFAULTS, model: 'mlp', epochs: 4, seed: 42, trainSize: 9000 };

/** Name of the training-lab run that holds the default base. */
export const DEFAULT_BASE_NAME = 'compression base (default)';

/** The saved default base on `dataHash`, if it was trained before: newest first, finished, named DEFAULT_BASE_NAME. */
export async function savedDefaultBase(store: Pick<Store, 'listRuns' | 'checkpointSteps'>, dataHash: string): Promise<RunRecord | undefined> {
  return newestTrainingRun(store, dataHash, (r) => r.name === DEFAULT_BASE_NAME);
}

/** Newest first, as the store lists them: the first finished 'train' run on `dataHash` with a checkpoint that `accept` takes. */
export async function newestTrainingRun(
  store: Pick<Store, 'listRuns' | 'checkpointSteps'>,
  dataHash: string,
  accept: (run: RunRecord) => boolean = () => true,
): Promise<RunRecord | undefined> {
  for (const run of await store.listRuns('train')) {
    if (run.status !== 'done' || run.dataHash !== dataHash || !accept(run)) continue;
    if ((await store.checkpointSteps(run.id)).length > 0) return run;
  }
  return undefined;
}
