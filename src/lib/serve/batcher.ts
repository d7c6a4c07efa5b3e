/**
 * Dynamic batching: requests wait in a queue and leave as one batch when `maxBatch` have gathered,
 * or when the oldest has waited `maxWaitMs`, whichever comes first. Bigger batches use the model
 * better (one call, many rows); the wait bounds what that costs the first request in a batch.
 */
export interface BatchPolicy {
  /** Most requests in one model call. */
  maxBatch: number;
  /** Longest the oldest queued request waits for a batch to fill, ms. */
  maxWaitMs: number;
}

export interface Queued<T> {
  item: T;
  /** When it entered the queue, ms. */
  at: number;
}

export class Batcher<T> {
  private queue: Queued<T>[] = [];
  private head = 0;

  constructor(readonly policy: BatchPolicy) {
    if (!Number.isInteger(policy.maxBatch) || policy.maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer; got ${policy.maxBatch}.`);
    if (!(policy.maxWaitMs >= 0)) throw new RangeError(`maxWaitMs must be ≥ 0; got ${policy.maxWaitMs}.`);
  }

  get depth(): number {
    return this.queue.length - this.head;
  }

  push(item: T, at: number): void {
    this.queue.push({ item, at });
  }

  /** Why a batch may leave at `now`: 'full', 'waited', or null (keep waiting). */
  ready(now: number): 'full' | 'waited' | null {
    if (this.depth >= this.policy.maxBatch) return 'full';
    if (this.depth > 0 && now - this.queue[this.head].at >= this.policy.maxWaitMs) return 'waited';
    return null;
  }

  /** The next batch (oldest first, at most maxBatch) if one may leave at `now`, else null. */
  take(now: number): Queued<T>[] | null {
    if (!this.ready(now)) return null;
    const n = Math.min(this.depth, this.policy.maxBatch);
    const batch = this.queue.slice(this.head, this.head + n);
    this.head += n;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  /** Remove and return everything queued (a shutdown). */
  drain(): Queued<T>[] {
    const rest = this.queue.slice(this.head);
    this.queue = [];
    this.head = 0;
    return rest;
  }

  /** When the oldest request's wait runs out, or null with an empty queue. */
  deadline(): number | null {
    return this.depth > 0 ? this.queue[this.head].at + this.policy.maxWaitMs : null;
  }
}
