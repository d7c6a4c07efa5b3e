/** The shapes runFlow works with: tasks, options, the cache, and what a run reports (see flow.ts). */
import type { TaskContext } from '../core/task';
import type { FlowClock } from './clock';
import type { TaskShape } from './dag';

export interface TaskRunInfo {
  /** 1 for the first attempt. */
  attempt: number;
  /** Clock time the attempt started. */
  now: number;
}

export interface FlowTask extends TaskShape {
  /**
   * The work: gets its inputs by artifact name; returns its single output (no `outputs` declared)
   * or a record with every declared output.
   */
  run(inputs: Record<string, unknown>, info: TaskRunInfo): unknown;
  /** Its code version, hashed into the cache key; default the source text of run. */
  code?: string;
  /** Settings of the task that change its result, hashed into the key. */
  params?: unknown;
  /** Retries for this task (overrides the flow's). */
  retries?: number;
  /** Whether its results may be cached (false for side effects: deploy, notify). Default true. */
  cache?: boolean;
  /** How long a cached result stays valid, in clock ms (overrides the flow's). */
  cacheTtlMs?: number;
  /** Clock time an attempt takes on a virtual clock (ignored on the real clock). Default 0. */
  durationMs?: number;
}

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** Wait before the first retry, ms. Default 1000. */
  backoffMs?: number;
  /** Each further retry waits this many times longer. Default 2. */
  factor?: number;
  /** Longest wait. Default 10 minutes. */
  maxBackoffMs?: number;
}

export interface CacheEntry {
  task: string;
  outputs: Record<string, unknown>;
  /** Clock time written, and when it stops counting (Infinity: never). */
  createdAt: number;
  expiresAt: number;
}

/** Where results outlive a run. get may return an expired entry: the runner checks expiry. */
export interface FlowCache {
  get(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined>;
  set(key: string, entry: CacheEntry): void | Promise<void>;
  delete(key: string): void | Promise<void>;
}

export class MemoryFlowCache implements FlowCache {
  readonly entries = new Map<string, CacheEntry>();
  get(key: string) {
    return this.entries.get(key);
  }
  set(key: string, entry: CacheEntry) {
    this.entries.set(key, entry);
  }
  delete(key: string) {
    this.entries.delete(key);
  }
}

/** Decides whether attempt `attempt` (1-based) of `task` fails before running: injected faults. */
export type FailurePlan = (task: string, attempt: number) => boolean;

export interface FlowOptions {
  /** Where results are kept between runs; none: every task runs. */
  cache?: FlowCache;
  /** The clock: real (default) or a VirtualClock for fast-forwarded, reproducible runs. */
  clock?: FlowClock;
  /** Retries for every task (a count, or a policy with back-off). Default 0. */
  retries?: number | RetryPolicy;
  /** Artifacts given to the flow (raw data, settings), read by tasks like outputs. */
  inputs?: Record<string, unknown>;
  /** Most tasks running at once. Default Infinity. */
  concurrency?: number;
  /** Injected failures. */
  failures?: FailurePlan;
  /** Default lifetime of cache entries, clock ms. Default Infinity. */
  cacheTtlMs?: number;
  ctx?: TaskContext;
  /** Told of every start, retry, success, cache hit, failure and skip, as they happen. */
  onEvent?: (e: FlowEvent) => void;
}

export type TaskState = 'completed' | 'cached' | 'failed' | 'skipped';

export interface Attempt {
  attempt: number;
  start: number;
  end: number;
  /** Why it failed; absent for the successful attempt. */
  error?: string;
  injected?: boolean;
}

export interface TaskRun {
  name: string;
  state: TaskState;
  /** Cache key (SHA-256 hex); '' for a skipped task. */
  key: string;
  attempts: Attempt[];
  /** Clock time it started (first attempt or cache hit) and finished. */
  start: number;
  end: number;
  error?: string;
  /** For a skipped task: the failed task upstream that caused it. */
  cause?: string;
}

export interface FlowEvent {
  at: number;
  task: string;
  kind: 'start' | 'retry' | 'completed' | 'cached' | 'failed' | 'skipped' | 'expired';
  attempt?: number;
  message?: string;
}

export interface FlowRun {
  state: 'completed' | 'failed';
  tasks: Record<string, TaskRun>;
  /** Every artifact written or given, by name. */
  artifacts: Record<string, unknown>;
  /** Tasks that ran (not cached, not skipped), in the order they finished. */
  ran: string[];
  events: FlowEvent[];
  start: number;
  end: number;
}
