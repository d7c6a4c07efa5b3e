/**
 * The language-model labs' service on the TensorFlow.js engine (engine.lm): a lab task by name, run
 * on the engine's tfjs backend, with progress and a live loss curve sent back as small objects, and
 * Stop at the next training step. Errors leave as plain {name, message} errors (sim engine's plainError).
 */
import { checkFields } from '../core/fields';
import { Interrupt, taskContext, type OnProgress } from '../core/task';
import { configureEngine, type EngineOptions } from '../runtime/engine';
import { startBackend } from '../ml/backend';
import * as gpt from '../runners/gpt';
import * as speculative from '../runners/speculative';
import { plainError } from './wire';

/** The language-model lab tasks, by name: their field tables, checks and runs. */
export const LM_TASKS = { gpt, speculative } as const;
export type LmTaskName = keyof typeof LM_TASKS;
export type LmPoint = gpt.LossPoint;
export type LmSettings<K extends LmTaskName> = Parameters<(typeof LM_TASKS)[K]['run']>[1];
export type LmResult<K extends LmTaskName> = Awaited<ReturnType<(typeof LM_TASKS)[K]['run']>>;

export interface LmServiceApi {
  run<K extends LmTaskName>(task: K, settings: LmSettings<K>, onProgress?: OnProgress, onPoint?: (p: LmPoint) => void): Promise<LmResult<K>>;
  stop(): void;
}

interface AnyTask {
  fields: Parameters<typeof checkFields>[0];
  validate(s: never): void;
  run(ctx: ReturnType<typeof taskContext>, s: never, onPoint?: (p: LmPoint) => void, backend?: string): Promise<unknown>;
}

export class LmService implements LmServiceApi {
  private readonly halt = new Interrupt();

  constructor(engine?: EngineOptions) {
    if (engine) configureEngine(engine);
  }

  async run<K extends LmTaskName>(task: K, settings: LmSettings<K>, onProgress?: OnProgress, onPoint?: (p: LmPoint) => void): Promise<LmResult<K>> {
    try {
      const t = (Object.hasOwn(LM_TASKS, task) ? LM_TASKS[task] : undefined) as AnyTask | undefined;
      if (!t) throw new Error(`The language-model service has no task '${String(task)}'.`);
      checkFields(t.fields, settings as object);
      t.validate(settings as never);
      this.halt.reset();
      const ctx = taskContext(this.halt, onProgress);
      ctx.progress(0, 'starting the TensorFlow.js backend');
      const decision = await startBackend('auto');
      return (await t.run(ctx, settings as never, onPoint, decision.backend)) as LmResult<K>;
    } catch (e) {
      throw plainError(e);
    }
  }

  stop(): void {
    this.halt.interrupt();
  }
}
