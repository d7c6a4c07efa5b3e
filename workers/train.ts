/// <reference lib="webworker" />
// The training worker: TensorFlow.js on webgpu, wasm or cpu, behind a comlink API (TrainServiceApi).
import * as Comlink from 'comlink';
import { TrainService } from '../src/lib/ml/service';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

const service = new TrainService(
  {
    wasmPaths: {
      'tfjs-backend-wasm.wasm': wasmUrl,
      'tfjs-backend-wasm-simd.wasm': simdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': threadedUrl,
    },
  },
  __APP_VERSION__,
);

Comlink.expose(service);
