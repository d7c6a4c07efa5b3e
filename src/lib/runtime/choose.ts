/** Which tfjs backend to run on: a named one, or 'auto' (probe and pick the fastest). */
export type BackendChoice = 'auto' | 'webgpu' | 'wasm' | 'cpu';
export type BackendName = Exclude<BackendChoice, 'auto'>;

/** What this device offers, as the train worker sees it. Plain data: crosses the worker boundary. */
export interface Capabilities {
  webgpu: { available: boolean; reason?: string; adapter?: AdapterSummary };
  wasm: { available: boolean; simd: boolean; threads: boolean; reason?: string };
  cpu: { available: true };
  crossOriginIsolated: boolean;
}

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
}

/** Measured throughput of a short probe (a warm 256x256 matmul), in GFLOP/s, per backend. */
export type ProbeResult = Partial<Record<BackendName, number>>;

export interface BackendDecision {
  backend: BackendName;
  /** One sentence a learner can read: why this backend. */
  reason: string;
  /** True when the WebGPU adapter is a software emulation. */
  softwareAdapter: boolean;
  /** The probe 'auto' decided on, so the page can remember it for this device. */
  probe?: ProbeResult;
}

/** Adapters that are CPU emulations of a GPU: fast enough to be correct, far too slow to train on. */
const SOFTWARE_PATTERNS = [/swiftshader/i, /llvmpipe/i, /lavapipe/i, /softpipe/i, /basic render/i, /warp/i];

export function isSoftwareAdapter(a: AdapterSummary | undefined): boolean {
  if (!a) return false;
  if (a.isFallbackAdapter) return true;
  const text = `${a.vendor} ${a.architecture} ${a.device} ${a.description}`;
  return SOFTWARE_PATTERNS.some((p) => p.test(text));
}

/** Backends worth probing for 'auto': wasm always, webgpu too (even a software one, to show the gap). */
export function probeCandidates(caps: Capabilities): BackendName[] {
  const out: BackendName[] = [];
  if (caps.webgpu.available) out.push('webgpu');
  if (caps.wasm.available) out.push('wasm');
  if (out.length === 0) out.push('cpu');
  return out;
}

const fmt = (g: number | undefined) => (g === undefined ? '?' : g >= 10 ? g.toFixed(0) : g.toFixed(2));

/**
 * Choose the backend. An explicit choice is honoured when available, else falls back with a reason.
 * 'auto' takes the fastest probed backend, and never a software WebGPU adapter unless the probe
 * shows it faster than wasm (it never has been: SwiftShader measured ~50x slower than wasm).
 */
export function chooseBackend(choice: BackendChoice, caps: Capabilities, probe: ProbeResult = {}): BackendDecision {
  const software = caps.webgpu.available && isSoftwareAdapter(caps.webgpu.adapter);
  const adapterName = caps.webgpu.adapter ? (caps.webgpu.adapter.architecture || caps.webgpu.adapter.description || caps.webgpu.adapter.vendor || 'unknown adapter') : '';
  const fallbackOrder: BackendName[] = caps.wasm.available ? ['wasm', 'cpu'] : ['cpu'];

  if (choice !== 'auto') {
    if (choice === 'webgpu' && !caps.webgpu.available) {
      return { backend: fallbackOrder[0], reason: `You chose webgpu, but WebGPU is not available here (${caps.webgpu.reason ?? 'no adapter'}); using ${fallbackOrder[0]} instead.`, softwareAdapter: false };
    }
    if (choice === 'wasm' && !caps.wasm.available) {
      return { backend: 'cpu', reason: `You chose wasm, but WebAssembly is not available here (${caps.wasm.reason ?? 'unsupported'}); using cpu instead.`, softwareAdapter: software };
    }
    const note = choice === 'webgpu' && software ? ` Note: the adapter is a software emulation (${adapterName}), so expect it to be slow.` : '';
    return { backend: choice, reason: `You chose ${choice}.${note}`, softwareAdapter: software };
  }

  const measured = (Object.entries(probe) as [BackendName, number][]).filter(([, v]) => Number.isFinite(v) && v > 0);
  if (measured.length > 0) {
    measured.sort((a, b) => b[1] - a[1]);
    let [best] = measured[0];
    const table = measured.map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
    if (best === 'webgpu' && software && probe.wasm !== undefined && probe.webgpu! < probe.wasm * 1.5) best = 'wasm';
    const why = software && best !== 'webgpu'
      ? `the WebGPU adapter is a software emulation (${adapterName}), and the probe confirms it: ${table} GFLOP/s`
      : `fastest in a short probe on this device: ${table} GFLOP/s`;
    return { backend: best, reason: `auto chose ${best}: ${why}.`, softwareAdapter: software };
  }

  // No probe (yet): decide from what the device reports.
  if (caps.webgpu.available && !software) {
    return { backend: 'webgpu', reason: `auto chose webgpu: a hardware GPU adapter (${adapterName}) is available.`, softwareAdapter: false };
  }
  const why = software ? `the WebGPU adapter is a software emulation (${adapterName})` : `WebGPU is not available (${caps.webgpu.reason ?? 'no adapter'})`;
  return { backend: fallbackOrder[0], reason: `auto chose ${fallbackOrder[0]}: ${why}.`, softwareAdapter: software };
}
