/**
 * The serving gateway: an open-loop load generator (Poisson arrivals), a router (canary weights or
 * shadow mirroring), a dynamic batcher per model version, and a pool of model workers per version.
 * Latency of a request = the time its answer came back − the time it was scheduled to arrive, so a
 * queue that builds up, or a generator that falls behind, shows in the numbers (no coordinated
 * omission). Pure logic over injected backends and clock: the serve worker gives it onnxruntime-web
 * workers and performance.now(); tests give it fakes.
 */
import { deriveSeed, mulberry32 } from '../core/rng';
import { Batcher, type Queued } from './batcher';
import { Guardrail, type GuardrailConfig, type GuardrailState } from './guardrail';
import { ArrivalSchedule } from './poisson';
import { canaryWeights, leastBusy, pickVersion } from './router';
import { ShadowComparator, type ShadowStats } from './shadow';
import { percentile, SlidingWindow, type WindowStats } from './window';

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

export interface SteadyStats {
  fromMs: number;
  toMs: number;
  /** Requests scheduled in [fromMs, toMs). */
  requests: number;
  offeredQps: number;
  /** Successful completions per second of those requests. */
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  /** Largest queue depth seen during the steady window. */
  maxQueue: number;
  /** Mean requests per model call. */
  meanBatch: number;
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

interface Req {
  /** Scheduled arrival, ms (clock time). */
  at: number;
  /** Row of the input bank it sends. */
  row: number;
}

export class ServeError extends Error {
  override name = 'ServeError';
}

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
  private wake?: () => void;

  constructor(private readonly clock: Clock = realClock) {}

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /**
   * Serves `settings.qps` for `settings.durationMs` with inputs drawn from `bank` (rows of
   * `rowShape`), reporting every tick. v2's pool may be empty when mode is 'v1'.
   */
  async run(settings: ServeSettings, pools: Record<Version, Backend[]>, bank: Float32Array, rowShape: number[], outputWidth: number, onTick?: (t: ServeTick) => void, fault: Fault = { delayMs: 0, errorRate: 0 }): Promise<ServeResult> {
    const s = settings;
    validateServeSettings(s);
    if (pools.v1.length === 0) throw new ServeError('v1 needs at least one worker.');
    if (s.mode !== 'v1' && pools.v2.length === 0) throw new ServeError(`${s.mode} mode needs a v2 with at least one worker.`);
    const rowSize = rowShape.reduce((a, b) => a * b, 1);
    const rows = Math.floor(bank.length / rowSize);
    if (rows < 1) throw new ServeError('The input bank holds no complete row.');
    const clock = this.clock;
    const start = clock.now();
    const end = start + s.durationMs;
    const schedule = new ArrivalSchedule(s.qps, mulberry32(s.seed), start, end);
    const routeRng = mulberry32(deriveSeed(s.seed, 1));
    const rowRng = mulberry32(deriveSeed(s.seed, 2));
    const faultRng = mulberry32(deriveSeed(s.seed, 3));
    const batchers: Record<Version, Batcher<Req>> = { v1: new Batcher({ maxBatch: s.maxBatch, maxWaitMs: s.maxWaitMs }), v2: new Batcher({ maxBatch: s.maxBatch, maxWaitMs: s.maxWaitMs }) };
    const inFlight: Record<Version, number[]> = { v1: pools.v1.map(() => 0), v2: pools.v2.map(() => 0) };
    const windows = { all: new SlidingWindow(s.windowMs), v1: new SlidingWindow(s.windowMs), v2: new SlidingWindow(s.windowMs) };
    const guardrail = new Guardrail(s.guardrail);
    const shadow = s.mode === 'shadow' ? new ShadowComparator(outputWidth) : undefined;
    let weights = s.mode === 'canary' ? canaryWeights(s.canaryPercent) : { v1: 100, v2: 0 };
    let rollback: ServeResult['rollback'];
    // Every request's outcome, for the steady-state statistics: scheduled time, latency (NaN = failed).
    const doneAt: number[] = [];
    const doneLatency: number[] = [];
    let sent = 0, completed = 0, errors = 0, dropped = 0, batches = 0, steadyBatches = 0, steadyRows = 0;
    let lagMs = 0;
    let steadyMaxQueue = 0;
    const ticks: ServeTick[] = [];
    let nextTick = start + s.tickMs;

    const finish = (v: Version, batch: Queued<Req>[], ok: boolean) => {
      const t = clock.now();
      for (const q of batch) {
        const ms = t - q.item.at;
        windows.all.add(t, ms, ok);
        windows[v].add(t, ms, ok);
        doneAt.push(q.item.at);
        doneLatency.push(ok ? ms : Number.NaN);
      }
      if (ok) completed += batch.length;
      else errors += batch.length;
      this.wake?.();
    };

    const call = async (v: Version, w: number, input: Float32Array, dims: number[]): Promise<Float32Array> => {
      inFlight[v][w]++;
      try {
        if (v === 'v2' && fault.errorRate > 0 && faultRng() < fault.errorRate) throw new ServeError('injected fault: v2 failed this batch');
        const { output } = await pools[v][w].run(input, dims);
        if (v === 'v2' && fault.delayMs > 0) await clock.sleep(fault.delayMs);
        return output;
      } finally {
        inFlight[v][w]--;
      }
    };

    const send = (v: Version, w: number, batch: Queued<Req>[], t: number) => {
      const input = new Float32Array(batch.length * rowSize);
      batch.forEach((q, i) => input.set(bank.subarray(q.item.row * rowSize, (q.item.row + 1) * rowSize), i * rowSize));
      const dims = [batch.length, ...rowShape];
      batches++;
      if (batch[0].item.at >= start + s.warmupMs && t < end) {
        steadyBatches++;
        steadyRows += batch.length;
      }
      // The mirror's copy is made first: a backend may take (transfer) the buffer it is given.
      const w2 = shadow && v === 'v1' ? leastBusy(inFlight.v2) : -1;
      const copy = w2 >= 0 ? input.slice() : null;
      const primary = call(v, w, input, dims);
      primary.then(() => finish(v, batch, true), () => finish(v, batch, false));
      if (shadow && v === 'v1') {
        if (!copy) shadow.skip(batch.length);
        else {
          const mirror = call('v2', w2, copy, dims);
          Promise.allSettled([primary, mirror]).then(([a, b]) => {
            if (b.status === 'rejected') shadow.error(batch.length);
            else if (a.status === 'fulfilled') shadow.compare(a.value, b.value);
            this.wake?.();
          });
        }
      }
    };

    const dispatch = (t: number) => {
      for (const v of ['v1', 'v2'] as Version[]) {
        for (;;) {
          const w = leastBusy(inFlight[v]);
          if (w < 0) break;
          const batch = batchers[v].take(t);
          if (!batch) break;
          send(v, w, batch, t);
        }
      }
    };

    const tick = (t: number) => {
      const v2 = windows.v2.stats(t);
      if (s.mode === 'canary' && !rollback) {
        const g = guardrail.observe(t, { p99Ms: Number.isNaN(v2.p99) ? 0 : v2.p99, errorRate: v2.errorRate, requests: v2.count + v2.errors });
        if (g.state === 'rolled-back') {
          weights = { v1: 100, v2: 0 };
          rollback = { atMs: g.at - start, sinceMs: g.since - start, reason: g.reason };
        }
      }
      const queue = batchers.v1.depth + batchers.v2.depth;
      const tk: ServeTick = {
        t: t - start, sent, completed, errors, dropped, queue,
        inFlight: [...inFlight.v1, ...inFlight.v2].reduce((a, b) => a + b, 0),
        all: windows.all.stats(t), v1: windows.v1.stats(t), v2,
        v2Percent: weights.v2, guardrail: guardrail.state, shadow: shadow?.stats(), lagMs,
      };
      ticks.push(tk);
      onTick?.(tk);
    };

    let stopAt = Infinity;
    for (;;) {
      const t = clock.now();
      const due = this.stopped ? [] : schedule.due(t);
      if (due.length) lagMs = t - due[due.length - 1];
      for (const at of due) {
        const v = s.mode === 'canary' ? pickVersion(weights, routeRng()) : 'v1';
        const req = { at, row: Math.floor(rowRng() * rows) };
        sent++;
        if (batchers[v].depth >= s.maxQueue) {
          dropped++;
          windows.all.add(t, t - at, false);
          windows[v].add(t, t - at, false);
          doneAt.push(at);
          doneLatency.push(Number.NaN);
        } else batchers[v].push(req, at);
      }
      dispatch(t);
      if (t >= start + s.warmupMs && t < end) steadyMaxQueue = Math.max(steadyMaxQueue, batchers.v1.depth + batchers.v2.depth);
      if (t >= nextTick) {
        tick(t);
        nextTick = Math.max(nextTick + s.tickMs, t + 1);
      }
      const busy = inFlight.v1.some((x) => x > 0) || inFlight.v2.some((x) => x > 0);
      const queued = batchers.v1.depth + batchers.v2.depth;
      if (this.stopped || t >= end) {
        stopAt = Math.min(stopAt, this.stopped ? t : end + s.drainMs);
        if ((!busy && queued === 0) || t >= stopAt) break;
      }
      // A queue whose workers are all busy waits for a completion (which wakes the loop), not for its deadline.
      const deadlines = (['v1', 'v2'] as Version[]).filter((v) => leastBusy(inFlight[v]) >= 0).map((v) => batchers[v].deadline()).filter((d): d is number => d !== null);
      const wakeAt = Math.min(schedule.nextAt(), nextTick, stopAt, ...deadlines);
      await Promise.race([clock.sleep(Math.max(0, wakeAt - clock.now())), new Promise<void>((r) => (this.wake = r))]);
      this.wake = undefined;
    }
    // Whatever is still queued or running when the drain time is up counts as dropped.
    for (const v of ['v1', 'v2'] as Version[]) {
      for (const q of batchers[v].drain()) {
        dropped++;
        doneAt.push(q.item.at);
        doneLatency.push(Number.NaN);
      }
    }
    tick(clock.now());
    return {
      settings: s,
      ticks,
      steady: steadyStats(doneAt, doneLatency, start + s.warmupMs, end, start, steadyMaxQueue, steadyRows / Math.max(1, steadyBatches)),
      rollback,
      shadow: shadow?.stats(),
      totals: { sent, completed, errors, dropped, batches, stopped: this.stopped },
    };
  }
}

/** Statistics of the requests scheduled in [from, to): failed or dropped ones count as errors, not as latencies. */
export function steadyStats(at: number[], latency: number[], from: number, to: number, origin: number, maxQueue: number, meanBatch: number): SteadyStats {
  const lat: number[] = [];
  let requests = 0, errors = 0;
  for (let i = 0; i < at.length; i++) {
    if (at[i] < from || at[i] >= to) continue;
    requests++;
    if (Number.isNaN(latency[i])) errors++;
    else lat.push(latency[i]);
  }
  const sorted = Float64Array.from(lat).sort();
  const secs = (to - from) / 1000;
  return {
    fromMs: from - origin, toMs: to - origin, requests, offeredQps: requests / secs, throughput: lat.length / secs,
    p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), errors, maxQueue, meanBatch,
  };
}
