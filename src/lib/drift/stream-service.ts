/**
 * The drift lab's worker service (workers/drift.ts): make the production stream and its Parquet
 * partitions, and run the retraining simulator on the same stream (kept, so a policy run does not
 * generate it again).
 */
import { makeStream, streamToParquet, type DriftEvent, type ProductionStream, type StreamOptions } from '../data/stream.ts';
import { simulateRetraining, type RetrainOptions, type RetrainResult } from './retrain.ts';

export interface PartitionsResult {
  /** reference.parquet, then day_000.parquet … */
  files: { name: string; bytes: Uint8Array }[];
  events: DriftEvent[];
  ms: number;
}

export interface DriftServiceApi {
  /** Generate the stream (seeded) and write it as one Parquet file per day plus the reference. */
  partitions(opts: StreamOptions): Promise<PartitionsResult>;
  /** Retraining policies over the stream of the last partitions() call (same options). */
  retrain(opts: StreamOptions, policies: RetrainOptions[]): Promise<RetrainResult[]>;
}

export class DriftService implements DriftServiceApi {
  private cached?: { key: string; stream: ProductionStream };

  private stream(opts: StreamOptions): ProductionStream {
    const key = JSON.stringify(opts);
    if (this.cached?.key !== key) this.cached = { key, stream: makeStream(opts) };
    return this.cached.stream;
  }

  async partitions(opts: StreamOptions): Promise<PartitionsResult> {
    const t0 = performance.now();
    const s = this.stream(opts);
    return { files: await streamToParquet(s), events: s.events, ms: performance.now() - t0 };
  }

  async retrain(opts: StreamOptions, policies: RetrainOptions[]): Promise<RetrainResult[]> {
    const s = this.stream(opts);
    return policies.map((p) => simulateRetraining(s, p));
  }
}
