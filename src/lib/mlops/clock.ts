/**
 * Clocks for flows and schedules. The real clock is wall time; the virtual clock is a number that
 * only moves when told to, so a week of nightly runs with retries and back-off replays in
 * milliseconds, the same way every time.
 */

export interface FlowClock {
  /** Milliseconds since the epoch, on this clock. */
  now(): number;
  /** Resolve after ms on this clock (a virtual clock moves ms forward and resolves at once). */
  sleep(ms: number): Promise<void>;
  /** True for a clock the flow runner moves itself (task durations come from FlowTask.durationMs). */
  readonly virtual: boolean;
  /** Move a virtual clock forward to t (never back). */
  advanceTo?(t: number): void;
}

export const wallClock: FlowClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
  virtual: false,
};

export class VirtualClock implements FlowClock {
  readonly virtual = true;
  constructor(private t = Date.UTC(2025, 0, 1)) {}

  now(): number {
    return this.t;
  }

  advanceTo(t: number): void {
    if (t > this.t) this.t = t;
  }

  sleep(ms: number): Promise<void> {
    this.advanceTo(this.t + Math.max(0, ms));
    return Promise.resolve();
  }
}
