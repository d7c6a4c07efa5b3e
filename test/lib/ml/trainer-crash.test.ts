import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useBackend as useNodeBackend } from './tf-node.ts';
import { Trainer, type RunSink } from '../../../src/lib/ml/trainer.ts';
import { DEFAULTS, type TrainConfig } from '../../../src/lib/ml/config.ts';
import type { Store } from '../../../src/lib/store/index.ts';
import { freshStore } from '../store/fixtures.ts';
import { syntheticData } from './fixtures.ts';

const config: TrainConfig = { ...DEFAULTS, trainSize: 320, batchSize: 32, epochs: 3, backend: 'cpu', learningRate: 0.01 };

let stores: Store[] = [];
afterEach(() => {
  for (const s of stores) s.close();
  stores = [];
});

/** What a crash right now would leave: a record ahead of its weights, or a 'done' that is not all stored. */
async function disagreement(store: Store): Promise<string | null> {
  const run = await store.getRun('r');
  if (!run) return null;
  const cp = await store.latestCheckpoint('r');
  if (run.epochsDone !== (cp?.epoch ?? -1)) return `record says epoch ${run.epochsDone}, newest checkpoint is epoch ${cp?.epoch ?? 'none'}`;
  if (run.metrics.step.length < (cp?.step ?? 0)) return `the curve stops at step ${run.metrics.step.length}, before the checkpoint's step ${cp!.step}`;
  if (run.status === 'done' && (run.metrics.step.length !== run.stepsDone || run.epochsDone !== config.epochs || !run.final)) return `'done' with ${run.metrics.step.length} of ${run.stepsDone} points`;
  return null;
}

/**
 * The store as the trainer's sink, checked after every write it completes: the state after write k
 * is exactly what a browser killed right after write k leaves (every write is one transaction).
 */
function checkedSink(store: Store, withCommit: boolean): { sink: RunSink; found: string[]; writes: () => number } {
  const found: string[] = [];
  let n = 0;
  const after = async <T>(p: Promise<T>): Promise<T> => {
    const out = await p;
    n++;
    const d = await disagreement(store);
    if (d) found.push(`after write ${n}: ${d}`);
    return out;
  };
  const sink: RunSink = {
    putRun: (r) => after(store.putRun(r)),
    appendMetrics: (id, p) => after(store.appendMetrics(id, p)),
    putCheckpoint: (cp) => after(store.putCheckpoint(cp)),
    ...(withCommit ? { commit: (c) => after(store.commit(c)) } : {}),
  };
  return { sink, found, writes: () => n };
}

describe('Trainer: a browser killed after any write leaves record and checkpoint in agreement', () => {
  beforeAll(() => useNodeBackend('cpu'));

  it('with the store\'s commit, no write leaves a record ahead of its weights, and the run ends done with every point', async () => {
    const { store } = await freshStore();
    stores.push(store);
    const { sink, found, writes } = checkedSink(store, true);
    const trainer = new Trainer(sink);
    trainer.setData(syntheticData());
    const run = await trainer.run(config, { runId: 'r', backend: 'cpu' }, () => {});
    expect(run.status).toBe('done');
    // The epoch-0 record and weights, the 'running' record, one commit per epoch (record, its points
    // and its weights together), the final record: a write per update would let the store lag.
    expect(writes()).toBe(3 + config.epochs);
    expect(found).toEqual([]);
    const stored = (await store.getRun('r'))!;
    expect(stored.status).toBe('done');
    expect(stored.metrics.step).toEqual(Array.from({ length: run.stepsDone }, (_, i) => i + 1));
    expect((await store.latestCheckpoint('r'))!.epoch).toBe(config.epochs);
  });

  it('backpressure: no update of epoch k+1 runs before epoch k\'s commit is stored, even on a slow disk', async () => {
    const { store } = await freshStore();
    stores.push(store);
    const log: string[] = [];
    const slow = <T>(p: () => Promise<T>) => new Promise((r) => setTimeout(r, 150)).then(p);
    const sink: RunSink = {
      putRun: (r) => slow(() => store.putRun(r)),
      appendMetrics: (id, p) => slow(() => store.appendMetrics(id, p)),
      putCheckpoint: (cp) => slow(() => store.putCheckpoint(cp)),
      commit: (c) => slow(() => store.commit(c)).then(() => void log.push(`stored ${c.checkpoint?.epoch ?? '-'}`)),
    };
    const trainer = new Trainer(sink);
    trainer.setData(syntheticData());
    await trainer.run(config, { runId: 'r', backend: 'cpu' }, (e) => {
      // 320 images in batches of 32: 10 updates an epoch, so updates 1, 11 and 21 start epochs 0, 1 and 2.
      if (e.type === 'step' && (e.step - 1) % 10 === 0) log.push(`start ${(e.step - 1) / 10}`);
    });
    // Each epoch's first update comes after the checkpoint of the epoch before it is stored.
    for (let k = 1; k < config.epochs; k++) expect(log.indexOf(`stored ${k}`)).toBeLessThan(log.indexOf(`start ${k}`));
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start 0', 'start 1', 'start 2']);
  });

  it('control: a sink without commit (record, then checkpoint, two writes) is caught by the same check', async () => {
    const { store } = await freshStore();
    stores.push(store);
    const { sink, found } = checkedSink(store, false);
    const trainer = new Trainer(sink);
    trainer.setData(syntheticData());
    await trainer.run({ ...config, epochs: 1 }, { runId: 'r', backend: 'cpu' }, () => {});
    expect(found[0]).toBe('after write 1: record says epoch 0, newest checkpoint is epoch none');
    expect(found.some((f) => /record says epoch 1, newest checkpoint is epoch 0$/.test(f))).toBe(true);
  });
});
