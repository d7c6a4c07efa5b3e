import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../ml/tf-node.ts';
import { syntheticImages } from '../ml/fixtures.ts';
import { quietContext } from '../../../src/lib/core/task.ts';
import { checkFields } from '../../../src/lib/core/fields.ts';
import { DEFAULTS, FIELDS, run, validate, checkpointModes } from '../../../src/lib/runners/memory-precision.ts';

const data = { train: syntheticImages(300, 1), test: syntheticImages(100, 2) };

beforeAll(async () => {
  await useBackend('wasm');
});

describe('memory-precision runner', () => {
  it('defaults are valid; the sweep covers none, powers of two, ⌊√n⌋, ⌈√n⌉ and n', () => {
    expect(() => checkFields(FIELDS, DEFAULTS)).not.toThrow();
    expect(() => validate(DEFAULTS)).not.toThrow();
    expect(checkpointModes(17)).toEqual(['none', 1, 2, 4, 5, 8, 16, 17]);
  });

  it('checkpointing: one row per mode, the best k among them, summary numbers the lab reads', async () => {
    const r = await run(quietContext, { ...DEFAULTS, depth: 3, width: 32, batch: 32, repeats: 1 }, { data });
    expect(r.checkpointing!.rows.map((x) => x.mode)).toEqual(['none', 1, 2, 4]);
    for (const k of ['blocks', 'bestK', 'sqrtN', 'memorySaving', 'timeCost', 'nonePeak', 'bestPeak', 'noneMs', 'bestMs']) expect(typeof r.summary[k]).toBe('number');
  });

  it('precision: fp16 per-step series, histograms and the fp32 comparison', async () => {
    const r = await run(quietContext, { ...DEFAULTS, experiment: 'precision', steps: 3, batchSize: 16, trainSize: 256 }, { data });
    const p = r.precision!;
    expect(p.loss).toHaveLength(3);
    expect(p.fp32!.loss).toHaveLength(3);
    expect(p.histAll.reduce((a, b) => a + b, 0)).toBeGreaterThan(p.histFirst.reduce((a, b) => a + b, 0));
    for (const k of ['testAcc', 'fp32TestAcc', 'accuracyCost', 'meanUnderflow', 'maxUnderflow', 'skippedSteps', 'finalScale']) expect(typeof r.summary[k]).toBe('number');
  });

  it('refuses activations too large for a tab, naming the batch', () => {
    expect(() => validate({ ...DEFAULTS, depth: 48, width: 1024, batch: 2048 })).toThrow(/depth × width × batch is 100,663,296/);
  });
});
