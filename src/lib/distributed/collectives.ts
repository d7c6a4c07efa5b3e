/**
 * The ring collectives' arithmetic: which chunk each rank sends at each step, how many bytes that
 * is, and the reference all-reduce computed in one thread. The same schedule runs over a real
 * Transport in ring.ts, so the two give bit-identical results.
 *
 * Ring reduce-scatter over N ranks, the buffer cut into N chunks: at step s = 0..N−2 rank r sends
 * chunk (r − s − 1) mod N to rank r + 1, which adds it into its own copy. After N − 1 steps rank r
 * holds chunk r summed over all ranks, in ring order: chunk c = ((x_{c+1} + x_{c+2}) + …) + x_c.
 * Ring all-gather: at step s rank r sends chunk (r − s) mod N to rank r + 1, which stores it.
 * All-reduce = reduce-scatter then all-gather; each rank sends 2(N−1) chunks of B/N bytes.
 */
import { DistributedError, ensure, requireInt } from './errors';

export type CollectiveOp = 'all-reduce' | 'reduce-scatter' | 'all-gather';

const OPS: readonly CollectiveOp[] = ['all-reduce', 'reduce-scatter', 'all-gather'];

/**
 * Bytes each rank sends with the ring algorithm for a payload of `payloadBytes` (the whole buffer):
 * 2(N−1)/N·B for all-reduce, (N−1)/N·B for reduce-scatter and all-gather.
 */
export function collectiveBytes(op: CollectiveOp, payloadBytes: number, worldSize: number): number {
  ensure(OPS.includes(op), `op must be one of ${OPS.join(', ')}; it is ${String(op)}.`);
  ensure(Number.isFinite(payloadBytes) && payloadBytes >= 0, `payloadBytes must be a finite number of at least 0; it is ${String(payloadBytes)}.`);
  requireInt(worldSize, 'worldSize', 1);
  const perPhase = ((worldSize - 1) / worldSize) * payloadBytes;
  return op === 'all-reduce' ? 2 * perPhase : perPhase;
}

/**
 * Elements per chunk when `length` elements are cut into `worldSize` chunks: ⌈length/N⌉, so every
 * shard a rank keeps has the same size (the last ones padded, as FSDP pads its flat parameters).
 */
export function chunkSize(length: number, worldSize: number): number {
  return Math.ceil(length / worldSize);
}

/** [start, end) of chunk c of a `length`-element buffer cut into `worldSize` chunks (end ≤ length; may be empty). */
export function chunkBounds(length: number, worldSize: number, c: number): [number, number] {
  const s = chunkSize(length, worldSize);
  return [Math.min(c * s, length), Math.min((c + 1) * s, length)];
}

/** The chunk rank r sends at reduce-scatter step s. */
export const reduceScatterChunk = (r: number, s: number, n: number): number => (((r - s - 1) % n) + n) % n;
/** The chunk rank r sends at all-gather step s. */
export const allGatherChunk = (r: number, s: number, n: number): number => (((r - s) % n) + n) % n;

/** Refuse an empty list or buffers that are not Float32Arrays of one length. */
export function checkBuffers(buffers: readonly Float32Array[], what = 'buffers'): number {
  ensure(Array.isArray(buffers) && buffers.length >= 1, `${what} must hold at least one Float32Array (one per rank); got ${Array.isArray(buffers) ? 'none' : String(buffers)}.`);
  const len = buffers[0]?.length;
  buffers.forEach((b, r) => {
    if (!(b instanceof Float32Array)) throw new DistributedError(`${what}[${r}] must be a Float32Array.`);
    if (b.length !== len) throw new DistributedError(`${what} must all have the same length: rank 0 has ${len} values, rank ${r} has ${b.length}.`);
  });
  return len;
}

/**
 * Every rank's result of the ring all-reduce (reduce-scatter then all-gather) of `buffers`, one per
 * rank, computed in this thread with the exact schedule and summation order of the real ring.
 * All results are bit-identical to each other; each equals the plain sum within float32 rounding
 * (at most (N−1) roundings per element). The inputs are not modified.
 */
export function ringAllReduce(buffers: Float32Array[]): Float32Array[] {
  const len = checkBuffers(buffers);
  const n = buffers.length;
  const work = buffers.map((b) => Float32Array.from(b));
  for (let s = 0; s < n - 1; s++) {
    // Every rank's outgoing chunk is read before any rank adds: the sends of one step are simultaneous.
    const sent = work.map((w, r) => {
      const [lo, hi] = chunkBounds(len, n, reduceScatterChunk(r, s, n));
      return { lo, data: w.slice(lo, hi) };
    });
    sent.forEach(({ lo, data }, r) => {
      const dst = work[(r + 1) % n];
      for (let i = 0; i < data.length; i++) dst[lo + i] = data[i] + dst[lo + i];
    });
  }
  for (let s = 0; s < n - 1; s++) {
    const sent = work.map((w, r) => {
      const [lo, hi] = chunkBounds(len, n, allGatherChunk(r, s, n));
      return { lo, data: w.slice(lo, hi) };
    });
    sent.forEach(({ lo, data }, r) => work[(r + 1) % n].set(data, lo));
  }
  return work;
}
