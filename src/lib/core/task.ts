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
}

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
  return {
    progress: (fraction, stage, etaMs) => onProgress({ fraction: from + (to - from) * Math.min(1, Math.max(0, fraction)), stage, ...(etaMs === undefined ? {} : { etaMs }) }),
    checkStop: () => stop.checkStop(),
  };
}

/** A context that never stops and reports nowhere: for tests, benchmarks and Node scripts. */
export const quietContext: TaskContext = { progress: () => {}, checkStop: () => {} };
