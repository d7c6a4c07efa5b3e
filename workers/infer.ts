/// <reference lib="webworker" />
// The inference worker: one onnxruntime-web session behind a comlink API (InferService). The
// runtime and its wasm come from the site itself (Vite-emitted assets), never from a CDN: the wasm
// build for the 'wasm' provider, the JSEP build (wasm + WebGPU kernels) for 'webgpu'.
import * as Comlink from 'comlink';
import { InferService, type ExecutionProvider } from '../src/lib/serve/infer';
import { exposeErrorKinds } from '../src/lib/serve/worker-errors';
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import jsepUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';

type Ort = typeof import('onnxruntime-web');

async function loadOrt(ep: ExecutionProvider): Promise<Ort> {
  const ort: Ort = ep === 'webgpu' ? await import('onnxruntime-web') : await import('onnxruntime-web/wasm');
  ort.env.wasm.wasmPaths = { wasm: ep === 'webgpu' ? jsepUrl : wasmUrl };
  // Threads need SharedArrayBuffer, which only a cross-origin isolated page (COOP + COEP headers) has.
  ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
  // This is already a worker: ORT's own proxy worker would only add a hop.
  ort.env.wasm.proxy = false;
  return ort;
}

exposeErrorKinds();
Comlink.expose(new InferService(loadOrt));
