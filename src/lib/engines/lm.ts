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
import { plainError } from './sim';

/** The language-model lab tasks, by name: their field tables, checks and runs. */
export const LM_TASKS = { gpt } as const;
export type LmTaskName = keyof typeof LM_TASKS;
export type LmPoint = gpt.LossPoint;

export interface LmServiceApi {
  run(task: 'gpt', settings: gpt.GptSettings, onProgress?: OnProgress, onPoint?: (p: LmPoint) => void): Promise<gpt.GptResult>;
  stop(): void;
}

export class LmService implements LmServiceApi {
  private readonly halt = new Interrupt();

  constructor(engine?: EngineOptions) {
    if (engine) configureEngine(engine);
  }

  async run(task: LmTaskName, settings: gpt.GptSettings, onProgress?: OnProgress, onPoint?: (p: LmPoint) => void): Promise<gpt.GptResult> {
    try {
      const t = LM_TASKS[task];
      if (!t) throw new Error(`The language-model service has no task '${String(task)}'.`);
      checkFields(t.fields, settings);
      t.validate(settings);
      this.halt.reset();
      const ctx = taskContext(this.halt, onProgress);
      ctx.progress(0, 'starting the TensorFlow.js backend');
      const decision = await startBackend('auto');
      return await t.run(ctx, settings, onPoint, decision.backend);
    } catch (e) {
      throw plainError(e);
    }
  }

  stop(): void {
    this.halt.interrupt();
  }
}
