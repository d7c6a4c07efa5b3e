/// <reference lib="webworker" />
// The export worker: TensorFlow.js (wasm) rebuilds the learner's trained model from its checkpoint
// (or trains a default), exports it to ONNX and computes the reference outputs, behind comlink.
import * as Comlink from 'comlink';
import { ModelSource, type PrepareOptions } from '../src/lib/serve/model-source';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

class WorkerModelSource extends ModelSource {
  override async prepare(datasetUrl: string, opts: PrepareOptions = {}, onStatus?: (message: string) => void) {
    const out = await super.prepare(datasetUrl, opts, onStatus);
    return Comlink.transfer(out, [out.float32.buffer, out.int8.buffer, out.sample.pixels.buffer, out.sample.tfjs.buffer] as ArrayBuffer[]);
  }

  override async testPixels(datasetUrl: string, n: number, offset = 0) {
    const out = await super.testPixels(datasetUrl, n, offset);
    return Comlink.transfer(out, [out.buffer as ArrayBuffer]);
  }
}

Comlink.expose(
  new WorkerModelSource({ wasmPaths: { 'tfjs-backend-wasm.wasm': wasmUrl, 'tfjs-backend-wasm-simd.wasm': simdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': threadedUrl } }, __APP_VERSION__),
);
