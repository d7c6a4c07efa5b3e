/**
 * Saves a training run as it happens so that a crash at any instant (a killed tab, a closed
 * laptop) leaves a store whose run record and newest checkpoint agree, and a run is 'done' only
 * when everything it claims is stored. Every write is one Store.commit (one transaction), queued
 * after the previous one, and carries a copy of the record taken when it was queued: a record is
 * never written with fields that ran ahead of its checkpoint.
 *
 * - start(run, cp0): the record and the epoch-0 weights together.
 * - point(p): buffered; every `flushEvery` points they are written with the record (its epochsDone
 *   unchanged: the curve may run ahead of the weights, which resume rewrites from the checkpoint).
 * - epoch(run, cp): the record, the points still buffered and the checkpoint in one commit.
 * - finish(run): after every earlier write succeeded, the final record with the last points.
 *   If any write failed, finish writes nothing and says so: a 'done' is never claimed for a run
 *   whose curve or weights are not all stored.
 */
import type { Commit } from './runs.ts';
import type { Checkpoint, MetricPoint, RunRecord } from './types.ts';

export interface CommitSink {
  commit(c: Commit): Promise<void>;
}

export interface RunWriterOptions {
  /** Points buffered before they are written (default 50: a few writes a second at most). */
  flushEvery?: number;
  /** Told once, at the first failed write (a full disk fails the later ones too). */
  onError?: (e: Error) => void;
}

const copy = (run: RunRecord): RunRecord => ({ ...structuredClone({ ...run, metrics: undefined }), metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] } });

export class RunWriter {
  private queue: Promise<void> = Promise.resolve();
  private pending: MetricPoint[] = [];
  /** The record as last written with weights (start or epoch): what point flushes write beside. */
  private head?: RunRecord;
  private error?: Error;
  private readonly flushEvery: number;

  constructor(
    private readonly sink: CommitSink,
    private readonly opts: RunWriterOptions = {},
  ) {
    this.flushEvery = opts.flushEvery ?? 50;
  }

  /** The first write that failed, if any. */
  get failed(): Error | undefined {
    return this.error;
  }

  /** The record and (for a fresh run) the epoch-0 weights, in one commit. */
  start(run: RunRecord, cp?: Checkpoint): void {
    this.head = copy(run);
    this.pending = [];
    this.write({ run: this.head, ...(cp ? { checkpoint: cp } : {}) });
  }

  /** A new curve point; written with the next flush, epoch or finish. */
  point(p: MetricPoint): void {
    this.pending.push({ ...p });
    if (this.pending.length >= this.flushEvery && this.head) {
      const last = p.step;
      this.write({ run: { ...this.head, stepsDone: Math.max(this.head.stepsDone, last), updatedAt: Date.now() }, points: this.take() });
    }
  }

  /** Drop buffered points after `step` (a resume from an earlier checkpoint rewrites them). */
  rewind(step: number): void {
    this.pending = this.pending.filter((p) => p.step <= step);
  }

  /** The end of an epoch: the record, the buffered points and the checkpoint of these weights in one commit. */
  epoch(run: RunRecord, cp: Checkpoint): void {
    this.head = copy(run);
    this.write({ run: this.head, points: this.take(), checkpoint: cp });
  }

  /** Save the record as it is now (a status change: paused, stopped, failed) with the buffered points. */
  update(run: RunRecord): void {
    this.head = copy(run);
    this.write({ run: this.head, points: this.take() });
  }

  /**
   * The run's last record, written only after every earlier write succeeded, with the last points.
   * Resolves true when all of it is stored; false (nothing more written) when any write failed.
   */
  async finish(run: RunRecord): Promise<boolean> {
    await this.queue;
    if (this.error) return false;
    this.update(run);
    await this.queue;
    return !this.error;
  }

  /** Wait for the writes queued so far. */
  settled(): Promise<void> {
    return this.queue;
  }

  private take(): MetricPoint[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  private write(c: Commit): void {
    this.queue = this.queue.then(async () => {
      if (this.error) return; // after a failure nothing more is written: what is stored stays consistent
      try {
        await this.sink.commit(c);
      } catch (e) {
        this.error = e instanceof Error ? e : new Error(String(e));
        this.opts.onError?.(this.error);
      }
    });
  }
}
