/**
 * What every long piece of work shares, whatever engine runs it: one progress report, one way to
 * stop, one stop error. A runner gets a TaskContext; a worker's engine makes one per run and
 * stops it on interrupt().
 */

/** Progress of one operation, as it crosses a worker boundary (a small plain object). */
export interface Progress {
  /** 0..1 of the whole operation. */
  fraction: number;
  /** What is happening now, in a few words a learner can read ("fine-tuning: epoch 2 of 3"). */
  stage: string;
  /** Estimated milliseconds left, where the work can tell. */
  etaMs?: number;
}

export type OnProgress = (p: Progress) => void;

/** Thrown (and re-thrown across comlink by name) when the learner pressed Stop. Not a failure. */
export class StoppedError extends Error {
  override name = 'StoppedError';
  constructor(message = 'Stopped by you.') {
    super(message);
  }
}

/** True for a StoppedError, also after it crossed a worker boundary (comlink keeps name and message). */
export function isStopped(e: unknown): boolean {
  return (e as { name?: string } | null)?.name === 'StoppedError';
}

/** What a runner gets from its engine for one run. */
export interface TaskContext {
  /** Report progress; cheap, call it as often as you like (engines throttle what crosses to the page). */
  progress(fraction: number, stage: string, etaMs?: number): void;
  /** Throws StoppedError once the learner pressed Stop. Call it between steps. */
  checkStop(): void;
  /**
   * For loops of plain JavaScript that never await otherwise: report progress and, at most every
   * TICK_MS, yield to the event loop (so a Stop sent to the worker meanwhile can arrive), then
   * checkStop(). Await it; between ticks it returns at once, so calling it every iteration is cheap.
   * `stage` defaults to the last one reported.
   */
  tick(fraction: number, stage?: string): void | Promise<void>;
}

/** How often (ms) tick() reports and yields: often enough for a prompt Stop, rarely enough to cost nothing. */
export const TICK_MS = 50;

/** A macrotask: lets queued messages (Stop) in, unlike a resolved promise. */
const macrotask = () => new Promise<void>((r) => setTimeout(r, 0));

/** The stop switch an engine holds for its current run. */
export class Interrupt {
  private requested = false;

  /** Ask the running work to stop at its next checkStop(). */
  interrupt(): void {
    this.requested = true;
  }

  reset(): void {
    this.requested = false;
  }

  get stopRequested(): boolean {
    return this.requested;
  }

  checkStop(): void {
    if (this.requested) throw new StoppedError();
  }
}

/** A TaskContext over an Interrupt, mapping the runner's 0..1 into [from, to] of the caller's progress. */
export function taskContext(stop: Interrupt, onProgress: OnProgress = () => {}, from = 0, to = 1): TaskContext {
  let last = now();
  let lastStage = '';
  const progress = (fraction: number, stage: string, etaMs?: number) => {
    lastStage = stage;
    onProgress({ fraction: from + (to - from) * Math.min(1, Math.max(0, fraction)), stage, ...(etaMs === undefined ? {} : { etaMs }) });
  };
  return {
    progress,
    checkStop: () => stop.checkStop(),
    tick: (fraction, stage) => {
      const t = now();
      if (t - last < TICK_MS) return;
      last = t;
      progress(fraction, stage ?? lastStage);
      return macrotask().then(() => stop.checkStop());
    },
  };
}

const now = () => (typeof performance === 'undefined' ? Date.now() : performance.now());

/**
 * A step's slice [from, to] of its caller's progress, for a runner that runs another piece of work
 * in stages: the step reports 0..1, the caller sees from..to; stages read "label: stage" when a
 * label is given. Stop and ticks pass through.
 */
export function sliceContext(ctx: TaskContext, from: number, to: number, label?: string): TaskContext {
  const at = (f: number) => from + (to - from) * Math.min(1, Math.max(0, f));
  const name = (stage: string) => (label ? `${label}: ${stage}` : stage);
  return {
    progress: (f, stage, etaMs) => ctx.progress(at(f), name(stage), etaMs),
    checkStop: () => ctx.checkStop(),
    tick: (f, stage) => ctx.tick(at(f), stage === undefined ? undefined : name(stage)),
  };
}

/** A context that never stops, never yields and reports nowhere: for tests, benchmarks and Node scripts. */
export const quietContext: TaskContext = { progress: () => {}, checkStop: () => {}, tick: () => {} };

/**
 * A runner's `run` when the work is one call of `work(settings, ctx)`: it names the stage at 0 (so the
 * page shows what started before the first tick) and hands the context on.
 */
export function runStage<S, R>(stage: string, work: (s: S, ctx: TaskContext) => Promise<R>): (ctx: TaskContext, s: S) => Promise<R> {
  return (ctx, s) => {
    ctx.progress(0, stage);
    return work(s, ctx);
  };
}
