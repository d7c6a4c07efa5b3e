/**
 * The page's handles on the TensorFlow.js engine (workers/tf.ts, src/lib/engines/tf.ts): one worker
 * script for every tfjs lab. openTf() gives the kit's EngineClient over it (crash → the call in
 * flight rejects with a message → the next call starts a fresh worker, which `onFresh` prepares);
 * inside a call, `api.train`, `api.compress` and `api.onnx` are the services
 * (comlink follows the property path: `api.train.start(…)` calls engine.train.start in the worker).
 */
import * as Comlink from 'comlink';
import type { TfEngineApi, TfServiceName, TfServices } from '../../src/lib/engines/tf';
import { EngineClient, STOP_GRACE_MS } from './client';

/** The engine as comlink carries it: the services as nested remotes (every call a promise). */
export type TfWire = Omit<TfEngineApi, TfServiceName> & { [K in TfServiceName]: TfServices[K] & Comlink.ProxyMarked };

export type TfClient = EngineClient<TfWire>;

/** A fresh TensorFlow.js engine worker; `name` shows in the browser's task manager and devtools. */
export function spawnTf(name = 'prodlab-tf'): Worker {
  return new Worker(new URL('../../workers/tf.ts', import.meta.url), { type: 'module', name });
}

/** One service of the engine in `worker`, typed as if it were the worker's only API. */
export function tfService<K extends TfServiceName>(worker: Worker, service: K): Comlink.Remote<TfServices[K]> {
  return Comlink.wrap<TfWire>(worker)[service] as Comlink.Remote<TfServices[K]>;
}

export interface OpenTfOptions {
  /** The service this client uses: names its worker ("prodlab-compress") in devtools. */
  service?: TfServiceName;
  /** Prepare a fresh worker before its first call (load the dataset); a failure fails that call. */
  onFresh?: (api: Comlink.Remote<TfWire>) => Promise<unknown>;
  /** Told once per crash, with the message the call in flight rejects with. */
  onCrash?: (message: string) => void;
}

/** A client of the TensorFlow.js engine (its worker starts on the first call). `name` is what a learner reads: "The {name} crashed …". */
export function openTf(name: string, opts: OpenTfOptions = {}): TfClient {
  return new EngineClient<TfWire>({ spawn: () => spawnTf(`prodlab-${opts.service ?? 'tf'}`), name, onFresh: opts.onFresh, onCrash: opts.onCrash });
}

/** Stop what the engine runs: at its next update, or by ending the worker after a grace period. */
export function stopTf(client: TfClient, graceMs = STOP_GRACE_MS): void {
  client.stop((api) => api.interrupt(), graceMs);
}
