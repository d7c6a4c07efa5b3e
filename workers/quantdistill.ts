/// <reference lib="webworker" />
// The quantization and distillation labs' worker: TensorFlow.js (wasm) behind a comlink API
// (CompressLabService). The ONNX files in a quantization result cross as a transferred buffer.
import * as Comlink from 'comlink';
import { CompressLabService } from '../src/lib/compress/labs/service';
import type { QuantizeFields } from '../src/lib/compress/labs/settings';
import type { Progress } from '../src/lib/compress/labs/quantize-lab';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

class WorkerService extends CompressLabService {
  override async quantize(fields: QuantizeFields, group: string, onProgress: Progress) {
    const out = await super.quantize(fields, group, onProgress);
    return Comlink.transfer(out, [out.result.onnxInt8.buffer as ArrayBuffer, out.result.onnxFloat.buffer as ArrayBuffer]);
  }
}

Comlink.expose(new WorkerService({ wasmPaths: { 'tfjs-backend-wasm.wasm': wasmUrl, 'tfjs-backend-wasm-simd.wasm': simdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': threadedUrl } }, __APP_VERSION__));
