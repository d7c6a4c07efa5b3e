/**
 * Ranks in Web Workers. The coordinator (the dist engine's worker) keeps a pool of rank workers and
 * gives every run a fresh mesh: MessagePorts (transferred, one per peer) or, on a cross-origin
 * isolated page, SharedArrayBuffer rings (shared). Each rank worker runs `serveRank`: it decodes the
 * data set once, runs the named rank entry with its endpoint and posts back the entry's result.
 *
 * Failure: when a rank fails or its worker dies (an error event, or `kill` ending it mid-step), the
 * others are told to abort their transports (so no rank waits forever for a dead peer), the run
 * rejects with one sentence naming the rank, and the pool is emptied (the next run starts fresh
 * workers). Stop reaches the ranks as a message; they end at their next update with StoppedError.
 */
import { StoppedError, taskContext, Interrupt, type Progress } from '../core/task';
import type { FashionData } from '../data/fashion';
import { DistributedError } from './errors';
import type { Launcher, RankContext, RankJob, TransportKind } from './launch';
import { PortTransport, portMesh } from './port-transport';
import { SharedTransport, sharedMesh, type SharedMesh } from './shared-transport';
import type { Transport } from './transport';

/** What the coordinator needs of a worker (a Web Worker, or a MessagePort in tests). */
export interface RankWorker {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  terminate(): void;
  onmessage: ((e: MessageEvent) => void) | null;
  onerror: ((e: Event) => void) | null;
}

export type ToRank =
  | { type: 'job'; job: RankJob; rank: number; worldSize: number; transport: TransportKind; ports?: (MessagePort | undefined)[]; mesh?: SharedMesh; dataset?: Uint8Array }
  | { type: 'stop' }
  | { type: 'abort'; reason: string };

export type FromRank = { type: 'progress'; progress: Progress } | { type: 'checkpoint'; piece: unknown } | { type: 'done'; result: unknown } | { type: 'failed'; name: string; message: string };

/** How often (ms) the coordinator looks for a Stop to forward to its ranks. */
const STOP_POLL_MS = 100;

export class RankPool {
  private readonly workers: (RankWorker | undefined)[] = [];
  private readonly hasData = new Set<RankWorker>();
  private failRun?: (rank: number, message: string) => void;
  /** The step rank 0 last reported, for a message about a killed rank. */
  private stage = '';

  /** `spawn` starts a rank worker; `dataset` is the data set's file, sent once to each worker. */
  constructor(private readonly spawn: (rank: number) => RankWorker, private readonly dataset: () => Uint8Array | undefined) {}

  private worker(rank: number): RankWorker {
    return (this.workers[rank] ??= this.spawn(rank));
  }

  /** End every rank worker; the next run spawns fresh ones. */
  reset(): void {
    for (const w of this.workers) w?.terminate();
    this.workers.length = 0;
    this.hasData.clear();
  }

  /** End rank `rank`'s worker now, as a crash would (the running step fails). False when no run is going. */
  kill(rank: number): boolean {
    const w = this.workers[rank];
    if (!w || !this.failRun) return false;
    w.terminate();
    this.failRun(rank, `rank ${rank}'s worker was ended during the run (${this.stage || 'before its first update'})`);
    return true;
  }

  /** A Launcher that runs every rank in its own worker over `kind` (the local closure is not used). */
  launcher(kind: TransportKind): Launcher {
    return <T>(ranks: number, job: RankJob, _local: unknown, ctx?: RankContext) => this.launch<T>(ranks, job, kind, ctx);
  }

  private launch<T>(ranks: number, job: RankJob, kind: TransportKind, ctx?: RankContext): Promise<T[]> {
    if (this.failRun) return Promise.reject(new DistributedError('A distributed run is already going in this engine.'));
    const ports = kind === 'port' ? portMesh(ranks) : undefined;
    const mesh = kind === 'shared' ? sharedMesh(ranks) : undefined;
    const results: T[] = new Array(ranks);
    let left = ranks;
    this.stage = '';
    return new Promise<T[]>((resolve, reject) => {
      let done = false;
      let stopped: unknown;
      const finish = (err?: unknown) => {
        if (done) return;
        done = true;
        clearInterval(poll);
        this.failRun = undefined;
        for (let r = 0; r < ranks; r++) {
          const w = this.workers[r];
          if (w) w.onmessage = w.onerror = null;
        }
        if (err === undefined) resolve(results);
        else reject(err);
      };
      const fail = (rank: number, message: string, name = 'DistributedError') => {
        if (done) return;
        for (let r = 0; r < ranks; r++) if (r !== rank) this.workers[r]?.postMessage({ type: 'abort', reason: `rank ${rank} failed` } satisfies ToRank);
        if (name === 'StoppedError' || stopped) {
          finish(stopped ?? new StoppedError());
          return;
        }
        // A failed mesh leaves workers mid-step: start clean next time.
        this.reset();
        const e = new DistributedError(`${message.charAt(0).toUpperCase()}${message.slice(1)}${/[.!?]$/.test(message) ? '' : '.'}`);
        finish(e);
      };
      this.failRun = fail;
      const poll = setInterval(() => {
        if (stopped || !ctx) return;
        try {
          ctx.checkStop();
        } catch (e) {
          stopped = e;
          for (let r = 0; r < ranks; r++) this.workers[r]?.postMessage({ type: 'stop' } satisfies ToRank);
        }
      }, STOP_POLL_MS);
      for (let r = 0; r < ranks; r++) {
        const w = this.worker(r);
        w.onmessage = (e: MessageEvent) => {
          const m = e.data as FromRank;
          if (m.type === 'progress') {
            this.stage = m.progress.stage;
            ctx?.progress(m.progress.fraction, m.progress.stage);
          } else if (m.type === 'checkpoint') {
            ctx?.checkpoint?.(m.piece);
          } else if (m.type === 'done') {
            results[r] = m.result as T;
            if (--left === 0) finish();
          } else fail(r, m.name === 'DistributedError' || m.name === 'StoppedError' ? m.message : `rank ${r} failed: ${m.message}`, m.name);
        };
        w.onerror = (e: Event) => {
          e.preventDefault?.();
          fail(r, `rank ${r}'s worker crashed: ${(e as ErrorEvent).message ?? 'no message'}`);
        };
        const dataset = this.hasData.has(w) ? undefined : this.dataset();
        if (dataset) this.hasData.add(w);
        const mine = ports?.[r];
        const msg: ToRank = { type: 'job', job, rank: r, worldSize: ranks, transport: kind, ...(mine ? { ports: mine } : {}), ...(mesh ? { mesh } : {}), ...(dataset ? { dataset: dataset.slice() } : {}) };
        w.postMessage(msg, [...(mine ?? []).filter((p): p is MessagePort => !!p), ...(dataset && msg.type === 'job' && msg.dataset ? [msg.dataset.buffer] : [])]);
      }
    });
  }
}

/** What a rank entry is: one rank's whole run, given its endpoint, its plain settings, the data and a context. */
export type RankEntry = (t: Transport, settings: never, data: FashionData, ctx: RankContext) => Promise<unknown>;

/** The rank worker's side: run the jobs the coordinator posts on `scope`, one at a time. */
export function serveRank(scope: { postMessage(m: unknown, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent) => void) | null }, entries: Record<string, RankEntry>, decode: (bytes: Uint8Array) => Promise<FashionData>, ready: () => Promise<void>): void {
  let data: Promise<FashionData> | undefined;
  let stop = new Interrupt();
  let transport: Transport | undefined;
  const post = (m: FromRank, transfer: Transferable[] = []) => scope.postMessage(m, transfer);
  scope.onmessage = (e: MessageEvent) => {
    const m = e.data as ToRank;
    if (m.type === 'stop') stop.interrupt();
    else if (m.type === 'abort') transport?.abort(m.reason);
    else void runJob(m);
  };
  async function runJob(m: Extract<ToRank, { type: 'job' }>): Promise<void> {
    stop = new Interrupt();
    const t: Transport = m.transport === 'shared' ? new SharedTransport(m.rank, m.mesh!) : new PortTransport(m.rank, m.ports!);
    transport = t;
    try {
      if (m.dataset) data = decode(m.dataset);
      if (!data) throw new DistributedError('the rank worker has no data set');
      const entry = entries[m.job.entry];
      if (!entry) throw new DistributedError(`no rank entry '${m.job.entry}'`);
      await ready();
      const ctx: RankContext = { ...taskContext(stop, m.rank === 0 ? (p) => post({ type: 'progress', progress: p }) : undefined), checkpoint: (piece) => post({ type: 'checkpoint', piece }) };
      const result = await entry(t, m.job.settings as never, await data, ctx);
      post({ type: 'done', result });
    } catch (err) {
      const x = err as { name?: string; message?: string };
      post({ type: 'failed', name: x?.name ?? 'Error', message: x?.message ?? String(err) });
    } finally {
      t.close();
      transport = undefined;
    }
  }
}
