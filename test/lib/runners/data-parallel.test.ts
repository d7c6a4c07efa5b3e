import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../ml/tf-node.ts';
import { syntheticImages } from '../ml/fixtures.ts';
import { quietContext, StoppedError } from '../../../src/lib/core/task.ts';
import { CHECKPOINT_EVERY, DEFAULTS, FIELDS, run, validate, EQUIVALENCE_TOLERANCE, type DataParallelCheckpoint, type DataParallelSettings } from '../../../src/lib/runners/data-parallel.ts';
import { collectiveBytes } from '../../../src/lib/distributed/collectives.ts';
import { checkFields, SettingsError } from '../../../src/lib/core/fields.ts';

const data = { train: syntheticImages(600, 1), test: syntheticImages(200, 2) };
const small: DataParallelSettings = { ...DEFAULTS, ranks: 3, batchPerRank: 8, steps: 6, trainSize: 300, accumSteps: 1 };

beforeAll(async () => {
  await useBackend('wasm');
});

describe('data-parallel runner', () => {
  it('the defaults pass the field table and the cross-field rules', () => {
    expect(() => checkFields(FIELDS, DEFAULTS)).not.toThrow();
    expect(() => validate(DEFAULTS)).not.toThrow();
  });

  it('3 ranks end where one worker with the global batch ends (SGD, within the stated tolerance); bytes per step are the ring formula', async () => {
    for (const transport of ['port', 'shared'] as const) {
      const r = await run(quietContext, { ...small, transport }, { data });
      expect(r.single!.relDiff).toBeLessThan(EQUIVALENCE_TOLERANCE);
      expect(r.single!.equivalent).toBe(true);
      expect(r.globalBatch).toBe(24);
      // One bucket per block (200,960, 32,896 and 1,290 values), each cut into ⌈L/3⌉-value chunks: the
      // ring formula 2(N−1)/N·4Ψ to within one value per block per phase (3 blocks x 2 phases x 4 bytes).
      expect(Math.abs(r.bytesPerStep - collectiveBytes('all-reduce', r.params * 4, 3))).toBeLessThanOrEqual(24);
      expect(r.bytesFormula).toBe(collectiveBytes('all-reduce', r.params * 4, 3));
      expect(r.loss).toHaveLength(6);
      expect(Math.abs(r.loss[0] - r.single!.loss[0])).toBeLessThan(1e-5);
      expect(r.summary.equivalent).toBe(1);
      expect(r.ranks.map((x) => x.trace.length % 3)).toEqual([0, 0, 0]);
    }
  });

  it('the CNN too: 2 ranks x 4 images, 2 updates, equal one worker with batch 8', async () => {
    const r = await run(quietContext, { ...small, model: 'cnn', ranks: 2, batchPerRank: 4, steps: 2 }, { data });
    expect(r.params).toBe(206922);
    expect(r.single!.relDiff).toBeLessThan(EQUIVALENCE_TOLERANCE);
  });

  it('gradient accumulation: 2 ranks x 2 micro-batches equal one worker with batch 32', async () => {
    const r = await run(quietContext, { ...small, ranks: 2, accumSteps: 2, steps: 4 }, { data });
    expect(r.globalBatch).toBe(32);
    expect(r.single!.relDiff).toBeLessThan(EQUIVALENCE_TOLERANCE);
  });

  it('the simulated network: overlap never makes the step slower, and a faster link never does either', async () => {
    const r = await run(quietContext, { ...small, compareSingle: false, steps: 3 }, { data });
    const sim = r.simulated;
    expect(sim.overlap.stepSeconds).toBeLessThanOrEqual(sim.noOverlap.stepSeconds + 1e-12);
    for (let i = 1; i < sim.bandwidthGBps.length; i++) expect(sim.stepMsNoOverlap[i]).toBeLessThanOrEqual(sim.stepMsNoOverlap[i - 1] + 1e-9);
    expect(r.single).toBeUndefined();
  });

  it('refuses a batch larger than a rank\'s shard, naming the field', () => {
    const err = (() => { try { validate({ ...DEFAULTS, ranks: 8, trainSize: 256, batchPerRank: 64 }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(SettingsError);
    expect((err as SettingsError).field).toBe('batchPerRank');
    expect((err as Error).message).toMatch(/64 images on each rank, more than the 32/);
  });

  it('stops when asked, with every rank released', async () => {
    let calls = 0;
    const ctx = { ...quietContext, checkStop: () => { if (++calls > 4) throw new StoppedError(); } };
    await expect(run(ctx, small, { data })).rejects.toBeInstanceOf(StoppedError);
  });

  it('a run resumed from its checkpoint ends bit-identical to the uninterrupted run (Adam state included)', async () => {
    const s: DataParallelSettings = { ...small, ranks: 2, steps: CHECKPOINT_EVERY + 2, optimizer: 'adam', learningRate: 0.01, compareSingle: false };
    const checkpoints: DataParallelCheckpoint[] = [];
    const whole = await run(quietContext, s, { data, onCheckpoint: (c) => checkpoints.push(c) });
    expect(checkpoints.map((c) => c.update)).toEqual([CHECKPOINT_EVERY]);
    const resumed = await run(quietContext, s, { data, resume: checkpoints[0] });
    expect(resumed.summary.resumedFrom).toBe(CHECKPOINT_EVERY);
    expect(Array.from(resumed.ranks[0].weights!)).toEqual(Array.from(whole.ranks[0].weights!));
    expect(Array.from(resumed.loss)).toEqual(Array.from(whole.loss));
    expect(resumed.bytesPerStep).toBe(whole.bytesPerStep);
    await expect(run(quietContext, { ...s, steps: 5 }, { data, resume: checkpoints[0] })).rejects.toThrow(/does not fit a run of 5 updates/);
  });
});

