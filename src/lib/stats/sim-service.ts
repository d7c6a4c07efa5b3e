/**
 * The simulation engine behind the experimentation labs, as one object a worker exposes with
 * comlink (workers/sim.ts) and tests call directly. run() works in chunks: between them it reports
 * progress (share done, ETA) and yields to the event loop, so an interrupt() sent meanwhile is seen
 * and the run rejects with SimCancelledError.
 */
import { simulateAbTest } from './experiment';
import { simulateBandits } from './bandit-sim';
import { simulateCuped } from './cuped-sim';
import { simulateInterleaving } from './interleaving';
import { simulatePitfalls } from './pitfalls';
import { SimCancelledError, type SimContext } from './sim-context';
import { simulateUplift } from './uplift';
import { simulateLeakage } from '../data/leakage-sim';
import { simulateSampling } from '../data/sampling-sim';

/** How often (ms) a running simulation reports and yields. */
export const TICK_MS = 50;

export const SIMULATIONS = {
  'ab-test': simulateAbTest,
  pitfalls: simulatePitfalls,
  cuped: simulateCuped,
  bandits: simulateBandits,
  interleaving: simulateInterleaving,
  uplift: simulateUplift,
  // The data labs' simulations (issue 3).
  leakage: simulateLeakage,
  sampling: simulateSampling,
};

export type SimKind = keyof typeof SIMULATIONS;
export type SimSettings<K extends SimKind> = Parameters<(typeof SIMULATIONS)[K]>[0];
export type SimResult<K extends SimKind> = Awaited<ReturnType<(typeof SIMULATIONS)[K]>>;

export interface SimProgress {
  /** Share done, 0..1. */
  done: number;
  elapsedMs: number;
  /** Estimated time left, from the pace so far. */
  etaMs: number;
}

export interface SimServiceApi {
  run<K extends SimKind>(kind: K, settings: SimSettings<K>, onProgress?: (p: SimProgress) => void): Promise<SimResult<K>>;
  interrupt(): void;
}

const macrotask = () => new Promise<void>((r) => setTimeout(r, 0));

export class SimService implements SimServiceApi {
  private stopRequested = false;

  async run<K extends SimKind>(kind: K, settings: SimSettings<K>, onProgress?: (p: SimProgress) => void): Promise<SimResult<K>> {
    const sim = SIMULATIONS[kind] as unknown as (s: SimSettings<K>, ctx: SimContext) => Promise<SimResult<K>>;
    if (!sim) throw new Error(`unknown simulation '${String(kind)}'`);
    this.stopRequested = false;
    const t0 = performance.now();
    let last = t0;
    const ctx: SimContext = {
      tick: (done) => {
        const now = performance.now();
        if (now - last < TICK_MS) return;
        last = now;
        const elapsedMs = now - t0;
        onProgress?.({ done, elapsedMs, etaMs: done > 0 ? (elapsedMs * (1 - done)) / done : 0 });
        return macrotask().then(() => {
          if (this.stopRequested) throw new SimCancelledError();
        });
      },
    };
    const result = await sim(settings, ctx);
    onProgress?.({ done: 1, elapsedMs: performance.now() - t0, etaMs: 0 });
    return result;
  }

  interrupt(): void {
    this.stopRequested = true;
  }
}

/** The ArrayBuffers of the typed arrays in a result (one level of nesting), to transfer rather than copy. */
export function transferables(value: unknown, depth = 0, out: ArrayBuffer[] = []): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer && !out.includes(value.buffer)) out.push(value.buffer);
  } else if (value && typeof value === 'object' && depth < 3) {
    for (const v of Object.values(value)) transferables(v, depth + 1, out);
  }
  return out;
}
