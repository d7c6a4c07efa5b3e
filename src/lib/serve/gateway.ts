/**
 * The serving gateway: an open-loop load generator (Poisson arrivals), a router (canary weights or
 * shadow mirroring), a dynamic batcher per model version, and a pool of model workers per version.
 * Latency of a request = the time its answer came back − the time it was scheduled to arrive, so a
 * queue that builds up, or a generator that falls behind, shows in the numbers (no coordinated
 * omission). Pure logic over injected backends and clock: the serve worker gives it onnxruntime-web
 * workers and performance.now(); tests give it fakes.
 */
import { GatewayRun, ServeError } from './gateway-run';
import type { GuardrailConfig, GuardrailState } from './guardrail';
import type { ShadowStats } from './shadow';
import type { SteadyStats } from './steady';
import type { WindowStats } from './window';

export { ServeError } from './gateway-run';
export { steadyStats, type SteadyStats } from './steady';

export type Version = 'v1' | 'v2';
export type RouteMode = 'v1' | 'canary' | 'shadow';

/** A model worker: runs one batch at a time. */
export interface Backend {
  run(input: Float32Array, dims: number[]): Promise<{ output: Float32Array }>;
}

/** A fault injected into v2 (a lesson in rollback, clearly not the model's own behaviour). */
export interface Fault {
  /** Extra time each v2 batch holds its worker, ms. */
  delayMs: number;
  /** Share of v2 batches that fail (as a server answering 500 would). */
  errorRate: number;
}

export interface ServeSettings {
  /** Offered load: mean arrivals per second of the Poisson process. */
  qps: number;
  durationMs: number;
  seed: number;
  maxBatch: number;
  maxWaitMs: number;
  /** Requests a version's queue may hold; arrivals beyond it are refused at once (load shedding) and count as errors. */
  maxQueue: number;
  mode: RouteMode;
  /** In canary mode, the share of traffic sent to v2, %. */
  canaryPercent: number;
  guardrail: GuardrailConfig;
  /** Live statistics cover the completions of the last windowMs. */
  windowMs: number;
  /** How often statistics are reported, ms. */
  tickMs: number;
  /** Statistics of the run's steady state leave out requests scheduled before this, ms from the start (warm-up, queues filling). */
  warmupMs: number;
  /** After the last arrival, how long queued requests may take to finish before they count as dropped, ms. */
  drainMs: number;
}

export const SERVE_DEFAULTS: ServeSettings = {
  qps: 200,
  durationMs: 10_000,
  seed: 1,
  maxBatch: 16,
  maxWaitMs: 2,
  maxQueue: 2000,
  mode: 'v1',
  canaryPercent: 10,
  guardrail: { maxP99Ms: 50, maxErrorRate: 0.02, breachMs: 1000, minRequests: 10 },
  windowMs: 2000,
  tickMs: 250,
  warmupMs: 3000,
  drainMs: 5000,
};

export interface ServeTick {
  /** ms since the start. */
  t: number;
  sent: number;
  completed: number;
  errors: number;
  dropped: number;
  /** Requests waiting in the queues, and batches in flight, now. */
  queue: number;
  inFlight: number;
  all: WindowStats;
  v1: WindowStats;
  v2: WindowStats;
  /** Current share of traffic to v2, %. */
  v2Percent: number;
  guardrail: GuardrailState;
  shadow?: ShadowStats;
  /** How far behind its schedule the generator was when it last woke, ms. */
  lagMs: number;
}

export interface ServeResult {
  settings: ServeSettings;
  ticks: ServeTick[];
  steady: SteadyStats;
  rollback?: { atMs: number; sinceMs: number; reason: string };
  shadow?: ShadowStats;
  totals: { sent: number; completed: number; errors: number; dropped: number; batches: number; stopped: boolean };
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

interface PostTaskScheduler {
  postTask(cb: () => void, opts: { delay: number; priority?: string }): Promise<void>;
}

/**
 * performance.now() and the shortest sleep the platform offers. Chromium clamps setTimeout chains
 * nested five deep to 4 ms, which would add up to 4 ms to every batch's wait; scheduler.postTask's
 * delay is not clamped, so it is used where it exists.
 */
export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => {
    const sched = (globalThis as { scheduler?: PostTaskScheduler }).scheduler;
    if (sched?.postTask) return sched.postTask(() => {}, { delay: Math.max(0, ms) });
    return new Promise((r) => setTimeout(r, ms));
  },
};

export function validateServeSettings(s: ServeSettings): void {
  const need = (ok: boolean, msg: string) => {
    if (!ok) throw new ServeError(msg);
  };
  need(s.qps > 0 && s.qps <= 20_000, `qps must be in (0, 20000]; got ${s.qps}.`);
  need(s.durationMs >= 1000 && s.durationMs <= 300_000, `duration must be 1–300 s; got ${s.durationMs / 1000} s.`);
  need(Number.isInteger(s.maxBatch) && s.maxBatch >= 1 && s.maxBatch <= 512, `max batch must be an integer 1–512; got ${s.maxBatch}.`);
  need(s.maxWaitMs >= 0 && s.maxWaitMs <= 1000, `max wait must be 0–1000 ms; got ${s.maxWaitMs}.`);
  need(Number.isInteger(s.maxQueue) && s.maxQueue >= 1, `max queue must be a positive integer; got ${s.maxQueue}.`);
  need(s.canaryPercent >= 0 && s.canaryPercent <= 100, `canary share must be 0–100%; got ${s.canaryPercent}.`);
  need(s.warmupMs >= 0 && s.warmupMs < s.durationMs, `warm-up must be shorter than the run; got ${s.warmupMs} ms of ${s.durationMs} ms.`);
}

export class Gateway {
  private stopped = false;
  private active?: GatewayRun;

  constructor(private readonly clock: Clock = realClock) {}

  stop(): void {
    this.stopped = true;
    this.active?.wake();
  }

  /**
   * Serves `settings.qps` for `settings.durationMs` with inputs drawn from `bank` (rows of
   * `rowShape`), reporting every tick. v2's pool may be empty when mode is 'v1'.
   */
  async run(settings: ServeSettings, pools: Record<Version, Backend[]>, bank: Float32Array, rowShape: number[], outputWidth: number, onTick?: (t: ServeTick) => void, fault: Fault = { delayMs: 0, errorRate: 0 }): Promise<ServeResult> {
    validateServeSettings(settings);
    if (pools.v1.length === 0) throw new ServeError('v1 needs at least one worker.');
    if (settings.mode !== 'v1' && pools.v2.length === 0) throw new ServeError(`${settings.mode} mode needs a v2 with at least one worker.`);
    const rowSize = rowShape.reduce((a, b) => a * b, 1);
    if (Math.floor(bank.length / rowSize) < 1) throw new ServeError('The input bank holds no complete row.');
    this.active = new GatewayRun({ settings, pools, bank, rowShape, outputWidth, fault, onTick }, this.clock, () => this.stopped);
    try {
      return await this.active.serve();
    } finally {
      this.active = undefined;
    }
  }
}
