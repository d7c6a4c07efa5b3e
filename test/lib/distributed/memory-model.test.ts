import { describe, expect, it } from 'vitest';
import { zeroMemoryPerDevice, bytesPerParam } from '../../../src/lib/distributed/memory-model.ts';
import { DistributedError } from '../../../src/lib/distributed/errors.ts';

const GB = 1e9;

describe('zeroMemoryPerDevice', () => {
  // Rajbhandari et al. 2020, Figure 1 / §3: Ψ = 7.5B, N = 64, mixed-precision Adam (K = 12).
  it.each([
    [0, 120],
    [1, 31.4],
    [2, 16.6],
    [3, 1.9],
  ] as const)('the ZeRO paper\'s 7.5B model on 64 GPUs needs %s → %s GB per GPU (to the paper\'s 0.1 GB)', (stage, gb) => {
    const m = zeroMemoryPerDevice(7.5e9, { stage, worldSize: 64, precision: 'mixed', optimizer: 'adam' });
    expect(Math.abs(m.total / GB - gb)).toBeLessThan(0.05 + 1e-9);
  });

  it('splits the paper\'s stage-2 figure into 2Ψ parameters, 2Ψ/N gradients and 12Ψ/N optimizer states', () => {
    const m = zeroMemoryPerDevice(7.5e9, { stage: 2, worldSize: 64, precision: 'mixed', optimizer: 'adam' });
    expect(m.params).toBe(15e9);
    expect(m.grads).toBe((2 * 7.5e9) / 64);
    expect(m.optimizer).toBe((12 * 7.5e9) / 64);
    expect(m.total).toBe(m.params + m.grads + m.optimizer);
  });

  it('fp32 Adam is 4Ψ + 4Ψ + 8Ψ; SGD keeps no optimizer state in fp32 and the 4Ψ master copy in mixed precision', () => {
    expect(zeroMemoryPerDevice(1000, { stage: 0, worldSize: 4, precision: 'fp32', optimizer: 'adam' })).toEqual({ params: 4000, grads: 4000, optimizer: 8000, total: 16000 });
    expect(zeroMemoryPerDevice(1000, { stage: 0, worldSize: 4, precision: 'fp32', optimizer: 'sgd' })).toEqual({ params: 4000, grads: 4000, optimizer: 0, total: 8000 });
    expect(zeroMemoryPerDevice(1000, { stage: 0, worldSize: 4, precision: 'mixed', optimizer: 'sgd' })).toEqual({ params: 2000, grads: 2000, optimizer: 4000, total: 8000 });
    expect(bytesPerParam('mixed', 'adam')).toEqual({ params: 2, grads: 2, optimizer: 12 });
  });

  it('stage 3 divides everything by N; one device is the same at every stage', () => {
    expect(zeroMemoryPerDevice(1000, { stage: 3, worldSize: 8, precision: 'fp32', optimizer: 'adam' }).total).toBe(2000);
    for (const stage of [0, 1, 2, 3] as const) expect(zeroMemoryPerDevice(1000, { stage, worldSize: 1, precision: 'mixed', optimizer: 'adam' }).total).toBe(16000);
  });

  it.each([
    [{ stage: 4, worldSize: 2, precision: 'fp32', optimizer: 'adam' }, /stage must be 0, 1, 2 or 3/],
    [{ stage: 1, worldSize: 0, precision: 'fp32', optimizer: 'adam' }, /worldSize must be a whole number of at least 1; it is 0/],
    [{ stage: 1, worldSize: 2.5, precision: 'fp32', optimizer: 'adam' }, /worldSize/],
    [{ stage: 1, worldSize: 2, precision: 'fp8', optimizer: 'adam' }, /precision must be 'fp32' or 'mixed'/],
    [{ stage: 1, worldSize: 2, precision: 'fp32', optimizer: 'lion' }, /optimizer must be 'adam' or 'sgd'/],
  ])('refuses %o with a message naming the argument', (opts, message) => {
    expect(() => zeroMemoryPerDevice(100, opts as never)).toThrow(DistributedError);
    expect(() => zeroMemoryPerDevice(100, opts as never)).toThrow(message);
  });

  it('refuses a negative or fractional parameter count', () => {
    expect(() => zeroMemoryPerDevice(-1, { stage: 0, worldSize: 1, precision: 'fp32', optimizer: 'sgd' })).toThrow(/params must be a whole number of at least 0; it is -1/);
    expect(() => zeroMemoryPerDevice(1.5, { stage: 0, worldSize: 1, precision: 'fp32', optimizer: 'sgd' })).toThrow(/params/);
  });
});
