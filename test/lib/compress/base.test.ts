import { describe, expect, it } from 'vitest';
import { MemoryRunStore } from '../../../src/lib/store/index.ts';
import { newestTrainingRun } from '../../../src/lib/compress/base.ts';
import { makeCheckpoint, makeRun } from '../store/fixtures.ts';

describe('newestTrainingRun (the base-model policy: the learner’s newest finished training run on this dataset)', () => {
  it('takes the newest finished training-lab run on the dataset that has weights, and nothing else', async () => {
    const store = new MemoryRunStore();
    const at = (k: number) => 1_700_000_000_000 + k * 1000;
    // Newest first: a failed run, a run on another dataset, a run without weights, another lab's run, then the one.
    await store.putRun(makeRun({ id: 'failed', lab: 'train', status: 'failed', createdAt: at(5) }));
    await store.putRun(makeRun({ id: 'other-data', lab: 'train', dataHash: 'sha256:zzz', createdAt: at(4) }));
    await store.putRun(makeRun({ id: 'no-weights', lab: 'train', createdAt: at(3) }));
    await store.putRun(makeRun({ id: 'onnx-default', lab: 'onnx', createdAt: at(2) }));
    await store.putRun(makeRun({ id: 'the-one', lab: 'train', createdAt: at(1) }));
    await store.putRun(makeRun({ id: 'older', lab: 'train', createdAt: at(0) }));
    for (const id of ['failed', 'other-data', 'onnx-default', 'the-one', 'older']) await store.putCheckpoint(makeCheckpoint(id, 10));
    expect((await newestTrainingRun(store, 'sha256:abc'))?.id).toBe('the-one');
    expect((await newestTrainingRun(store, 'sha256:abc', (r) => r.id !== 'the-one'))?.id).toBe('older');
    expect(await newestTrainingRun(store, 'sha256:nothing')).toBeUndefined();
  });
});
