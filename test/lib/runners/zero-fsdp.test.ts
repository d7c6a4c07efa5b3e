import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../ml/tf-node.ts';
import { syntheticImages } from '../ml/fixtures.ts';
import { quietContext } from '../../../src/lib/core/task.ts';
import { checkFields, SettingsError } from '../../../src/lib/core/fields.ts';
import { DEFAULTS, FIELDS, run, validate, type ZeroSettings } from '../../../src/lib/runners/zero-fsdp.ts';

const data = { train: syntheticImages(400, 1), test: syntheticImages(100, 2) };
const small: ZeroSettings = { ...DEFAULTS, ranks: 2, batchPerRank: 8, steps: 2, trainSize: 256 };

beforeAll(async () => {
  await useBackend('wasm');
});

describe('zero-fsdp runner', () => {
  it('the defaults pass the field table and the cross-field rules', () => {
    expect(() => checkFields(FIELDS, DEFAULTS)).not.toThrow();
    expect(() => validate(DEFAULTS)).not.toThrow();
  });

  it('ZeRO-3 in mixed precision: weights bit-identical to data parallel, half its model-state memory on 2 ranks, 1.5x its bytes', async () => {
    const r = await run(quietContext, small, { data });
    expect(r.dp!.identical).toBe(true);
    expect(r.summary.dpIdentical).toBe(1);
    // 235,146 parameters, every block even: stage 3 on 2 ranks holds exactly 16Ψ/2 bytes, data parallel 16Ψ.
    expect(r.summary.heldTotal).toBe(r.formula.total);
    expect(r.summary.dpHeldTotal).toBe(16 * r.params);
    expect(r.bytesPerStep).toBe(r.bytesFormula + 4); // + the 4-byte overflow flag each step
    expect(r.bytesFormula).toBe(1.5 * r.dp!.bytesPerStep);
    expect(r.loss).toHaveLength(2);
  });

  it('offload: no optimizer state on the ranks, the host holds 12Ψ, gradients and parameters cross every step', async () => {
    const r = await run(quietContext, { ...small, strategy: 'zero2', offload: true, compareDp: false }, { data });
    expect(r.summary.heldOptimizer).toBe(0);
    expect(r.host!.heldBytes).toBe(12 * r.params);
    expect(r.offloadBytesPerStep.fromHost).toBe(r.params); // fp16: 2 bytes x Ψ/2 values
    expect(r.dp).toBeUndefined();
  });

  it('refuses offload without sharding, naming the field', () => {
    const e = (() => { try { validate({ ...DEFAULTS, strategy: 'dp', offload: true }); } catch (err) { return err; } })();
    expect(e).toBeInstanceOf(SettingsError);
    expect((e as SettingsError).field).toBe('offload');
  });
});
