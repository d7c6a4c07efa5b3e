/**
 * How ranks talk: point-to-point messages of float32 values (or fp16 bit patterns), in order per
 * pair of ranks, with every byte counted. Two implementations run the same collectives:
 * PortTransport (MessagePorts: structured-clone copies, works everywhere) and SharedTransport
 * (a SharedArrayBuffer ring buffer per directed pair, Atomics wait/notify: the page must be
 * cross-origin isolated to have SharedArrayBuffer). Ranks may be in-process (Node tests), in
 * worker_threads (the benchmark) or in Web Workers (the labs): only the endpoints travel.
 */
import { DistributedError } from './errors';

/** What one message carries: float32 values, or fp16 values as their 16-bit patterns. */
export type Payload = Float32Array | Uint16Array;

/** Bytes and messages through one endpoint, payload only (framing headers are not counted). */
export interface TrafficCounters {
  bytesSent: number;
  bytesReceived: number;
  messagesSent: number;
  messagesReceived: number;
  /** Payload bytes sent to each peer, indexed by rank. */
  bytesSentTo: number[];
  /** Payload bytes received from each peer, indexed by rank. */
  bytesReceivedFrom: number[];
}

export interface Transport {
  /** This endpoint's rank, 0..worldSize−1. */
  readonly rank: number;
  /** Endpoints in the mesh. */
  readonly worldSize: number;
  /** The largest payload one message may carry without waiting for the receiver (Infinity for ports). */
  readonly maxMessageBytes: number;
  /** Send a copy of `data` to rank `to`; leave `data` unchanged until the promise resolves. */
  send(to: number, data: Payload): Promise<void>;
  /** Receive the next message from rank `from` into `into`, which must have its type and length. */
  recv(from: number, into: Payload): Promise<void>;
  readonly counters: TrafficCounters;
  /** Fail every pending and later send/recv with `reason` (a peer died, the learner pressed Stop). */
  abort(reason: string): void;
  /** Release the endpoint. */
  close(): void;
}

export const payloadKind = (p: Payload): 1 | 2 => (p instanceof Float32Array ? 1 : 2);
export const kindName = (k: number): string => (k === 1 ? 'float32' : k === 2 ? 'fp16' : `kind ${k}`);

export function newCounters(worldSize: number): TrafficCounters {
  return { bytesSent: 0, bytesReceived: 0, messagesSent: 0, messagesReceived: 0, bytesSentTo: new Array<number>(worldSize).fill(0), bytesReceivedFrom: new Array<number>(worldSize).fill(0) };
}

/** A fresh copy of counters, safe to keep while the transport goes on counting. */
export function snapshotCounters(c: TrafficCounters): TrafficCounters {
  return { ...c, bytesSentTo: [...c.bytesSentTo], bytesReceivedFrom: [...c.bytesReceivedFrom] };
}

/** Counters after minus before: the traffic of one step. */
export function diffCounters(after: TrafficCounters, before: TrafficCounters): TrafficCounters {
  return {
    bytesSent: after.bytesSent - before.bytesSent,
    bytesReceived: after.bytesReceived - before.bytesReceived,
    messagesSent: after.messagesSent - before.messagesSent,
    messagesReceived: after.messagesReceived - before.messagesReceived,
    bytesSentTo: after.bytesSentTo.map((b, i) => b - (before.bytesSentTo[i] ?? 0)),
    bytesReceivedFrom: after.bytesReceivedFrom.map((b, i) => b - (before.bytesReceivedFrom[i] ?? 0)),
  };
}

export function checkPeer(t: { rank: number; worldSize: number }, peer: number): void {
  if (!Number.isInteger(peer) || peer < 0 || peer >= t.worldSize || peer === t.rank) {
    throw new DistributedError(`rank ${t.rank} cannot exchange messages with rank ${String(peer)}: peers are the other ranks of 0..${t.worldSize - 1}.`);
  }
}

export function checkArrival(from: number, into: Payload, kind: number, length: number): void {
  if (kind !== payloadKind(into) || length !== into.length) {
    throw new DistributedError(`message from rank ${from} holds ${length} ${kindName(kind)} values; the receiver expected ${into.length} ${kindName(payloadKind(into))} values.`);
  }
}
