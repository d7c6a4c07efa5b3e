/**
 * The inference service through comlink over a MessageChannel, as the page reaches it in the
 * inference worker: results cross, and a failure keeps its InferError kind (exposeErrorKinds).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import * as ort from 'onnxruntime-web';
import { useBackend } from '../ml/tf-node.ts';
import { InferService } from '../../../src/lib/serve/infer.ts';
import { asInferError, exposeErrorKinds } from '../../../src/lib/serve/worker-errors.ts';
import { InferError } from '../../../src/lib/serve/infer-errors.ts';
import { mlpOnnx, withUnknownOperator } from './fixtures.ts';

ort.env.wasm.numThreads = 1;

/** A Node MessagePort as a comlink endpoint (what comlink's node-adapter does, typed). */
function nodeEndpoint(port: MessagePort): Comlink.Endpoint {
  const handlers = new Map<unknown, (data: unknown) => void>();
  return {
    postMessage: (message: unknown, transfer?: Transferable[]) => port.postMessage(message, transfer as never),
    addEventListener: (_type: string, h: EventListenerOrEventListenerObject) => {
      const f = (data: unknown) => ('handleEvent' in h ? h.handleEvent({ data } as MessageEvent) : h({ data } as MessageEvent));
      handlers.set(h, f);
      port.on('message', f);
    },
    removeEventListener: (_type: string, h: EventListenerOrEventListenerObject) => {
      const f = handlers.get(h);
      if (f) port.off('message', f);
      handlers.delete(h);
    },
    start: () => port.start(),
  };
}

describe('InferService over comlink', () => {
  const { port1, port2 } = new MessageChannel();
  let remote: Comlink.Remote<InferService>;
  let bytes: Uint8Array;
  beforeAll(async () => {
    await useBackend('cpu');
    bytes = mlpOnnx(2).bytes;
    exposeErrorKinds();
    Comlink.expose(new InferService(async () => ort), nodeEndpoint(port1));
    remote = Comlink.wrap<InferService>(nodeEndpoint(port2));
  });
  afterAll(() => {
    port1.close();
    port2.close();
  });

  it('load and run cross the channel', async () => {
    const info = await remote.load(bytes, { ep: 'wasm' });
    expect(info.inputs[0].dims).toEqual(['batch', 784]);
    const out = await remote.run(new Float32Array(2 * 784), [2, 784]);
    expect(out.dims).toEqual([2, 10]);
    expect(out.output).toBeInstanceOf(Float32Array);
  });

  it('an InferError arrives with its kind and message', async () => {
    const fail = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => asInferError(e));
    const a = await fail(remote.load(bytes.slice(0, 100)));
    expect(a).toBeInstanceOf(InferError);
    expect(a).toMatchObject({ kind: 'format', message: expect.stringMatching(/Not a readable ONNX file/) });
    expect(await fail(remote.load(withUnknownOperator(bytes)))).toMatchObject({ kind: 'unsupported' });
    // The failed loads left the model loaded before in place.
    expect(await fail(remote.run(new Float32Array(3), [1, 3]))).toMatchObject({ kind: 'shape', message: expect.stringMatching(/dimension 1 must be 784/) });
    expect((await remote.run(new Float32Array(784), [1, 784])).dims).toEqual([1, 10]);
  });
});
