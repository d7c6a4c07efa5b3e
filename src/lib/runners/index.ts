/**
 * The lab runners by task name: what the sim engine (engines/sim.ts) runs. One file per lab, named
 * after the lab; each exports its defaults, its field table (the page draws its controls from it,
 * links carry it, the engine checks settings against it) and run(ctx, settings). A lab with a
 * second step names it as a task of its own (drift-retrain, feature-store-score).
 *
 * Runners load on first use (a dynamic import each), so the engine starts at once and a lab pulls in
 * only its own code.
 */
import type { Field } from '../core/fields';
import type { TaskContext } from '../core/task';

/** What the engine needs of a runner: its work, and optionally the checks its settings must pass first. */
export interface Runner {
  run: (ctx: TaskContext, settings: never) => unknown;
  /** Field bounds, checked before run (settings may carry more keys than the fields). */
  fields?: Field[];
  /** Cross-field rules, checked after the fields; throws naming the setting. */
  validate?: (settings: never) => void;
}

/** A runner made of one function of a module that has another (a lab's second task). */
const only = <F>(run: F) => ({ run });

export const RUNNERS = {
  // Evaluation: the credit model, measured.
  metrics: () => import('./metrics'),
  calibration: () => import('./calibration'),
  'error-analysis': () => import('./error-analysis'),
  fairness: () => import('./fairness'),
  explain: () => import('./explain'),
  'model-card': () => import('./model-card'),
  // Experimentation: simulated experiments.
  'ab-test': () => import('./ab-test'),
  pitfalls: () => import('./pitfalls'),
  cuped: () => import('./cuped'),
  bandits: () => import('./bandits'),
  interleaving: () => import('./interleaving'),
  uplift: () => import('./uplift'),
  // Data: simulations, and the TypeScript halves of the DuckDB labs.
  leakage: () => import('./leakage'),
  sampling: () => import('./sampling'),
  etl: () => import('./etl'),
  drift: () => import('./drift').then((m) => only(m.run)),
  'drift-retrain': () => import('./drift').then((m) => only(m.retrain)),
  'feature-store': () => import('./feature-store'),
  'feature-store-score': () => import('./feature-store').then((m) => only(m.score)),
  // Vector search: indexes written by hand (src/lib/vector), measured against an exact scan.
  'vector-exact': () => import('./vector-exact'),
  'vector-ivf': () => import('./vector-ivf'),
  'vector-hnsw': () => import('./vector-hnsw'),
  'vector-pq': () => import('./vector-pq'),
  'vector-hybrid': () => import('./vector-hybrid'),
  // MLOps: tracking reads the saved runs and registry events the page passes with the settings.
  tracking: () => import('./tracking').then((m) => ({ run: m.runSaved, fields: m.fields })),
  hpo: () => import('./hpo'),
  pipelines: () => import('./pipelines'),
};

// Every entry is a runner (checked here rather than with `satisfies`, which would widen each run's type).
const checked: Record<string, () => Promise<Runner>> = RUNNERS;
void checked;

export type TaskName = keyof typeof RUNNERS;
type RunnerOf<K extends TaskName> = Awaited<ReturnType<(typeof RUNNERS)[K]>>;
/** The settings a task takes. */
export type TaskSettings<K extends TaskName> = NonNullable<Parameters<RunnerOf<K>['run']>[1]>;
/** What a task's run resolves to. */
export type TaskResult<K extends TaskName> = Awaited<ReturnType<RunnerOf<K>['run']>>;

export const TASK_NAMES = Object.keys(RUNNERS) as TaskName[];

export function isTask(name: string): name is TaskName {
  return Object.hasOwn(RUNNERS, name);
}
