/**
 * Ranks in one thread: every rank's function runs concurrently on the same event loop, exchanging
 * real messages through real transports (MessageChannels or SharedArrayBuffer rings with
 * Atomics.waitAsync). This is how the unit tests and the Node runners run N ranks; the labs put
 * each rank in its own Web Worker with the same transports' endpoints, and the benchmark in
 * worker_threads.
 */
import { PortTransport, portMesh } from './port-transport';
import { SharedTransport, sharedMesh } from './shared-transport';
import { requireInt } from './errors';
import type { Transport } from './transport';
import type { TaskContext } from '../core/task';

export type TransportKind = 'port' | 'shared';

export interface LocalOptions {
  /** Ring-buffer bytes per link of the shared transport (a power of two). */
  capacityBytes?: number;
}

/** n connected endpoints of one mesh, in this thread. */
export function localTransports(n: number, kind: TransportKind, opts: LocalOptions = {}): Transport[] {
  requireInt(n, 'ranks', 1);
  if (kind === 'port') {
    const ports = portMesh(n);
    return ports.map((p, r) => new PortTransport(r, p));
  }
  const mesh = sharedMesh(n, { capacityBytes: opts.capacityBytes });
  return Array.from({ length: n }, (_, r) => new SharedTransport(r, mesh));
}

/**
 * Run fn on n ranks at once and return their results in rank order. If one rank throws, every
 * transport is aborted (so no rank waits forever on a peer that is gone) and the first error is
 * rethrown. The transports are closed at the end.
 */
export async function runLocalRanks<T>(n: number, kind: TransportKind, fn: (t: Transport) => Promise<T>, opts: LocalOptions = {}): Promise<T[]> {
  const ts = localTransports(n, kind, opts);
  let first: unknown;
  try {
    return await Promise.all(
      ts.map((t) =>
        fn(t).catch((e: unknown) => {
          if (first === undefined) {
            first = e;
            for (const other of ts) other.abort(`rank ${t.rank} failed: ${(e as Error)?.message ?? String(e)}`);
          }
          throw e;
        }),
      ),
    ).catch(() => {
      throw first;
    });
  } finally {
    for (const t of ts) t.close();
  }
}

/**
 * What a rank worker needs to run one rank: the name of an exported rank entry (e.g.
 * 'data-parallel/rank', see docs/labs/distributed.md) and plain settings; the worker loads the data
 * set itself and gets its transport endpoint from the launcher.
 */
export interface RankJob {
  entry: string;
  settings: unknown;
}

/**
 * How a runner starts its ranks. The local launcher runs `local` for every rank in this thread; the
 * labs' engine passes one that posts `job` to one Web Worker per rank with its endpoint, and returns
 * what each rank entry returned (rank 0's progress goes to `ctx`, and a Stop seen there reaches every rank).
 */
export type Launcher = <T>(ranks: number, job: RankJob, local: (t: Transport) => Promise<T>, ctx?: RankContext) => Promise<T[]>;

/** A rank's context: a TaskContext, and where the rank hands a checkpoint piece (from a worker, it crosses as a message). */
export interface RankContext extends TaskContext {
  checkpoint?(piece: unknown): void;
}

export const localLauncher = (kind: TransportKind, opts: LocalOptions = {}): Launcher => (ranks, _job, local) => runLocalRanks(ranks, kind, local, opts);
