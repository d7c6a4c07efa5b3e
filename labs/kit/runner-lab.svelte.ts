/**
 * The state of a lab whose run is one runner task on the sim engine (the evaluation, experiment
 * and sampling/leakage labs): settings → run in the worker → result on screen → a saved record of
 * the settings and the digest's few numbers. "Show" redraws a saved run by running its settings
 * again (a run is a pure function of its settings and seed), without saving it twice.
 */
import { untrack } from 'svelte';
import { runLab } from '../../src/app/lab-lifecycle';
import type { TaskName, TaskResult, TaskSettings } from '../../src/lib/runners';
import type { LabProps } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { newRunId } from '../../src/lib/store';
import { LabState, type LabConfig } from './state.svelte';
import { openSim, runTask, stopTask, type SimClient } from './engines';
import { labRuns, type LabRun, type Summary } from './runs';

export interface RunnerLabConfig<K extends TaskName, D extends object> extends LabConfig<TaskSettings<K>> {
  /** The runner task this lab runs (src/lib/runners/<lab>.ts). */
  task: K;
  /** The few numbers kept with a saved run (the runner's digest). */
  digest: (result: TaskResult<K>, settings: TaskSettings<K>) => D;
  /** The data hash a run is saved with (default: the result's `dataHash`, else 'simulated'). */
  dataHash?: (result: TaskResult<K>) => string;
  /** Inputs the runner needs beside the fields, made per run (the model card: run id, date, app version). */
  extra?: (runId: string) => object;
  /** What ran it, for the record (default 'sim-worker'). */
  backend?: string;
}

export class RunnerLab<K extends TaskName, D extends object = Summary> extends LabState<TaskSettings<K>> {
  /** The result on screen, and the settings it was computed with. */
  result = $state.raw<TaskResult<K> | null>(null);
  resultSettings = $state.raw<TaskSettings<K> | null>(null);
  /** This lab's finished runs, newest first, with their settings and digests. */
  readonly saved = $derived(labRuns<TaskSettings<K>, D>(this.runs));
  readonly sim: SimClient;
  private readonly cfg: RunnerLabConfig<K, D>;

  constructor(config: RunnerLabConfig<K, D>, query: URLSearchParams, setQuery: (q: URLSearchParams) => void) {
    super(config, query, setQuery);
    this.cfg = config;
    this.sim = openSim();
  }

  /** Start the engine's worker and load this lab's runner, so the first run starts at once. */
  protected override async start(): Promise<void> {
    await this.sim.call((api) => api.load(this.cfg.task));
  }

  /** Run with the current settings and save the run (named `name`, if given). */
  async run(name?: string): Promise<RunRecord | undefined> {
    return this.compute(this.plainSettings(), { name, save: true });
  }

  /** Redraw a saved run: its settings again, computed afresh, not saved twice. */
  async show(run: LabRun<TaskSettings<K>, unknown>): Promise<void> {
    this.update(run.settings as Partial<TaskSettings<K>>);
    await this.compute(this.plainSettings(), { id: run.id, save: false });
    if (this.resultSettings) this.shown = run.record;
  }

  private async compute(settings: TaskSettings<K>, o: { name?: string; id?: string; save: boolean }): Promise<RunRecord | undefined> {
    const id = o.id ?? newRunId();
    const input = { ...settings, ...this.cfg.extra?.(id) } as TaskSettings<K>;
    const result = await this.task('starting the simulation engine', (onProgress) => runTask(this.sim, this.cfg.task, input, onProgress));
    if (result === undefined) return undefined;
    this.result = result;
    this.resultSettings = settings;
    const dataHash = this.cfg.dataHash?.(result) ?? ((result as { dataHash?: unknown }).dataHash as string | undefined) ?? 'simulated';
    const run = { id, name: o.name, settings, result: this.cfg.digest(result, settings) as Summary, dataHash, backend: this.cfg.backend ?? 'sim-worker' };
    return this.keepResult(run, o.save);
  }

  protected override onStop(): void {
    stopTask(this.sim);
  }

  override dispose(): void {
    this.sim.dispose();
    super.dispose();
  }
}

/**
 * A lab page's RunnerLab: settings read from the page's link and written back to it, started on
 * mount and closed on destroy (runLab). Call it while the component initialises, with a function
 * returning the page's props (so they are read when needed, not captured once).
 */
export function useRunnerLab<K extends TaskName, D extends object = Summary>(config: RunnerLabConfig<K, D>, props: () => Pick<LabProps, 'query' | 'setQuery'>): RunnerLab<K, D> {
  const lab = new RunnerLab<K, D>(config, untrack(() => new URLSearchParams(String(props().query))), (q) => props().setQuery(q));
  runLab(lab);
  return lab;
}
