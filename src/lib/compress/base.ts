/**
 * Where the labs that start from a trained classifier (prune, low-rank, trade-off, quantize,
 * distill, ONNX export, serving) find it: the learner's newest finished training-lab run on this
 * dataset with saved weights. Only a model trained on these very images will do: its test images
 * must be unseen. Without one, each lab still trains its own default (compress/service.ts
 * DEFAULT_BASE, compress/labs/defaults.ts, serve/model-source.ts DEFAULT_MODEL).
 */
import type { Store } from '../store';
import type { RunRecord } from '../store/types';

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
