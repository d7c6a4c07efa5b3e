/// <reference lib="webworker" />
// The serving worker: the gateway (load generator, router, batcher, statistics) on its own thread,
// so the page's drawing never delays a request, driving a pool of inference workers (workers/infer.ts),
// each with its own onnxruntime-web session.
import * as Comlink from 'comlink';
import type { InferService } from '../src/lib/serve/infer';
import { ServeService, type ModelWorker } from '../src/lib/serve/serve-service';
import { exposeErrorKinds } from '../src/lib/serve/worker-errors';

function spawnModelWorker(): ModelWorker {
  const worker = new Worker(new URL('./infer.ts', import.meta.url), { type: 'module', name: 'prodlab-serve-model' });
  const api = Comlink.wrap<InferService>(worker);
  return {
    load: (bytes, opts) => api.load(bytes, opts),
    run: (input, dims) => api.run(Comlink.transfer(input, [input.buffer as ArrayBuffer]), dims),
    dispose: () => worker.terminate(),
  };
}

exposeErrorKinds();
Comlink.expose(new ServeService(spawnModelWorker));
