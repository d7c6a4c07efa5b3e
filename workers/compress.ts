/// <reference lib="webworker" />
// The compression worker: TensorFlow.js (wasm by default, webgpu where the backend chooser says so)
// behind a comlink API (CompressApi, src/lib/compress/service.ts). ONNX bytes are transferred.
import * as Comlink from 'comlink';
import { CompressService } from '../src/lib/compress/service';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

class WorkerCompressService extends CompressService {
  override async exportVariant(runId: string) {
    const out = await super.exportVariant(runId);
    return Comlink.transfer(out, [out.bytes.buffer as ArrayBuffer]);
  }
}

Comlink.expose(
  new WorkerCompressService(
    { wasmPaths: { 'tfjs-backend-wasm.wasm': wasmUrl, 'tfjs-backend-wasm-simd.wasm': simdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': threadedUrl } },
    __APP_VERSION__,
  ),
);
