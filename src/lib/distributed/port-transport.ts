/**
 * A Transport over MessagePorts: one MessageChannel per pair of ranks. Each send copies the payload
 * into a fresh ArrayBuffer and transfers it (so the structured clone moves it without a second
 * copy); the receiver copies it into the caller's buffer. Works in every browser, in workers and
 * in Node (global MessageChannel), isolated or not.
 */
import { DistributedError } from './errors';
import { checkArrival, checkPeer, newCounters, payloadKind, type Payload, type Transport, type TrafficCounters } from './transport';

interface Arrived {
  kind: number;
  buffer: ArrayBuffer;
}

interface Waiter {
  into: Payload;
  resolve: () => void;
  reject: (e: Error) => void;
}

/** ports[i][j] is rank i's end of the channel between ranks i and j (undefined where i = j). */
export function portMesh(worldSize: number): (MessagePort | undefined)[][] {
  const ports: (MessagePort | undefined)[][] = Array.from({ length: worldSize }, () => new Array<MessagePort | undefined>(worldSize).fill(undefined));
  for (let i = 0; i < worldSize; i++) {
    for (let j = i + 1; j < worldSize; j++) {
      const ch = new MessageChannel();
      ports[i][j] = ch.port1;
      ports[j][i] = ch.port2;
    }
  }
  return ports;
}

export class PortTransport implements Transport {
  readonly maxMessageBytes = Infinity;
  readonly worldSize: number;
  readonly counters: TrafficCounters;
  private readonly inbox: Arrived[][];
  private readonly waiters: Waiter[][];
  private failure?: DistributedError;

  /** `ports[peer]` is this rank's end of the channel to `peer` (from portMesh). */
  constructor(readonly rank: number, private readonly ports: (MessagePort | undefined)[]) {
    this.worldSize = ports.length;
    this.counters = newCounters(this.worldSize);
    this.inbox = ports.map(() => []);
    this.waiters = ports.map(() => []);
    ports.forEach((p, peer) => {
      if (p) p.onmessage = (e: MessageEvent<Arrived>) => this.arrive(peer, e.data);
    });
  }

  async send(to: number, data: Payload): Promise<void> {
    if (this.failure) throw this.failure;
    checkPeer(this, to);
    const copy = data.slice();
    this.ports[to]!.postMessage({ kind: payloadKind(data), buffer: copy.buffer }, [copy.buffer]);
    this.counters.bytesSent += data.byteLength;
    this.counters.bytesSentTo[to] += data.byteLength;
    this.counters.messagesSent++;
  }

  recv(from: number, into: Payload): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    checkPeer(this, from);
    const msg = this.inbox[from].shift();
    if (msg) {
      try {
        this.deliver(from, msg, into);
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return new Promise((resolve, reject) => this.waiters[from].push({ into, resolve, reject }));
  }

  abort(reason: string): void {
    if (this.failure) return;
    this.failure = new DistributedError(reason);
    for (const list of this.waiters) for (const w of list.splice(0)) w.reject(this.failure);
  }

  close(): void {
    this.abort('the transport was closed');
    for (const p of this.ports) p?.close();
  }

  private arrive(from: number, msg: Arrived): void {
    const w = this.waiters[from].shift();
    if (!w) {
      this.inbox[from].push(msg);
      return;
    }
    try {
      this.deliver(from, msg, w.into);
      w.resolve();
    } catch (e) {
      w.reject(e as Error);
    }
  }

  private deliver(from: number, msg: Arrived, into: Payload): void {
    const length = msg.buffer.byteLength / (msg.kind === 1 ? 4 : 2);
    checkArrival(from, into, msg.kind, length);
    if (msg.kind === 1) into.set(new Float32Array(msg.buffer));
    else into.set(new Uint16Array(msg.buffer));
    this.counters.bytesReceived += msg.buffer.byteLength;
    this.counters.bytesReceivedFrom[from] += msg.buffer.byteLength;
    this.counters.messagesReceived++;
  }
}
