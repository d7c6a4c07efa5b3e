import { describe, expect, it } from 'vitest';
import { MODEL_PRESETS, activationBytes, modelParams, planAll, planOne, stepFlops, type PlannerInput } from '../../../src/lib/distributed/planner.ts';
import { zeroMemoryPerDevice } from '../../../src/lib/distributed/memory-model.ts';

const fast = { latencyUs: 0, bandwidthGBps: 1e9 };
const input = (o: Partial<PlannerInput> = {}): PlannerInput => ({
  model: MODEL_PRESETS['6.7b'], seqLen: 2048, microBatch: 1, gradAccum: 8, gpus: 8, gpusPerNode: 8, gpuMemoryGB: 80, gpuTflops: 312, utilization: 0.5,
  intra: { latencyUs: 5, bandwidthGBps: 150 }, inter: { latencyUs: 10, bandwidthGBps: 25 }, algorithm: 'ring', pcieGBps: 25, cpuAdamParamsPerSec: 1e9, ...o,
});

describe('planner formulas', () => {
  it('Ψ = 12Lh²(1 + 13/(12h) + (V+s)/(12Lh)): GPT-3 XL\'s shape is 1.3B, the 6.7B shape 6.66B', () => {
    expect(modelParams(MODEL_PRESETS['1.3b'], 2048) / 1e9).toBeCloseTo(1.316, 3);
    expect(modelParams(MODEL_PRESETS['6.7b'], 2048) / 1e9).toBeCloseTo(6.658, 3);
    expect(modelParams(MODEL_PRESETS['65b'], 2048) / 1e9).toBeCloseTo(64.71, 2);
  });

  // Korthikanti et al. 2022 §4.1: GPT-3 175B (a = 96, h = 12288, s = 2048) stores sbh(34 + 5as/h) bytes per layer: 114·sbh at b = 1.
  it('activations per layer follow Korthikanti et al.: 34 + 5·a·s/h = 114 bytes per token-width for GPT-3 175B; checkpointing keeps 2sbh per layer plus one layer', () => {
    const gpt3 = { layers: 96, hidden: 12288, heads: 96, vocab: 51200 };
    const sbh = 2048 * 12288;
    expect(activationBytes(gpt3, 2048, 1, false)).toBe(96 * sbh * 114);
    expect(activationBytes(gpt3, 2048, 1, true)).toBe(96 * 2 * sbh + sbh * 114);
  });

  // Narayanan et al. 2021 §5.1: 175B on 1024 A100s at 140 TFLOP/s each trains 300B tokens in about 34 days (8TP/(nX)).
  it('reproduces the Megatron-LM estimate: GPT-3 175B, 300B tokens, 1,024 GPUs at 140 TFLOP/s → about 34 days', () => {
    const gpt3 = { layers: 96, hidden: 12288, heads: 96, vocab: 51200 };
    // Links made so fast that communication vanishes: the estimate is compute only, as 8TP/(nX) is.
    const p = input({ model: gpt3, gpus: 1024, microBatch: 1, gradAccum: 2, gpuTflops: 312, utilization: 140 / 312, intra: fast, inter: fast });
    const row = planOne(p, 'zero3', false, true);
    const days = 300e9 / row.tokensPerSecond / 86400;
    expect(Math.abs(days / 34 - 1)).toBeLessThan(0.06);
  });

  it('step FLOPs: 72·B·s·L·h²(1 + s/6h + V/12Lh), and 96·…(1 + s/6h + V/16Lh) with recomputation', () => {
    const m = MODEL_PRESETS['1.3b'];
    const base = 4 * 2048 * 24 * 2048 ** 2;
    expect(stepFlops(m, 2048, 4, false)).toBeCloseTo(72 * base * (1 + 2048 / (6 * 2048) + 50257 / (12 * 24 * 2048)), -3);
    expect(stepFlops(m, 2048, 4, true)).toBeCloseTo(96 * base * (1 + 2048 / (6 * 2048) + 50257 / (16 * 24 * 2048)), -3);
  });

  it('model states per GPU are zeroMemoryPerDevice (mixed Adam); offload takes the optimizer off the GPU', () => {
    const p = input();
    const psi = modelParams(p.model, p.seqLen);
    for (const [st, stage] of [['dp', 0], ['zero1', 1], ['zero2', 2], ['zero3', 3]] as const) {
      const row = planOne(p, st, false, false);
      const z = zeroMemoryPerDevice(psi, { stage, worldSize: 8, precision: 'mixed', optimizer: 'adam' });
      expect(row.params + row.grads + row.optimizer).toBe(z.total);
      expect(row.total).toBe(z.total + activationBytes(p.model, 2048, 1, false));
    }
    const off = planOne(p, 'zero2', true, true);
    expect(off.optimizer).toBe(0);
    expect(off.cpuBytes).toBe((12 * psi) / 8);
  });

  it('6.7B on 8 × 80 GB: data parallel (16Ψ = 107 GB) does not fit, ZeRO-3 with checkpointing does', () => {
    const rows = planAll(input());
    expect(rows.find((r) => r.strategy === 'dp')!.fits).toBe(false);
    expect(rows.find((r) => r.strategy === 'zero3' && !r.offload && r.checkpointing)!.fits).toBe(true);
    expect(rows).toHaveLength(2 + 3 * 4);
  });

  it('ZeRO-3 sends 1.5x data parallel\'s bytes per step (one micro-batch)', () => {
    const p = input({ gradAccum: 1 });
    expect(planOne(p, 'zero3', false, false).commBytes / planOne(p, 'dp', false, false).commBytes).toBeCloseTo(1.5, 12);
    expect(planOne(p, 'zero1', false, false).commBytes).toBeCloseTo(planOne(p, 'dp', false, false).commBytes, 3);
  });

  it('refuses heads that do not divide the width and a zero utilization', () => {
    expect(() => planOne(input({ model: { layers: 2, hidden: 100, heads: 3, vocab: 10 } }), 'dp', false, false)).toThrow(/hidden \(100\) must be a multiple of heads \(3\)/);
    expect(() => planOne(input({ utilization: 0 }), 'dp', false, false)).toThrow(/utilization must be in \(0, 1\]/);
  });
});
