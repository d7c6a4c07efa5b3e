/**
 * A Transport over SharedArrayBuffers: one single-producer single-consumer ring buffer per directed
 * pair of ranks. The writer copies bytes in and advances `head`; the reader copies them out and
 * advances `tail`; each waits with Atomics.waitAsync (Atomics.wait where waitAsync is missing, which
 * only a worker may do) on the other's index and wakes it with Atomics.notify. A message is an
 * 8-byte header (payload bytes, kind) and the payload, streamed through however many times the
 * buffer fills. SharedArrayBuffer exists on a page only when it is cross-origin isolated.
 *
 * head and tail count bytes modulo 2³² (int32 arithmetic); the capacity is a power of two, so
 * head mod capacity stays right across the wrap, and used = head − tail (int32) ≤ capacity.
 */
import { DistributedError, ensure, requireInt } from './errors';
import { checkArrival, checkPeer, newCounters, payloadKind, type Payload, type Transport, type TrafficCounters } from './transport';

const HEAD = 0;
const TAIL = 1;
const CLOSED = 2;
const HEADER_BYTES = 8;

export const DEFAULT_CHANNEL_BYTES = 1 << 20;

export interface SharedChannel {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

/** Everything the endpoints of a mesh share; structured-cloneable, so it can be posted to workers. */
export interface SharedMesh {
  worldSize: number;
  capacityBytes: number;
  /** channels[from·worldSize + to], null where the pair is not linked. */
  channels: (SharedChannel | null)[];
}

export interface SharedMeshOptions {
  /** Ring-buffer bytes per directed link, a power of two (default 1 MiB). */
  capacityBytes?: number;
  /** 'all': every pair linked both ways; 'ring': only r → r+1 (enough for the ring collectives). */
  links?: 'all' | 'ring';
}

export function sharedMesh(worldSize: number, opts: SharedMeshOptions = {}): SharedMesh {
  requireInt(worldSize, 'worldSize', 1);
  const capacityBytes = opts.capacityBytes ?? DEFAULT_CHANNEL_BYTES;
  ensure(Number.isInteger(Math.log2(capacityBytes)) && capacityBytes >= 64 && capacityBytes <= 2 ** 30, `capacityBytes must be a power of two between 64 and 2³⁰; it is ${capacityBytes}.`);
  ensure(typeof SharedArrayBuffer === 'function', 'SharedArrayBuffer is not available here (a page must be cross-origin isolated to have it): use the MessagePort transport.');
  const linked = (i: number, j: number) => i !== j && (opts.links !== 'ring' || j === (i + 1) % worldSize);
  const channels: (SharedChannel | null)[] = [];
  for (let i = 0; i < worldSize; i++) {
    for (let j = 0; j < worldSize; j++) channels.push(linked(i, j) ? { control: new SharedArrayBuffer(16), data: new SharedArrayBuffer(capacityBytes) } : null);
  }
  return { worldSize, capacityBytes, channels };
}

/** Wake every endpoint of the mesh with an error: what the page does when one rank's worker dies. */
export function abortMesh(mesh: SharedMesh): void {
  for (const ch of mesh.channels) if (ch) closeChannel(new Int32Array(ch.control));
}

function closeChannel(ctrl: Int32Array): void {
  Atomics.store(ctrl, CLOSED, 1);
  Atomics.notify(ctrl, HEAD);
  Atomics.notify(ctrl, TAIL);
}

type WaitAsync = (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

/**
 * Resolve once ctrl[i] may differ from `seen` (or a notify came). A pending waitAsync does not keep
 * a Node worker_thread's event loop alive, so a timer does while it waits (browsers' workers never
 * exit on their own; there it costs nothing).
 */
async function waitChange(ctrl: Int32Array, i: number, seen: number): Promise<void> {
  if (waitAsync) {
    const r = waitAsync(ctrl, i, seen);
    if (!r.async) return;
    if (waiting++ === 0) keepAlive = setInterval(() => {}, 2 ** 30);
    try {
      await r.value;
    } finally {
      if (--waiting === 0) clearInterval(keepAlive);
    }
    return;
  }
  Atomics.wait(ctrl, i, seen);
}

let waiting = 0;
let keepAlive: ReturnType<typeof setInterval> | undefined;

class Channel {
  private readonly ctrl: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly cap: number;

  constructor(ch: SharedChannel, private readonly what: string) {
    this.ctrl = new Int32Array(ch.control);
    this.bytes = new Uint8Array(ch.data);
    this.cap = ch.data.byteLength;
  }

  close(): void {
    closeChannel(this.ctrl);
  }

  private checkOpen(): void {
    if (Atomics.load(this.ctrl, CLOSED)) throw new DistributedError(`the link ${this.what} was closed (a rank stopped or failed)`);
  }

  async write(src: Uint8Array): Promise<void> {
    let off = 0;
    while (off < src.length) {
      this.checkOpen();
      const head = Atomics.load(this.ctrl, HEAD);
      const tail = Atomics.load(this.ctrl, TAIL);
      const free = this.cap - ((head - tail) | 0);
      if (free === 0) {
        await waitChange(this.ctrl, TAIL, tail);
        continue;
      }
      const pos = (head >>> 0) % this.cap;
      const n = Math.min(free, src.length - off, this.cap - pos);
      this.bytes.set(src.subarray(off, off + n), pos);
      Atomics.store(this.ctrl, HEAD, (head + n) | 0);
      Atomics.notify(this.ctrl, HEAD);
      off += n;
    }
  }

  async read(dst: Uint8Array): Promise<void> {
    let off = 0;
    while (off < dst.length) {
      const tail = Atomics.load(this.ctrl, TAIL);
      const head = Atomics.load(this.ctrl, HEAD);
      const used = (head - tail) | 0;
      if (used === 0) {
        // Bytes already written are still read after the link closed; only waiting for more fails.
        this.checkOpen();
        await waitChange(this.ctrl, HEAD, head);
        continue;
      }
      const pos = (tail >>> 0) % this.cap;
      const n = Math.min(used, dst.length - off, this.cap - pos);
      dst.set(this.bytes.subarray(pos, pos + n), off);
      Atomics.store(this.ctrl, TAIL, (tail + n) | 0);
      Atomics.notify(this.ctrl, TAIL);
      off += n;
    }
  }
}

const asBytes = (p: Payload) => new Uint8Array(p.buffer, p.byteOffset, p.byteLength);

export class SharedTransport implements Transport {
  readonly worldSize: number;
  readonly maxMessageBytes: number;
  readonly counters: TrafficCounters;
  private readonly out: (Channel | null)[];
  private readonly in: (Channel | null)[];
  private readonly header = new Int32Array(2);
  private readonly recvHeader = new Int32Array(2);
  private failure?: DistributedError;
  /** One send and one receive at a time per link: bytes of two messages must never interleave. */
  private readonly sending: Promise<unknown>[];
  private readonly receiving: Promise<unknown>[];

  constructor(readonly rank: number, mesh: SharedMesh) {
    requireInt(rank, 'rank', 0, mesh.worldSize - 1);
    this.worldSize = mesh.worldSize;
    this.maxMessageBytes = mesh.capacityBytes - HEADER_BYTES;
    this.counters = newCounters(this.worldSize);
    const at = (i: number, j: number) => mesh.channels[i * mesh.worldSize + j];
    this.out = Array.from({ length: this.worldSize }, (_, j) => (at(rank, j) ? new Channel(at(rank, j)!, `${rank} → ${j}`) : null));
    this.in = Array.from({ length: this.worldSize }, (_, i) => (at(i, rank) ? new Channel(at(i, rank)!, `${i} → ${rank}`) : null));
    this.sending = this.out.map(() => Promise.resolve());
    this.receiving = this.in.map(() => Promise.resolve());
  }

  send(to: number, data: Payload): Promise<void> {
    return this.queued(this.sending, to, () => this.sendNow(to, data));
  }

  recv(from: number, into: Payload): Promise<void> {
    return this.queued(this.receiving, from, () => this.recvNow(from, into));
  }

  private queued(chain: Promise<unknown>[], peer: number, op: () => Promise<void>): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    try {
      checkPeer(this, peer);
    } catch (e) {
      return Promise.reject(e);
    }
    const prev = chain[peer] ?? Promise.resolve();
    const next = prev.catch(() => {}).then(op).catch((e: unknown) => {
      throw this.failure ?? e;
    });
    chain[peer] = next;
    return next;
  }

  private async sendNow(to: number, data: Payload): Promise<void> {
    if (this.failure) throw this.failure;
    checkPeer(this, to);
    const ch = this.out[to];
    if (!ch) throw new DistributedError(`rank ${this.rank} has no link to rank ${to} in this mesh.`);
    // The header array is reused: write it out before the next send may fill it again.
    this.header[0] = data.byteLength;
    this.header[1] = payloadKind(data);
    await ch.write(new Uint8Array(this.header.buffer).slice());
    await ch.write(asBytes(data));
    this.counters.bytesSent += data.byteLength;
    this.counters.bytesSentTo[to] += data.byteLength;
    this.counters.messagesSent++;
  }

  private async recvNow(from: number, into: Payload): Promise<void> {
    if (this.failure) throw this.failure;
    checkPeer(this, from);
    const ch = this.in[from];
    if (!ch) throw new DistributedError(`rank ${this.rank} has no link from rank ${from} in this mesh.`);
    const head = new Uint8Array(HEADER_BYTES);
    await ch.read(head);
    this.recvHeader.set(new Int32Array(head.buffer));
    const [byteLength, kind] = this.recvHeader;
    checkArrival(from, into, kind, byteLength / (kind === 1 ? 4 : 2));
    await ch.read(asBytes(into));
    this.counters.bytesReceived += byteLength;
    this.counters.bytesReceivedFrom[from] += byteLength;
    this.counters.messagesReceived++;
  }

  /** Fail this endpoint and close its links, so peers waiting on it wake with an error. */
  abort(reason: string): void {
    if (this.failure) return;
    this.failure = new DistributedError(reason);
    for (const ch of [...this.out, ...this.in]) ch?.close();
  }

  /** Stop using this endpoint; messages it already sent stay readable by its peers. */
  close(): void {
    this.failure ??= new DistributedError('the transport was closed');
  }
}
