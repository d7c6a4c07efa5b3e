import { beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web';
import { useBackend, uniform } from '../ml/tf-node.ts';
import { InferService } from '../../../src/lib/serve/infer.ts';
import { ServeService } from '../../../src/lib/serve/serve-service.ts';
import { SERVE_DEFAULTS } from '../../../src/lib/serve/gateway.ts';
import { exportOnnx } from '../../../src/lib/onnx/index.ts';
import { buildModel } from '../../../src/lib/ml/models.ts';
import { withUnknownOperator } from './fixtures.ts';

ort.env.wasm.numThreads = 1;

/** Model workers in-process: real onnxruntime sessions, the same calls the browser's workers get. */
const inProcess = () => {
  const s = new InferService(async () => ort);
  return { load: s.load.bind(s), run: s.run.bind(s), dispose: () => void s.dispose() };
};

describe('ServeService with onnxruntime-web sessions', () => {
  let f32: Uint8Array;
  let i8: Uint8Array;
  const bank = uniform(64 * 784, 2).map((v) => (v + 1) / 2);
  beforeAll(async () => {
    await useBackend('cpu');
    const m = buildModel('mlp', 5);
    f32 = exportOnnx(m);
    i8 = exportOnnx(m, { weights: 'int8' });
  });

  it('serves a modest load in steady state: all answered, queue bounded, p99 reported', async () => {
    const svc = new ServeService(inProcess);
    const setup = await svc.setup({ bytes: f32, workers: 1 }, null, bank, [784], 10);
    expect(setup.v1.inputs[0].dims).toEqual(['batch', 784]);
    const r = await svc.run({ ...SERVE_DEFAULTS, qps: 150, durationMs: 2500, warmupMs: 500 }, { delayMs: 0, errorRate: 0 });
    expect(r.totals.dropped + r.totals.errors).toBe(0);
    expect(r.steady.p99).toBeGreaterThan(0);
    expect(r.steady.p99).toBeLessThan(500);
    expect(r.steady.maxQueue).toBeLessThan(50);
    svc.dispose();
  });

  it('shadows the int8 export behind float32: outputs differ a little, classes mostly agree', async () => {
    const svc = new ServeService(inProcess);
    await svc.setup({ bytes: f32, workers: 1 }, { bytes: i8, workers: 1 }, bank, [784], 10);
    const r = await svc.run({ ...SERVE_DEFAULTS, qps: 100, durationMs: 2000, warmupMs: 500, mode: 'shadow' }, { delayMs: 0, errorRate: 0 });
    const sh = r.shadow!;
    expect(sh.compared).toBeGreaterThan(50);
    expect(sh.maxDiff).toBeGreaterThan(0);
    expect(sh.maxDiff).toBeLessThan(0.2);
    expect(sh.agreement).toBeGreaterThan(0.9);
    svc.dispose();
  });

  it('a v2 that cannot load fails setup with the reason, and v1 is not left running', async () => {
    const made: ReturnType<typeof inProcess>[] = [];
    const svc = new ServeService(() => {
      const w = inProcess();
      made.push(w);
      return w;
    });
    await expect(svc.setup({ bytes: f32, workers: 1 }, { bytes: withUnknownOperator(f32), workers: 1 }, bank, [784], 10)).rejects.toThrow(/FancyRelu/);
    await expect(svc.run(SERVE_DEFAULTS, { delayMs: 0, errorRate: 0 })).rejects.toThrow(/Start the workers first/);
    expect(made).toHaveLength(2);
  });
});
