/**
 * The page's handles on the TensorFlow.js engine (workers/tf.ts, src/lib/engines/tf.ts): one worker
 * script for every tfjs lab. spawnTf() starts a worker; tfService() is the comlink handle on one of
 * its services (comlink follows the property path: `tfService(w, 'train').start(…)` calls
 * engine.train.start in the worker).
 */
import * as Comlink from 'comlink';
import type { TfEngineApi, TfServiceName, TfServices } from '../../src/lib/engines/tf';

/** A fresh TensorFlow.js engine worker; `name` shows in the browser's task manager and devtools. */
export function spawnTf(name = 'prodlab-tf'): Worker {
  return new Worker(new URL('../../workers/tf.ts', import.meta.url), { type: 'module', name });
}

/** The whole engine (check, load, signal, interrupt, and the services by name). */
export function tfEngine(worker: Worker): Comlink.Remote<TfEngineApi> {
  return Comlink.wrap<TfEngineApi>(worker);
}

/** One service of the engine in `worker`, typed as if it were the worker's only API. */
export function tfService<K extends TfServiceName>(worker: Worker, service: K): Comlink.Remote<TfServices[K]> {
  // comlink types a nested object as a promise of it, but calls through it follow the path.
  return tfEngine(worker)[service] as unknown as Comlink.Remote<TfServices[K]>;
}
