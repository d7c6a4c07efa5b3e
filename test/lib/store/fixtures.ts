/** Shared fixtures for the store tests: a fresh in-memory IndexedDB per test, and sample records. */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { openStore, type Store } from '../../../src/lib/store/index.ts';
import type { Checkpoint, RunRecord } from '../../../src/lib/store/index.ts';

export async function freshStore(): Promise<{ store: Store; factory: IDBFactory }> {
  const factory = new IDBFactory();
  return { store: await openStore({ indexedDB: factory }), factory };
}

export function makeRun(over: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 'run-a',
    lab: 'train-mnist',
    name: 'baseline',
    params: { model: 'mlp', optimizer: 'adam', lr: 1e-3, batchSize: 64, epochs: 3, accumSteps: 1 },
    seed: 42,
    dataHash: 'sha256:abc',
    backend: 'cpu',
    appVersion: '0.1.0',
    status: 'done',
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_100_000,
    durationMs: 100_000,
    epochsDone: 3,
    stepsDone: 3,
    metrics: { step: [0, 1, 2], epoch: [0.33, 0.67, 1], trainLoss: [2.3, 1.1, 0.7], trainAcc: [0.1, 0.6, 0.8] },
    epochMetrics: [{ epoch: 1, valLoss: 0.8, valAcc: 0.75, timeMs: 900 }],
    final: { testAcc: 0.74, testLoss: 0.81, confusion: Array.from({ length: 100 }, (_, i) => (i % 11 === 0 ? 9 : 0)) },
    ...over,
  };
}

/** Float32 values that JSON or a float64 round trip would not keep: −0, a subnormal, a NaN with a payload, ±Infinity. */
export function awkwardFloats(): Float32Array {
  const bits = new Uint32Array([0x80000000, 0x00000001, 0x7fc12345, 0x7f800000, 0xff800000, 0x3eaaaaab]);
  return new Float32Array(bits.buffer);
}

export function makeCheckpoint(runId: string, step: number, over: Partial<Checkpoint> = {}): Checkpoint {
  const w = new Float32Array(12).map((_, i) => Math.fround(step + i / 7));
  return {
    runId,
    epoch: step / 10,
    step,
    createdAt: 1_700_000_000_000 + step,
    weights: [
      { name: 'dense/kernel', shape: [3, 4], data: w },
      { name: 'dense/bias', shape: [6], data: awkwardFloats() },
    ],
    optimizer: [{ name: 'adam/m', shape: [2], data: new Float32Array([step, -step]) }],
    rngState: 123456789 + step,
    meta: { note: `step ${step}` },
    ...over,
  };
}

/** Bit patterns of a Float32Array, so NaN payloads and −0 compare exactly. */
export const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
