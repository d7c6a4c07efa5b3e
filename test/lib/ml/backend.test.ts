import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { startBackend } from '../../../src/lib/ml/backend.ts';
import type { Capabilities } from '../../../src/lib/runtime/choose.ts';

const caps: Capabilities = { webgpu: { available: false, reason: 'none in Node' }, wasm: { available: true, simd: true, threads: false }, cpu: { available: true }, crossOriginIsolated: false };

describe('startBackend (one backend choice for every tfjs service)', () => {
  it('starts the chosen backend and says why', async () => {
    const d = await startBackend('cpu', caps);
    expect(d.backend).toBe('cpu');
    expect(d.reason).toBe('You chose cpu.');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('falls back to cpu, and says so, when the chosen backend cannot start (a GPU the device reported, but no WebGPU here)', async () => {
    // Node has no navigator.gpu, so tfjs-backend-webgpu never registers: starting it fails as a refused device would.
    const gpu: Capabilities = { ...caps, webgpu: { available: true, adapter: { vendor: 'nvidia', architecture: 'hopper', device: '', description: '', isFallbackAdapter: false } } };
    const d = await startBackend('auto', gpu);
    expect(d.backend).toBe('cpu');
    expect(d.reason).toMatch(/^auto chose webgpu: a hardware GPU adapter \(hopper\) is available\. It failed to start \(.+\), so the cpu backend runs instead\.$/);
    expect(tf.getBackend()).toBe('cpu');
  }, 30_000);
});
