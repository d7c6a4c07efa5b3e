import { describe, expect, it } from 'vitest';
import { meta, summarize } from '../../labs/scale-planner/lab';
import { DEFAULTS, run, type PlannerSettings } from '../../src/lib/runners/scale-planner';
import { quietContext } from '../../src/lib/core/task';
import { check, record } from './dist-records';

// Real planner runs: the planner is pure arithmetic, so the records are what the page would save.
const plan = async (s: Partial<PlannerSettings>) => {
  const settings = { ...DEFAULTS, ...s };
  return record('scale-planner', settings, (await run(quietContext, settings)).summary);
};

describe('scale-planner exercises', () => {
  it('fewest passes at ZeRO-3\'s fewest GPUs for 6.7B on 80 GB, fails one halving above', async () => {
    const probe = await plan({ size: '6.7b', gpus: 8 });
    const fewest = (probe.params.result as Record<string, number>).zero3Fewest;
    expect(fewest).toBeGreaterThanOrEqual(1);
    expect(check(meta, 'fewest', [await plan({ size: '6.7b', gpus: fewest })]).passed).toBe(true);
    expect(check(meta, 'fewest', [await plan({ size: '6.7b', gpus: fewest * 2 })]).passed).toBe(false);
  });

  it('dp-wall wants 16 bytes × Ψ in GB and the reason', async () => {
    const r = await plan({ size: '6.7b', gpus: 64 });
    const gb = (16 * (r.params.result as Record<string, number>).params) / 1e9;
    expect(check(meta, 'dp-wall', [r], { 'dp-wall': `Every GPU keeps a full replica of the model states: ${gb.toFixed(1)} GB.` }).passed).toBe(true);
    expect(check(meta, 'dp-wall', [r], { 'dp-wall': 'Every GPU keeps a full replica: 80 GB.' }).passed).toBe(false);
    expect(check(meta, 'dp-wall', [r], { 'dp-wall': `${gb.toFixed(1)} GB` }).passed).toBe(false);
  });

  it('big passes when 65B fits on 16 GPUs without offload (ZeRO-3: 16Ψ/16 ≈ 65 GB + activations), fails on 8 where only offload fits', async () => {
    expect(check(meta, 'big', [await plan({ size: '65b', gpus: 16 })]).passed).toBe(true);
    const eight = await plan({ size: '65b', gpus: 8 });
    expect((eight.params.result as Record<string, number>).fitting).toBeGreaterThan(0);
    expect(check(meta, 'big', [eight]).passed).toBe(false);
  });

  it('summary counts plans that fit', async () => {
    expect(summarize([await plan({ size: '65b', gpus: 1 })])[0]).toMatch(/0 had at least one configuration that fits/);
  });
});
