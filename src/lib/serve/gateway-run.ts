/**
 * One run of the serving gateway: its arrivals, queues, worker pools, statistics and guardrail. The
 * Gateway's loop asks it, in order, to admit the requests now due, dispatch batches to free workers,
 * report a tick, and decide whether to stop or sleep until the next event.
 */
import { deriveSeed, mulberry32, type Rng } from '../core/rng';
import { Batcher, type Queued } from './batcher';
import type { Backend, Clock, Fault, ServeResult, ServeSettings, ServeTick, Version } from './gateway';
import { Guardrail } from './guardrail';
import { ArrivalSchedule } from './poisson';
import { canaryWeights, leastBusy, pickVersion } from './router';
import { ShadowComparator } from './shadow';
import { steadyStats } from './steady';
import { SlidingWindow } from './window';

const VERSIONS: Version[] = ['v1', 'v2'];

interface Req {
  /** Scheduled arrival, ms (clock time). */
  at: number;
  /** Row of the input bank it sends. */
  row: number;
}

/** What a run is given: the settings (already checked), the worker pools, the input bank and the fault on v2. */
export interface RunInputs {
  settings: ServeSettings;
  pools: Record<Version, Backend[]>;
  bank: Float32Array;
  rowShape: number[];
  outputWidth: number;
  fault: Fault;
  onTick?: (t: ServeTick) => void;
}

export class GatewayRun {
  private readonly s: ServeSettings;
  private readonly start: number;
  private readonly end: number;
  private readonly rowSize: number;
  private readonly rows: number;
  private readonly schedule: ArrivalSchedule;
  private readonly routeRng: Rng;
  private readonly rowRng: Rng;
  private readonly faultRng: Rng;
  private readonly batchers: Record<Version, Batcher<Req>>;
  private readonly inFlight: Record<Version, number[]>;
  private readonly windows: Record<'all' | Version, SlidingWindow>;
  private readonly guardrail: Guardrail;
  private readonly shadow?: ShadowComparator;
  private weights: Record<Version, number>;
  private rollback: ServeResult['rollback'];
  // Every request's outcome, for the steady-state statistics: scheduled time, latency (NaN = failed).
  private readonly doneAt: number[] = [];
  private readonly doneLatency: number[] = [];
  /** Requests sent, answered, failed and dropped, and model calls, so far. */
  private readonly count = { sent: 0, completed: 0, errors: 0, dropped: 0, batches: 0 };
  /** Model calls and their rows among requests of the steady window, and the deepest queue seen in it. */
  private readonly steady = { batches: 0, rows: 0, maxQueue: 0 };
  private lagMs = 0;
  private readonly ticks: ServeTick[] = [];
  private nextTick: number;
  private stopAt = Infinity;
  private wakeLoop?: () => void;

  constructor(
    private readonly io: RunInputs,
    private readonly clock: Clock,
    private readonly isStopped: () => boolean,
  ) {
    const s = (this.s = io.settings);
    this.rowSize = io.rowShape.reduce((a, b) => a * b, 1);
    this.rows = Math.floor(io.bank.length / this.rowSize);
    this.start = clock.now();
    this.end = this.start + s.durationMs;
    this.schedule = new ArrivalSchedule(s.qps, mulberry32(s.seed), this.start, this.end);
    this.routeRng = mulberry32(deriveSeed(s.seed, 1));
    this.rowRng = mulberry32(deriveSeed(s.seed, 2));
    this.faultRng = mulberry32(deriveSeed(s.seed, 3));
    const policy = { maxBatch: s.maxBatch, maxWaitMs: s.maxWaitMs };
    this.batchers = { v1: new Batcher(policy), v2: new Batcher(policy) };
    this.inFlight = { v1: io.pools.v1.map(() => 0), v2: io.pools.v2.map(() => 0) };
    this.windows = { all: new SlidingWindow(s.windowMs), v1: new SlidingWindow(s.windowMs), v2: new SlidingWindow(s.windowMs) };
    this.guardrail = new Guardrail(s.guardrail);
    this.shadow = s.mode === 'shadow' ? new ShadowComparator(io.outputWidth) : undefined;
    this.weights = s.mode === 'canary' ? canaryWeights(s.canaryPercent) : { v1: 100, v2: 0 };
    this.nextTick = this.start + s.tickMs;
  }

  /** Wake the loop early: a batch finished, or the gateway was stopped. */
  wake(): void {
    this.wakeLoop?.();
  }

  /** The loop: admit, dispatch, report, until the run and its drain are over. */
  async serve(): Promise<ServeResult> {
    for (;;) {
      const t = this.clock.now();
      this.admitDue(t);
      this.dispatch(t);
      if (this.inSteadyWindow(t)) this.steady.maxQueue = Math.max(this.steady.maxQueue, this.queued());
      if (t >= this.nextTick) {
        this.tick(t);
        this.nextTick = Math.max(this.nextTick + this.s.tickMs, t + 1);
      }
      if (this.isOver(t)) break;
      await this.sleepUntilNextEvent();
    }
    this.dropLeftovers();
    this.tick(this.clock.now());
    return this.result();
  }

  private inSteadyWindow(t: number): boolean {
    return t >= this.start + this.s.warmupMs && t < this.end;
  }

  private queued(): number {
    return this.batchers.v1.depth + this.batchers.v2.depth;
  }

  private record(at: number, latency: number): void {
    this.doneAt.push(at);
    this.doneLatency.push(latency);
  }

  /** Route each arrival now due to a version's queue, or refuse it when that queue is full (load shedding). */
  private admitDue(t: number): void {
    const due = this.isStopped() ? [] : this.schedule.due(t);
    if (due.length) this.lagMs = t - due[due.length - 1];
    for (const at of due) {
      const v = this.s.mode === 'canary' ? pickVersion(this.weights, this.routeRng()) : 'v1';
      const req = { at, row: Math.floor(this.rowRng() * this.rows) };
      this.count.sent++;
      if (this.batchers[v].depth >= this.s.maxQueue) {
        this.count.dropped++;
        this.windows.all.add(t, t - at, false);
        this.windows[v].add(t, t - at, false);
        this.record(at, Number.NaN);
      } else this.batchers[v].push(req, at);
    }
  }

  /** Give every free worker a batch while its version's batcher has one ready. */
  private dispatch(t: number): void {
    for (const v of VERSIONS) {
      for (;;) {
        const w = leastBusy(this.inFlight[v]);
        if (w < 0) break;
        const batch = this.batchers[v].take(t);
        if (!batch) break;
        this.send(v, w, batch, t);
      }
    }
  }

  /** Gather a batch's rows, run it on worker w of v, and in shadow mode mirror v1's batches to v2. */
  private send(v: Version, w: number, batch: Queued<Req>[], t: number): void {
    const { bank, rowShape } = this.io;
    const rowSize = this.rowSize;
    const input = new Float32Array(batch.length * rowSize);
    batch.forEach((q, i) => input.set(bank.subarray(q.item.row * rowSize, (q.item.row + 1) * rowSize), i * rowSize));
    const dims = [batch.length, ...rowShape];
    this.count.batches++;
    if (batch[0].item.at >= this.start + this.s.warmupMs && t < this.end) {
      this.steady.batches++;
      this.steady.rows += batch.length;
    }
    const shadow = this.shadow;
    // The mirror's copy is made first: a backend may take (transfer) the buffer it is given.
    const w2 = shadow && v === 'v1' ? leastBusy(this.inFlight.v2) : -1;
    const copy = w2 >= 0 ? input.slice() : null;
    const primary = this.call(v, w, input, dims);
    primary.then(() => this.finish(v, batch, true), () => this.finish(v, batch, false));
    if (shadow && v === 'v1') {
      if (!copy) shadow.skip(batch.length);
      else {
        const mirror = this.call('v2', w2, copy, dims);
        Promise.allSettled([primary, mirror]).then(([a, b]) => {
          if (b.status === 'rejected') shadow.error(batch.length);
          else if (a.status === 'fulfilled') shadow.compare(a.value, b.value);
          this.wake();
        });
      }
    }
  }

  /** One model call on worker w of v, with v2's injected fault (a failure, or extra time held). */
  private async call(v: Version, w: number, input: Float32Array, dims: number[]): Promise<Float32Array> {
    const { fault, pools } = this.io;
    this.inFlight[v][w]++;
    try {
      if (v === 'v2' && fault.errorRate > 0 && this.faultRng() < fault.errorRate) throw new ServeError('injected fault: v2 failed this batch');
      const { output } = await pools[v][w].run(input, dims);
      if (v === 'v2' && fault.delayMs > 0) await this.clock.sleep(fault.delayMs);
      return output;
    } finally {
      this.inFlight[v][w]--;
    }
  }

  /** Count a batch's requests as answered (or failed) now. */
  private finish(v: Version, batch: Queued<Req>[], ok: boolean): void {
    const t = this.clock.now();
    for (const q of batch) {
      const ms = t - q.item.at;
      this.windows.all.add(t, ms, ok);
      this.windows[v].add(t, ms, ok);
      this.record(q.item.at, ok ? ms : Number.NaN);
    }
    if (ok) this.count.completed += batch.length;
    else this.count.errors += batch.length;
    this.wake();
  }

  /** Let the guardrail watch v2 (a breach rolls the canary back), then report the live statistics. */
  private tick(t: number): void {
    const v2 = this.windows.v2.stats(t);
    if (this.s.mode === 'canary' && !this.rollback) {
      const g = this.guardrail.observe(t, { p99Ms: Number.isNaN(v2.p99) ? 0 : v2.p99, errorRate: v2.errorRate, requests: v2.count + v2.errors });
      if (g.state === 'rolled-back') {
        this.weights = { v1: 100, v2: 0 };
        this.rollback = { atMs: g.at - this.start, sinceMs: g.since - this.start, reason: g.reason };
      }
    }
    const { sent, completed, errors, dropped } = this.count;
    const tk: ServeTick = {
      t: t - this.start, sent, completed, errors, dropped, queue: this.queued(),
      inFlight: [...this.inFlight.v1, ...this.inFlight.v2].reduce((a, b) => a + b, 0),
      all: this.windows.all.stats(t), v1: this.windows.v1.stats(t), v2,
      v2Percent: this.weights.v2, guardrail: this.guardrail.state, shadow: this.shadow?.stats(), lagMs: this.lagMs,
    };
    this.ticks.push(tk);
    this.io.onTick?.(tk);
  }

  /** After the last arrival (or a stop), the run ends when nothing is queued or running, or the drain time is up. */
  private isOver(t: number): boolean {
    const stopped = this.isStopped();
    if (!stopped && t < this.end) return false;
    const busy = this.inFlight.v1.some((x) => x > 0) || this.inFlight.v2.some((x) => x > 0);
    this.stopAt = Math.min(this.stopAt, stopped ? t : this.end + this.s.drainMs);
    return (!busy && this.queued() === 0) || t >= this.stopAt;
  }

  /** Sleep until the next arrival, tick, batch deadline or stop time, or until a completion wakes the loop. */
  private async sleepUntilNextEvent(): Promise<void> {
    // A queue whose workers are all busy waits for a completion (which wakes the loop), not for its deadline.
    const deadlines = VERSIONS.filter((v) => leastBusy(this.inFlight[v]) >= 0).map((v) => this.batchers[v].deadline()).filter((d): d is number => d !== null);
    const wakeAt = Math.min(this.schedule.nextAt(), this.nextTick, this.stopAt, ...deadlines);
    await Promise.race([this.clock.sleep(Math.max(0, wakeAt - this.clock.now())), new Promise<void>((r) => (this.wakeLoop = r))]);
    this.wakeLoop = undefined;
  }

  /** Whatever is still queued when the drain time is up counts as dropped. */
  private dropLeftovers(): void {
    for (const v of VERSIONS) {
      for (const q of this.batchers[v].drain()) {
        this.count.dropped++;
        this.record(q.item.at, Number.NaN);
      }
    }
  }

  private result(): ServeResult {
    const { s, start } = this;
    return {
      settings: s,
      ticks: this.ticks,
      steady: steadyStats(this.doneAt, this.doneLatency, start + s.warmupMs, this.end, start, this.steady.maxQueue, this.steady.rows / Math.max(1, this.steady.batches)),
      rollback: this.rollback,
      shadow: this.shadow?.stats(),
      totals: { ...this.count, stopped: this.isStopped() },
    };
  }
}

export class ServeError extends Error {
  override name = 'ServeError';
}
