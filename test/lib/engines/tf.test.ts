import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as Comlink from 'comlink';
import '../ml/tf-node.ts';
import { TfEngine, TF_SERVICES, type TfEngineApi, type TfServices } from '../../../src/lib/engines/tf.ts';
import { DEFAULTS } from '../../../src/lib/ml/config.ts';
import { describeOnnx } from '../../../src/lib/onnx/index.ts';
import { loadFashion } from '../../../src/lib/data/fashion.ts';
import type { TrainEvent } from '../../../src/lib/ml/trainer.ts';

const URL_ = 'http://test.invalid/fashion.parquet';
const bytes = readFileSync(new URL('../../../public/data/fashion-mnist-subset.parquet', import.meta.url));
const realFetch = globalThis.fetch;

beforeAll(() => {
  globalThis.fetch = (async (u: string) => (u === URL_ ? new Response(bytes) : new Response('no', { status: 404 }))) as typeof fetch;
});
afterAll(() => {
  globalThis.fetch = realFetch;
});

/** The page's view of the engine: the services reached by name, every call a promise. */
type Api = Omit<TfEngineApi, keyof TfServices> & { [K in keyof TfServices]: Comlink.Remote<TfServices[K]> };

/** One suite, run against the engine object and through a MessageChannel as workers/tf.ts exposes it. */
function testEngine(label: string, make: () => { api: Api; wrap: <F>(f: F) => F; close?: () => void }) {
  describe(`TfEngine (${label})`, () => {
    const { api, wrap, close } = make();
    afterAll(() => close?.());

    it('check() names the engine, its services and what the device offers; load() refuses an unknown service by name', async () => {
      const c = await api.check();
      expect(c.engine).toBe('tf');
      expect(c.services).toEqual([...TF_SERVICES]);
      expect(c.capabilities.wasm.available).toBe(true);
      expect(c.capabilities.webgpu.available).toBe(false);
      await expect(api.load('onnx')).resolves.toBeUndefined();
      await expect(api.load('nope' as never)).rejects.toThrow(/no service 'nope'/);
    });

    it('onnx.prepare: with no training run it trains the default, exports it, and tfjs outputs for the first test images come back intact', async () => {
      const statuses: string[] = [];
      const out = await api.onnx.prepare(URL_, { sample: 64 }, wrap((m: string) => void statuses.push(m)));
      expect(out.origin.trainedNow).toBe(true);
      expect(out.origin.lab).toBe('onnx');
      expect(statuses[0]).toMatch(/training a default MLP/);
      expect(out.inputShape).toEqual([784]);
      expect(describeOnnx(out.float32).inputs[0].shape?.slice(1)).toEqual([784]);
      expect(out.int8.length).toBeLessThan(out.float32.length / 2);
      // The outputs belong to these images: ten scores per image, whose argmax is the label about as
      // often as the default model's ~80% test accuracy (a shuffled or truncated transfer would not be).
      const fashion = await loadFashion(new Uint8Array(bytes));
      expect(out.sample.labels).toEqual(Array.from(fashion.test.labels.subarray(0, 64)));
      expect(out.sample.pixels[0]).toBe(Math.fround(fashion.test.images[0] / 255));
      expect(out.sample.tfjs.length).toBe(640);
      let hits = 0;
      for (let r = 0; r < 64; r++) {
        const row = Array.from(out.sample.tfjs.subarray(r * 10, r * 10 + 10));
        if (row.indexOf(Math.max(...row)) === out.sample.labels[r]) hits++;
      }
      expect(hits / 64).toBeGreaterThan(0.6);
    }, 120_000);

    it('onnx.testPixels: n test images from an offset, scaled to [0, 1]', async () => {
      const fashion = await loadFashion(new Uint8Array(bytes));
      const px = await api.onnx.testPixels(URL_, 3, 5);
      expect(px.length).toBe(3 * 784);
      let i = 0;
      for (; i < px.length && px[i] === Math.fround(fashion.test.images[5 * 784 + i] / 255); i++);
      expect(i).toBe(px.length);
    });

    it('interrupt() stops a training run between two updates: the run is recorded as stopped by you', async () => {
      await api.train.load(URL_);
      let stepped = 0;
      const run = await api.train.start({ ...DEFAULTS, trainSize: 640, epochs: 3, backend: 'wasm', seed: 5 }, `stop-${label}`, undefined, wrap((e: TrainEvent) => {
        if (e.type === 'step' && ++stepped === 2) void api.interrupt();
      }));
      expect(run.status).toBe('stopped');
      expect(run.statusMessage).toMatch(/Stopped by you after \d+ updates/);
      // 640 / 64 × 3 epochs = 30 updates: it stopped well before the end.
      expect(run.stepsDone).toBeLessThan(30);
      expect(await api.signal('device-loss')).toBe(false);
    }, 120_000);
  });
}

testEngine('direct', () => ({ api: new TfEngine({ appVersion: 'test', storeName: 'tf-engine-direct' }) as unknown as Api, wrap: (f) => f }));

testEngine('through a MessageChannel', () => {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(new TfEngine({ appVersion: 'test', storeName: 'tf-engine-channel', transfer: (v, b) => Comlink.transfer(v, b) }), port1);
  return {
    api: Comlink.wrap<TfEngineApi>(port2) as unknown as Api,
    wrap: (f) => Comlink.proxy(f as object) as never,
    close: () => (port1.close(), port2.close()),
  };
});
