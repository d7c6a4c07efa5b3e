/**
 * The serving lab's engine: pools of model workers for v1 and v2 behind the gateway. Model workers
 * come from an injected factory: onnxruntime-web workers in the browser (workers/serve.ts), in-process
 * InferServices in Node tests.
 */
import { Gateway, type Backend, type Fault, type ServeResult, type ServeSettings, type ServeTick, type Version } from './gateway';
import type { LoadOptions, LoadResult } from './infer';

export interface ModelWorker extends Backend {
  load(bytes: Uint8Array, opts: LoadOptions): Promise<LoadResult>;
  dispose(): void;
}

export interface PoolSpec {
  /** The ONNX bytes this version serves. */
  bytes: Uint8Array;
  workers: number;
}

export interface SetupResult {
  v1: LoadResult;
  v2?: LoadResult;
  /** Wall time to start every worker and load its model, ms. */
  ms: number;
}

export const MAX_POOL_WORKERS = 8;

export class ServeService {
  private pools: Record<Version, ModelWorker[]> = { v1: [], v2: [] };
  private bank: Float32Array = new Float32Array();
  private rowShape: number[] = [];
  private outputWidth = 10;
  private gateway?: Gateway;

  constructor(private readonly spawn: () => ModelWorker) {}

  /** Starts `workers` model workers per version, each with its own session; replaces any pools started before. */
  async setup(v1: PoolSpec, v2: PoolSpec | null, bank: Float32Array, rowShape: number[], outputWidth: number, opts: LoadOptions = { ep: 'wasm' }): Promise<SetupResult> {
    for (const p of [v1, v2]) {
      if (p && (!Number.isInteger(p.workers) || p.workers < 1 || p.workers > MAX_POOL_WORKERS)) throw new Error(`Workers per version must be 1–${MAX_POOL_WORKERS}; got ${p.workers}.`);
    }
    this.dispose();
    const t0 = performance.now();
    const start = async (p: PoolSpec) => {
      const ws = Array.from({ length: p.workers }, () => this.spawn());
      const infos = await Promise.all(ws.map((w) => w.load(p.bytes, opts))).catch((e) => {
        ws.forEach((w) => w.dispose());
        throw e;
      });
      return { ws, info: infos[0] };
    };
    const a = await start(v1);
    const b = v2 ? await start(v2).catch((e) => {
      a.ws.forEach((w) => w.dispose());
      throw e;
    }) : null;
    this.pools = { v1: a.ws, v2: b?.ws ?? [] };
    this.bank = bank;
    this.rowShape = rowShape;
    this.outputWidth = outputWidth;
    return { v1: a.info, v2: b?.info, ms: performance.now() - t0 };
  }

  /** One load test; `onTick` gets the live statistics. */
  async run(settings: ServeSettings, fault: Fault, onTick?: (t: ServeTick) => void): Promise<ServeResult> {
    if (this.pools.v1.length === 0) throw new Error('Start the workers first (setup).');
    if (this.gateway) throw new Error('A load test is already running.');
    this.gateway = new Gateway();
    try {
      return await this.gateway.run(settings, this.pools, this.bank, this.rowShape, this.outputWidth, onTick, fault);
    } finally {
      this.gateway = undefined;
    }
  }

  stop(): void {
    this.gateway?.stop();
  }

  dispose(): void {
    this.gateway?.stop();
    for (const w of [...this.pools.v1, ...this.pools.v2]) w.dispose();
    this.pools = { v1: [], v2: [] };
  }
}
