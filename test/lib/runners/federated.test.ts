import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../ml/tf-node.ts';
import { syntheticImages } from '../ml/fixtures.ts';
import { quietContext } from '../../../src/lib/core/task.ts';
import { checkFields } from '../../../src/lib/core/fields.ts';
import { DEFAULTS, FIELDS, run, validate, type FederatedSettings } from '../../../src/lib/runners/federated.ts';

const data = { train: syntheticImages(400, 1), test: syntheticImages(100, 2) };
const small: FederatedSettings = { ...DEFAULTS, clients: 5, clientFraction: 0.6, rounds: 2, trainSize: 250, testSize: 100, localBatch: 50 };

beforeAll(async () => {
  await useBackend('wasm');
});

describe('federated runner', () => {
  it('defaults are valid', () => {
    expect(() => checkFields(FIELDS, DEFAULTS)).not.toThrow();
    expect(() => validate(DEFAULTS)).not.toThrow();
  });

  it('counts 4Ψ bytes down per selected client and up per surviving one; every image on exactly one client', async () => {
    const r = await run(quietContext, { ...small, dropRate: 0.3 }, { data });
    const model = 4 * r.params;
    let down = 0, up = 0;
    for (let i = 0; i < 2; i++) {
      down += r.selected[i] * model;
      up += (r.selected[i] - r.dropped[i]) * model;
      expect(r.bytesDown[i]).toBe(down);
      expect(r.bytesUp[i]).toBe(up);
    }
    expect(r.clientSizes.reduce((a, b) => a + b, 0)).toBe(250);
    expect(r.labelCounts.reduce((a, b) => a + b, 0)).toBe(250);
    expect(r.selected[0]).toBe(3);
  });

  it('secure aggregation with drops: masks cancel exactly every round, and the mean is within fixed-point rounding of FedAvg', async () => {
    const r = await run(quietContext, { ...small, rounds: 3, secureAgg: true, dropRate: 0.4 }, { data });
    expect(r.summary.droppedClients).toBeGreaterThan(0);
    expect(Array.from(r.maskError)).toEqual([0, 0, 0]);
    for (const e of r.quantError) expect(e).toBeLessThanOrEqual(5 * 2 ** -21);
  });

  it('the same settings give the same run; DP noise changes it', async () => {
    const a = await run(quietContext, small, { data });
    const b = await run(quietContext, small, { data });
    expect(b.testAccuracy).toEqual(a.testAccuracy);
    const c = await run(quietContext, { ...small, dpNoise: 0.5 }, { data });
    expect(c.testAccuracy).not.toEqual(a.testAccuracy);
  });
});
