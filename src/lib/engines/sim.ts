/**
 * The sim engine: every lab runner that is plain JavaScript (the evaluation labs, the experiment
 * simulations, the TypeScript halves of the data labs) behind one lifecycle:
 *
 *   check() → load(task) → run(task, settings, onProgress) → interrupt()
 *
 * workers/sim.ts exposes one with comlink; tests and benchmarks call it directly. A run's settings
 * are checked against the runner's field table and rules before any work. Progress reaches the
 * caller at most every PROGRESS_MS and once at the end, with an ETA from the pace so far when the
 * runner gives none. A Stop (interrupt) ends the run at the runner's next tick with StoppedError;
 * any failure leaves as a plain Error carrying name and message, which comlink rebuilds on the page.
 */
import { checkFields } from '../core/fields';
import { Interrupt, taskContext, type OnProgress } from '../core/task';
import { plainError } from './wire';
import { RUNNERS, TASK_NAMES, isTask, type Runner, type TaskName, type TaskResult, type TaskSettings } from '../runners';

/** Least time (ms) between two progress reports that cross to the page. */
export const PROGRESS_MS = 50;

export interface SimEngineApi {
  /** What this engine can run (no device to probe: it is plain JavaScript). */
  check(): Promise<{ engine: 'sim'; tasks: TaskName[] }>;
  /** Load a task's runner (its code chunk); run() does it too, on first use. */
  load(task: TaskName): Promise<void>;
  run<K extends TaskName>(task: K, settings: TaskSettings<K>, onProgress?: OnProgress): Promise<TaskResult<K>>;
  /** Ask the running task to stop at its next tick (a runner without ticks runs to its end). */
  interrupt(): void;
}

export class SimEngine implements SimEngineApi {
  private readonly runners = new Map<TaskName, Runner>();
  private readonly stop = new Interrupt();

  async check(): Promise<{ engine: 'sim'; tasks: TaskName[] }> {
    return { engine: 'sim', tasks: [...TASK_NAMES] };
  }

  async load(task: TaskName): Promise<void> {
    await this.runner(task);
  }

  private async runner(task: TaskName): Promise<Runner> {
    if (!isTask(task)) throw new Error(`The sim engine has no task '${String(task)}'.`);
    let r = this.runners.get(task);
    if (!r) {
      r = (await RUNNERS[task]()) as Runner;
      this.runners.set(task, r);
    }
    return r;
  }

  async run<K extends TaskName>(task: K, settings: TaskSettings<K>, onProgress?: OnProgress): Promise<TaskResult<K>> {
    try {
      const runner = await this.runner(task);
      if (runner.fields) checkFields(runner.fields, settings as object);
      runner.validate?.(settings as never);
      this.stop.reset();
      const report = throttled(onProgress);
      const result = await runner.run(taskContext(this.stop, report.send), settings as never);
      report.end();
      return result as TaskResult<K>;
    } catch (e) {
      throw plainError(e);
    }
  }

  interrupt(): void {
    this.stop.interrupt();
  }
}

/** Forward progress at most every PROGRESS_MS (the first and the last always), adding an ETA from the pace so far. */
function throttled(onProgress: OnProgress | undefined): { send: OnProgress; end: () => void } {
  const t0 = performance.now();
  let last = -Infinity;
  let stage = '';
  const send: OnProgress = (p) => {
    stage = p.stage;
    const now = performance.now();
    if (!onProgress || now - last < PROGRESS_MS) return;
    last = now;
    const elapsed = now - t0;
    const etaMs = p.etaMs ?? (p.fraction > 0.02 && elapsed > 200 ? (elapsed * (1 - p.fraction)) / p.fraction : undefined);
    onProgress(etaMs === undefined ? p : { ...p, etaMs });
  };
  return { send, end: () => onProgress?.({ fraction: 1, stage, etaMs: 0 }) };
}

/** Kept here for the sim engine's importers; they live in ./wire so other engines need not bundle every runner. */
export { plainError, transferables } from './wire';
