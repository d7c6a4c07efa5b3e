/**
 * The ring collectives over a real Transport, with the schedule of collectives.ts (so an all-reduce
 * here is bit-identical to ringAllReduce). Each chunk travels in segments no larger than the
 * transport's largest message, and a rank sends a segment before it receives the next one: with a
 * SharedArrayBuffer ring that only ever holds one segment per link, no rank waits on a full buffer
 * whose reader is itself waiting (every rank that sends segment k + 1 has taken segment k).
 *
 * Float32 buffers add in float32; fp16 buffers (Uint16Array bit patterns) add as fp16 hardware
 * does, rounding every partial sum to fp16: fp16(a + b).
 */
import { allGatherChunk, chunkBounds, reduceScatterChunk } from './collectives';
import { DistributedError, ensure } from './errors';
import { float16Table, float32ToFloat16Bits } from './precision';
import type { Payload, Transport } from './transport';

export interface CollectiveOptions {
  /** The transport ranks that take part, in ring order (default: every rank of the transport). */
  group?: readonly number[];
}

interface Ring {
  n: number;
  /** This rank's position in the ring. */
  me: number;
  next: number;
  prev: number;
}

function ringOf(t: Transport, opts: CollectiveOptions): Ring {
  const group = opts.group ?? Array.from({ length: t.worldSize }, (_, i) => i);
  const me = group.indexOf(t.rank);
  ensure(me >= 0, `rank ${t.rank} is not in the collective's group [${group.join(', ')}].`);
  const n = group.length;
  return { n, me, next: group[(me + 1) % n], prev: group[(me - 1 + n) % n] };
}

const bytesPer = (p: Payload) => (p instanceof Float32Array ? 4 : 2);

/** Elements per message: the whole chunk on ports, at most what fits in the shared ring buffer otherwise. */
function segmentElements(t: Transport, buf: Payload, chunk: number): number {
  const fit = Math.floor(t.maxMessageBytes / bytesPer(buf));
  if (fit < 1) throw new DistributedError(`the transport's messages (${t.maxMessageBytes} bytes) cannot hold one value.`);
  return Math.max(1, Math.min(chunk, fit));
}

function addInto(dst: Payload, lo: number, src: Payload, n: number): void {
  if (dst instanceof Float32Array) {
    const s = src as Float32Array;
    for (let i = 0; i < n; i++) dst[lo + i] = s[i] + dst[lo + i];
    return;
  }
  const table = float16Table();
  const s = src as Uint16Array;
  for (let i = 0; i < n; i++) dst[lo + i] = float32ToFloat16Bits(table[s[i]] + table[dst[lo + i]]);
}

/** One ring pass: N−1 steps, each sending chunk `sendChunk(step)` and taking chunk `sendChunk` of the previous rank. */
async function ringPass(t: Transport, buf: Payload, ring: Ring, sendChunk: (r: number, s: number, n: number) => number, reduce: boolean): Promise<void> {
  const { n, me } = ring;
  if (n === 1) return;
  const len = buf.length;
  const seg = segmentElements(t, buf, Math.max(1, Math.ceil(len / n)));
  const scratch = buf instanceof Float32Array ? new Float32Array(seg) : new Uint16Array(seg);
  for (let s = 0; s < n - 1; s++) {
    const [sLo, sHi] = chunkBounds(len, n, sendChunk(me, s, n));
    const [rLo, rHi] = chunkBounds(len, n, sendChunk((me - 1 + n) % n, s, n));
    const pieces = Math.max(1, Math.ceil(Math.max(sHi - sLo, rHi - rLo) / seg));
    for (let k = 0; k < pieces; k++) {
      const a = Math.min(sLo + k * seg, sHi);
      if (k * seg < sHi - sLo || k === 0) await t.send(ring.next, buf.subarray(a, Math.min(a + seg, sHi)));
      const b = Math.min(rLo + k * seg, rHi);
      const m = Math.min(b + seg, rHi) - b;
      if (k * seg < rHi - rLo || k === 0) {
        const into = scratch.subarray(0, m);
        await t.recv(ring.prev, into);
        if (reduce) addInto(buf, b, into, m);
        else buf.set(into as never, b);
      }
    }
  }
}

/**
 * Ring reduce-scatter in place: afterwards chunk `me` of `buf` (its bounds are returned) holds the
 * sum over the ring; the other chunks hold partial sums and should not be read.
 */
export async function reduceScatter(t: Transport, buf: Payload, opts: CollectiveOptions = {}): Promise<[number, number]> {
  const ring = ringOf(t, opts);
  await ringPass(t, buf, ring, reduceScatterChunk, true);
  return chunkBounds(buf.length, ring.n, ring.me);
}

/** Ring all-gather in place: chunk `me` of `buf` is this rank's; afterwards every chunk is filled. */
export async function allGather(t: Transport, buf: Payload, opts: CollectiveOptions = {}): Promise<void> {
  await ringPass(t, buf, ringOf(t, opts), allGatherChunk, false);
}

/** Ring all-reduce (sum) in place: reduce-scatter then all-gather. Every rank ends bit-identical. */
export async function allReduce(t: Transport, buf: Payload, opts: CollectiveOptions = {}): Promise<void> {
  await reduceScatter(t, buf, opts);
  await allGather(t, buf, opts);
}

/** This rank's position in a group (default: all ranks of the transport): the chunk it owns after a reduce-scatter. */
export function groupIndex(t: Transport, opts: CollectiveOptions = {}): number {
  return ringOf(t, opts).me;
}
