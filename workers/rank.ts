/// <reference lib="webworker" />
// One rank of a distributed run (src/lib/distributed/worker-ranks.ts): the dist engine's worker posts
// a job (rank entry, settings, transport endpoint); this runs it with tfjs on wasm and posts the result.
import { serveRank } from '../src/lib/distributed/worker-ranks';
import { loadFashion } from '../src/lib/data/fashion';
import { configureEngine, useBackend } from '../src/lib/runtime/engine';
import { dataParallelRank } from '../src/lib/runners/data-parallel';
import { zeroEndpoint } from '../src/lib/runners/zero-fsdp';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

configureEngine({ wasmPaths: { 'tfjs-backend-wasm.wasm': wasmUrl, 'tfjs-backend-wasm-simd.wasm': simdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': threadedUrl } });

serveRank(self, { 'data-parallel/rank': dataParallelRank, 'zero-fsdp/rank': zeroEndpoint }, loadFashion, () => useBackend('wasm'));
