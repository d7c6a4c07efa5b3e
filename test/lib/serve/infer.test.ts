import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-web';
import { uniform, useBackend } from '../ml/tf-node.ts';
import { InferError, InferService } from '../../../src/lib/serve/infer.ts';
import { mlpOnnx, withUnknownOperator } from './fixtures.ts';

ort.env.wasm.numThreads = 1;
const make = () => new InferService(async () => ort);

beforeAll(() => useBackend('cpu'));


async function failure(p: Promise<unknown>): Promise<InferError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(InferError);
  return e as InferError;
}

describe('InferService', () => {
  let model: ReturnType<typeof mlpOnnx>['model'];
  let bytes: Uint8Array;
  beforeAll(() => ({ model, bytes } = mlpOnnx(3)));

  it('load() reports inputs, outputs and the provider; run() matches tfjs within 1e-4', async () => {
    const s = make();
    const info = await s.load(bytes, { ep: 'wasm', graphOptimizationLevel: 'all' });
    expect(info.ep).toBe('wasm');
    expect(info.inputs).toEqual([{ name: 'input', dims: ['batch', 784], type: 'float32' }]);
    expect(info.outputs[0].dims).toEqual(['batch', 10]);
    const x = uniform(5 * 784, 9).map((v) => (v + 1) / 2);
    const want = (model.predict(tf.tensor(x, [5, 784])) as tf.Tensor).dataSync();
    const got = await s.run(x, [5, 784]);
    expect(got.dims).toEqual([5, 10]);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got.output[i] - want[i]));
    expect(worst).toBeLessThan(1e-4);
    expect(got.ms).toBeGreaterThan(0);
    await s.dispose();
    expect((await failure(s.run(x, [5, 784]))).kind).toBe('state');
  });

  it('every graph optimisation level gives the same outputs', async () => {
    const x = uniform(2 * 784, 4);
    const outs: Float32Array[] = [];
    for (const level of ['disabled', 'basic', 'extended', 'all'] as const) {
      const s = make();
      await s.load(bytes, { graphOptimizationLevel: level });
      outs.push((await s.run(x, [2, 784])).output);
      await s.dispose();
    }
    for (const o of outs.slice(1)) o.forEach((v, i) => expect(Math.abs(v - outs[0][i])).toBeLessThan(1e-5));
  });

  it('benchmark() returns batch, median and p95 over the requested runs', async () => {
    const r = await make().benchmark(bytes, { ep: 'wasm' }, { batch: 8, iterations: 7, warmup: 1, sampleMs: 1 });
    expect(r.samples).toHaveLength(7);
    expect(r.runsPerSample).toBeGreaterThanOrEqual(1);
    // Each sample covers at least sampleMs of back-to-back runs: mean run time × runs ≥ 1 ms on average.
    expect(r.samples.reduce((a, c) => a + c, 0) / r.samples.length * r.runsPerSample).toBeGreaterThanOrEqual(0.95);
    const sorted = [...r.samples].sort((a, b) => a - b);
    expect(r.medianMs).toBe(sorted[3]);
    expect(r.p95Ms).toBeGreaterThanOrEqual(r.medianMs);
    expect(r.p95Ms).toBeLessThanOrEqual(sorted[6]);
    expect((await failure(make().benchmark(bytes, {}, { batch: 0 }))).message).toMatch(/batch must be an integer/);
  });

  it('webgpu where there is none falls back to wasm and says why', async () => {
    const info = await make().load(bytes, { ep: 'webgpu' });
    expect(info.ep).toBe('wasm');
    expect(info.requestedEp).toBe('webgpu');
    expect(info.fallback).toMatch(/WebGPU/);
  });

  it('corrupt and truncated files give a format error that says so', async () => {
    const junk = Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 255);
    expect(await failure(make().load(junk))).toMatchObject({ kind: 'format', message: expect.stringMatching(/not a readable ONNX|no ONNX graph/i) });
    const cut = bytes.slice(0, Math.floor(bytes.length / 2));
    expect(await failure(make().load(cut))).toMatchObject({ kind: 'format', message: expect.stringMatching(/truncated/) });
  });

  it('an operator the runtime lacks is named in the message', async () => {
    const e = await failure(make().load(withUnknownOperator(bytes)));
    expect(e.kind).toBe('unsupported');
    expect(e.message).toMatch(/cannot run the operator ai\.prodlab\.custom:FancyRelu/);
  });

  it('absurd or mismatched shapes are refused before ORT sees them', async () => {
    const s = make();
    await s.load(bytes);
    expect((await failure(s.run(new Float32Array(783), [1, 783]))).message).toMatch(/dimension 1 must be 784/);
    expect((await failure(s.run(new Float32Array(784), [2, 784]))).message).toMatch(/hold 1568 values but the data has 784/);
    expect((await failure(s.run(new Float32Array(784), [1e6, 1e6]))).message).toMatch(/over the/);
    expect((await failure(s.run(new Float32Array(784), [784]))).message).toMatch(/rank 2/);
    expect((await failure(s.run(new Float32Array(784), [1, -784]))).message).toMatch(/positive integers/);
    // The session survives all of that.
    expect((await s.run(new Float32Array(784), [1, 784])).dims).toEqual([1, 10]);
  });
});
