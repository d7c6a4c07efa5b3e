/**
 * The page's handles on the engines a lab uses. The sim engine (workers/sim.ts) runs every
 * plain-JavaScript lab runner; a lab page opens one, runs tasks on it and lets it go with the page.
 * (The DuckDB engine has its own client with table recovery: labs/data-kit/client.ts.)
 */
import type { OnProgress } from '../../src/lib/core/task';
import type { SimEngineApi } from '../../src/lib/engines/sim';
import type { TaskName, TaskResult, TaskSettings } from '../../src/lib/runners';
import { EngineClient, proxy, STOP_GRACE_MS } from './client';

export type SimClient = EngineClient<SimEngineApi>;

/** A client of a fresh sim engine worker (started on its first call). */
export function openSim(onCrash?: (message: string) => void): SimClient {
  return new EngineClient<SimEngineApi>({
    spawn: () => new Worker(new URL('../../workers/sim.ts', import.meta.url), { type: 'module', name: 'prodlab-sim' }),
    name: 'simulation engine',
    onCrash,
  });
}

/** Run one task on the sim engine; progress arrives through `onProgress`. */
export function runTask<K extends TaskName>(sim: SimClient, task: K, settings: TaskSettings<K>, onProgress?: OnProgress): Promise<TaskResult<K>> {
  // comlink's Remote loses the link between a task and its settings; the signature here restores it.
  type Run = (task: K, settings: TaskSettings<K>, onProgress?: OnProgress) => Promise<TaskResult<K>>;
  return sim.call((api) => (api.run as unknown as Run)(task, settings, onProgress ? proxy(onProgress) : undefined));
}

/** Stop the running task: at its next tick, or (a runner without ticks) by ending the worker after a grace period. */
export function stopTask(sim: SimClient, graceMs = STOP_GRACE_MS): void {
  sim.stop((api) => api.interrupt(), graceMs);
}
