import { describe, expect, it } from 'vitest';
import { chooseBackend, isSoftwareAdapter, probeCandidates, type Capabilities } from '../../../src/lib/runtime/choose.ts';

const swiftshader = { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: false };
const nvidia = { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H100', isFallbackAdapter: false };

function caps(adapter?: typeof nvidia, wasm = true): Capabilities {
  return {
    webgpu: adapter ? { available: true, adapter } : { available: false, reason: 'this browser does not expose navigator.gpu' },
    wasm: { available: wasm, simd: wasm, threads: false },
    cpu: { available: true },
    crossOriginIsolated: false,
  };
}

describe('chooseBackend', () => {
  it('isSoftwareAdapter recognises SwiftShader, llvmpipe and fallback adapters, not a real GPU', () => {
    expect(isSoftwareAdapter(swiftshader)).toBe(true);
    expect(isSoftwareAdapter({ ...nvidia, description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ ...nvidia, isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter(nvidia)).toBe(false);
  });

  it('auto on a software adapter picks wasm and says why, with the probe numbers', () => {
    const d = chooseBackend('auto', caps(swiftshader), { webgpu: 0.5, wasm: 26 });
    expect(d).toMatchObject({ backend: 'wasm', softwareAdapter: true });
    expect(d.reason).toMatch(/software emulation \(swiftshader\), and the probe confirms it: wasm 26, webgpu 0\.50 GFLOP\/s/);
  });

  it('auto never trusts a software adapter that is only marginally faster in the probe', () => {
    expect(chooseBackend('auto', caps(swiftshader), { webgpu: 30, wasm: 26 }).backend).toBe('wasm');
  });

  it('auto picks the fastest probed backend on a hardware GPU', () => {
    expect(chooseBackend('auto', caps(nvidia), { webgpu: 900, wasm: 26 }).backend).toBe('webgpu');
    expect(chooseBackend('auto', caps(nvidia), { webgpu: 10, wasm: 26 }).backend).toBe('wasm');
  });

  it('auto without a probe trusts a hardware adapter and avoids a software one', () => {
    expect(chooseBackend('auto', caps(nvidia)).backend).toBe('webgpu');
    expect(chooseBackend('auto', caps(swiftshader)).backend).toBe('wasm');
    expect(chooseBackend('auto', caps(undefined)).reason).toMatch(/WebGPU is not available \(this browser does not expose navigator.gpu\)/);
  });

  it('an explicit choice is honoured, and falls back with a reason when unavailable', () => {
    expect(chooseBackend('cpu', caps(nvidia))).toMatchObject({ backend: 'cpu', reason: 'You chose cpu.' });
    expect(chooseBackend('webgpu', caps(swiftshader)).reason).toMatch(/software emulation/);
    expect(chooseBackend('webgpu', caps(undefined))).toMatchObject({ backend: 'wasm' });
    expect(chooseBackend('wasm', caps(undefined, false))).toMatchObject({ backend: 'cpu' });
  });

  it('probeCandidates probes webgpu and wasm when present, cpu only as the last resort', () => {
    expect(probeCandidates(caps(nvidia))).toEqual(['webgpu', 'wasm']);
    expect(probeCandidates(caps(undefined, false))).toEqual(['cpu']);
  });
});
