import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from './choose';
import type { AdapterSummary, Capabilities, ProbeResult } from './choose';

/** Where the wasm backend finds its three .wasm binaries (bundlers give URLs; Node can leave it unset). */
export type WasmPaths = Record<'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm', string>;

export interface EngineOptions {
  wasmPaths?: WasmPaths;
}

let options: EngineOptions = {};
const loaded = new Map<BackendName, Promise<void>>();

export function configureEngine(o: EngineOptions): void {
  options = o;
}

/** Import a backend's code on first use, so a page pays only for the engines it runs. */
function loadBackend(name: BackendName): Promise<void> {
  let p = loaded.get(name);
  if (!p) {
    p = (async () => {
      if (name === 'cpu') {
        await import('@tensorflow/tfjs-backend-cpu');
      } else if (name === 'wasm') {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        if (options.wasmPaths) wasm.setWasmPaths(options.wasmPaths, true);
        // tfjs 4.22 picks its threaded build whenever the page is cross-origin isolated, but that
        // build's pthread workers re-load the backend with importScripts, which cannot load our
        // bundled module worker: they die with "e is not defined" and training never starts
        // (seen in Chromium 156 with COOP/COEP). So the single-threaded SIMD build it is, everywhere.
        tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
        const { registerWasmTrainingKernels } = await import('./wasm-kernels');
        registerWasmTrainingKernels();
      } else {
        // tfjs-backend-webgpu registers itself at import time only if navigator.gpu exists then.
        await import('@tensorflow/tfjs-backend-webgpu');
      }
    })();
    loaded.set(name, p);
    p.catch(() => loaded.delete(name));
  }
  return p;
}

/** Make `name` the active tfjs backend; throws with a readable message when it cannot start. */
export async function useBackend(name: BackendName): Promise<void> {
  await loadBackend(name);
  if (tf.getBackend() === name) return;
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    throw new Error(`The ${name} backend failed to start: ${(e as Error).message}`);
  }
  if (!ok) throw new Error(`The ${name} backend failed to start in this browser.`);
  await tf.ready();
}

/** Drop a backend (e.g. after its GPU device was lost) so that a later useBackend builds it afresh. */
export function resetBackend(name: BackendName): void {
  try {
    if (tf.findBackend(name)) tf.removeBackend(name);
  } catch {
    /* already gone */
  }
  loaded.delete(name);
}

/** What this environment offers: asks the GPU for an adapter, checks WebAssembly features. */
export async function detectCapabilities(): Promise<Capabilities> {
  const isolated = Boolean((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated);
  const caps: Capabilities = {
    webgpu: { available: false },
    wasm: { available: typeof WebAssembly === 'object', simd: false, threads: isolated && typeof SharedArrayBuffer === 'function' },
    cpu: { available: true },
    crossOriginIsolated: isolated,
  };
  if (!caps.wasm.available) caps.wasm.reason = 'WebAssembly is disabled';
  // SIMD: a tiny module using v128 validates only where SIMD is supported.
  caps.wasm.simd = caps.wasm.available && WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]));
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) {
    caps.webgpu.reason = 'this browser does not expose navigator.gpu';
    return caps;
  }
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) {
      caps.webgpu.reason = 'the browser found no GPU adapter';
      return caps;
    }
    caps.webgpu.available = true;
    caps.webgpu.adapter = summarizeAdapter(adapter);
  } catch (e) {
    caps.webgpu.reason = `requestAdapter failed: ${(e as Error).message}`;
  }
  return caps;
}

function summarizeAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  const fallback = Boolean((info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter);
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    isFallbackAdapter: fallback,
  };
}

/**
 * A short throughput probe: GFLOP/s of a 256x256 matmul, warm (the first call compiles shaders),
 * median of five. Small enough to take well under a second even on a software adapter.
 */
export async function probeBackend(name: BackendName, size = 256, reps = 5): Promise<number> {
  await useBackend(name);
  const a = tf.randomUniform([size, size], -1, 1, 'float32', 1);
  const b = tf.randomUniform([size, size], -1, 1, 'float32', 2);
  const run = async () => {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  };
  await run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  a.dispose();
  b.dispose();
  times.sort((x, y) => x - y);
  const ms = Math.max(times[Math.floor(reps / 2)], 0.01);
  return (2 * size ** 3) / (ms * 1e6);
}

export async function probeAll(names: BackendName[]): Promise<ProbeResult> {
  const out: ProbeResult = {};
  for (const n of names) {
    try {
      out[n] = await probeBackend(n);
    } catch {
      /* a backend that cannot run the probe is simply not a candidate */
    }
  }
  return out;
}

/** The GPUDevice behind tfjs's webgpu backend, when that backend is active. */
export function webgpuDevice(): GPUDevice | undefined {
  if (tf.getBackend() !== 'webgpu') return undefined;
  return (tf.backend() as unknown as { device?: GPUDevice }).device;
}
