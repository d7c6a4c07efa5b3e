/**
 * What a rank holds, counted from its buffers: every buffer the training step keeps or makes for a
 * while is registered here by byteLength when it appears and released when it is dropped, so the
 * current bytes and the peak of each kind are measurements of the run, not a formula. The memory
 * model (memory-model.ts) is checked against `held` between steps. Activations are measured apart
 * (the executor's activationPeakBytes), and so are the float32 copies made only because tfjs
 * computes in float32 while the emulated storage is fp16: a GPU would compute on the fp16 buffers.
 */

export type MemoryKind =
  /** Parameter storage kept between steps (fp16 or fp32; full or this rank's shard). */
  | 'params'
  /** Gradient storage kept between steps (full or shard). */
  | 'grads'
  /** Optimizer states: fp32 master copy (mixed precision), Adam's momentum and variance. */
  | 'optimizer'
  /** Full parameters of a block gathered from the shards for its forward or backward, freed after. */
  | 'gathered'
  /** A block's full gradient before it is reduce-scattered to its owners, freed after. */
  | 'buckets';

export const MEMORY_KINDS: readonly MemoryKind[] = ['params', 'grads', 'optimizer', 'gathered', 'buckets'];

export type MemoryBytes = Record<MemoryKind, number>;

const zero = (): MemoryBytes => ({ params: 0, grads: 0, optimizer: 0, gathered: 0, buckets: 0 });

export class MemoryLedger {
  private readonly now: MemoryBytes = zero();
  private readonly peaks: MemoryBytes = zero();
  private peakTotal = 0;

  /** Register bytes of a kind that just came into being. */
  hold(kind: MemoryKind, bytes: number): void {
    this.now[kind] += bytes;
    this.peaks[kind] = Math.max(this.peaks[kind], this.now[kind]);
    this.peakTotal = Math.max(this.peakTotal, this.total);
  }

  /** Register that bytes of a kind were dropped. */
  release(kind: MemoryKind, bytes: number): void {
    this.now[kind] -= bytes;
  }

  /** Bytes of each kind held right now. */
  get held(): MemoryBytes {
    return { ...this.now };
  }

  get total(): number {
    return MEMORY_KINDS.reduce((s, k) => s + this.now[k], 0);
  }

  /** The most bytes of each kind held at once, and the most in all at once, since the last reset. */
  get peak(): MemoryBytes & { total: number } {
    return { ...this.peaks, total: this.peakTotal };
  }

  /** Start a new peak window (say, one step) from what is held now. */
  resetPeak(): void {
    Object.assign(this.peaks, this.now);
    this.peakTotal = this.total;
  }
}
