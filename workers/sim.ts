/// <reference lib="webworker" />
// The sim engine's worker (src/lib/engines/sim.ts): every plain-JavaScript lab runner behind one
// comlink API. Results' typed-array buffers are transferred, not copied.
import * as Comlink from 'comlink';
import type { OnProgress } from '../src/lib/core/task';
import { SimEngine, transferables, type SimEngineApi } from '../src/lib/engines/sim';
import type { TaskName, TaskResult, TaskSettings } from '../src/lib/runners';

const engine = new SimEngine();

const api: SimEngineApi = {
  check: () => engine.check(),
  load: (task) => engine.load(task),
  async run<K extends TaskName>(task: K, settings: TaskSettings<K>, onProgress?: OnProgress): Promise<TaskResult<K>> {
    const result: TaskResult<K> = await engine.run(task, settings, onProgress);
    return Comlink.transfer(result, transferables(result));
  },
  interrupt: () => engine.interrupt(),
};

Comlink.expose(api);
