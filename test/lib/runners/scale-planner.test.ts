import { describe, expect, it } from 'vitest';
import { quietContext } from '../../../src/lib/core/task.ts';
import { checkFields } from '../../../src/lib/core/fields.ts';
import { DEFAULTS, FIELDS, run, validate } from '../../../src/lib/runners/scale-planner.ts';
import { modelParams, MODEL_PRESETS } from '../../../src/lib/distributed/planner.ts';

describe('scale-planner runner', () => {
  it('defaults are valid and plan 14 configurations of the 6.7B model', async () => {
    expect(() => checkFields(FIELDS, DEFAULTS)).not.toThrow();
    const r = await run(quietContext, DEFAULTS);
    expect(r.rows).toHaveLength(14);
    expect(r.params).toBe(modelParams(MODEL_PRESETS['6.7b'], 2048));
    expect(r.summary.dpFits).toBe(0);
    expect(r.summary.zero3Fits).toBe(1);
  });

  it('memory per GPU falls as GPUs are added for ZeRO-3 but not for data parallel', async () => {
    const r = await run(quietContext, DEFAULTS);
    const z3 = r.sweep.totals.zero3, dp = r.sweep.totals.dp;
    for (let i = 1; i < z3.length; i++) expect(z3[i]).toBeLessThan(z3[i - 1]);
    expect(new Set(dp).size).toBe(1);
    expect(Number.isNaN(r.fewestGpus.dp)).toBe(true);
  });

  it('a custom shape uses layers × width, and heads must divide the width', async () => {
    const r = await run(quietContext, { ...DEFAULTS, size: 'custom', layers: 2, hidden: 256, heads: 4, vocab: 1000 });
    expect(r.params).toBe(modelParams({ layers: 2, hidden: 256, heads: 4, vocab: 1000 }, 2048));
    expect(() => validate({ ...DEFAULTS, size: 'custom', hidden: 256, heads: 3 })).toThrow(/Width \(256\) must be a multiple of the heads \(3\)/);
  });
});
