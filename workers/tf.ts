/// <reference lib="webworker" />
// The TensorFlow.js engine's worker (src/lib/engines/tf.ts): training, compression, quantization,
// distillation and ONNX export behind one comlink API, so tfjs and its backends are bundled once.
// The wasm binaries come from the site itself (Vite `?url` assets); large results are transferred.
import * as Comlink from 'comlink';
import { TfEngine } from '../src/lib/engines/tf';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

Comlink.expose(
  new TfEngine({
    engine: { wasmPaths: { 'tfjs-backend-wasm.wasm': wasmUrl, 'tfjs-backend-wasm-simd.wasm': simdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': threadedUrl } },
    appVersion: __APP_VERSION__,
    transfer: (value, buffers) => Comlink.transfer(value, buffers),
  }),
);
