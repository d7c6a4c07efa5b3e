/// <reference lib="webworker" />
// The distributed-training engine's worker (src/lib/engines/dist.ts): the five distributed labs'
// runners, with every rank of a data-parallel or ZeRO run in a rank worker of its own (workers/rank.ts).
import * as Comlink from 'comlink';
import { DistEngine, type DistEngineApi, type DistResult, type DistRunOptions, type DistSettings, type DistTask } from '../src/lib/engines/dist';
import type { OnProgress } from '../src/lib/core/task';
import { transferables } from '../src/lib/engines/wire';
import { RankPool, type RankWorker } from '../src/lib/distributed/worker-ranks';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

const wasmPaths = { 'tfjs-backend-wasm.wasm': wasmUrl, 'tfjs-backend-wasm-simd.wasm': simdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': threadedUrl };
const pool: RankPool = new RankPool(
  (rank) => new Worker(new URL('./rank.ts', import.meta.url), { type: 'module', name: `prodlab-rank-${rank}` }) as unknown as RankWorker,
  (): Uint8Array | undefined => engine.datasetBytes,
);
const engine: DistEngine = new DistEngine({ engine: { wasmPaths }, ranks: (kind) => pool.launcher(kind), kill: (rank) => pool.kill(rank) });

const api: DistEngineApi = {
  check: () => engine.check(),
  setDataset: (url) => engine.setDataset(url),
  load: (task) => engine.load(task),
  async run<K extends DistTask>(task: K, settings: DistSettings<K>, onProgress?: OnProgress, opts?: DistRunOptions): Promise<DistResult<K>> {
    const result: DistResult<K> = await engine.run(task, settings, onProgress, opts);
    return Comlink.transfer(result, transferables(result));
  },
  interrupt: () => engine.interrupt(),
  checkpoint: (task, settings) => engine.checkpoint(task, settings),
  kill: (rank) => engine.kill(rank),
};

Comlink.expose(api);
