import type { Rng } from '../core/rng';

/**
 * Open-loop arrivals: a Poisson process at `qps` requests per second has independent exponential
 * gaps with mean 1000/qps ms. By inversion, gap = −ln(1 − u) · 1000/qps for u uniform on [0, 1).
 * Mean and standard deviation of the gaps are both 1000/qps ms.
 */
export function exponentialGapMs(qps: number, rng: Rng): number {
  if (!(qps > 0) || !Number.isFinite(qps)) throw new RangeError(`qps must be a positive number; got ${qps}.`);
  return (-Math.log(1 - rng()) * 1000) / qps;
}

/** Every arrival time (ms, from `startMs`) of a Poisson process at `qps` during `durationMs`. */
export function poissonArrivals(qps: number, durationMs: number, rng: Rng, startMs = 0): number[] {
  const out: number[] = [];
  for (let t = startMs + exponentialGapMs(qps, rng); t < startMs + durationMs; t += exponentialGapMs(qps, rng)) out.push(t);
  return out;
}

/**
 * Arrivals produced as time passes: `due(now)` returns the scheduled times of every arrival up to
 * `now`. A generator that fell behind (a busy thread) still stamps each request with the time it was
 * scheduled, so its wait counts in the latency: no coordinated omission.
 */
export class ArrivalSchedule {
  private next: number;
  constructor(private readonly qps: number, private readonly rng: Rng, startMs: number, private readonly endMs: number) {
    this.next = startMs + exponentialGapMs(qps, rng);
  }

  due(now: number): number[] {
    const out: number[] = [];
    while (this.next <= now && this.next < this.endMs) {
      out.push(this.next);
      this.next += exponentialGapMs(this.qps, this.rng);
    }
    return out;
  }

  /** When the next arrival is scheduled, or Infinity once the schedule has ended. */
  nextAt(): number {
    return this.next < this.endMs ? this.next : Infinity;
  }
}
