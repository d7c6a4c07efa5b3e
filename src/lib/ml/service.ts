import { loadFashion, sha256Hex, splitValidation, FASHION_CLASSES } from '../data/fashion';
import { MemoryRunStore, openStore } from '../store';
import type { RunRecord } from '../store/types';
import { chooseBackend, probeCandidates, type BackendDecision, type Capabilities, type ProbeResult } from '../runtime/choose';
import * as tf from '@tensorflow/tfjs-core';
import { configureEngine, detectCapabilities, probeAll, useBackend, type EngineOptions } from '../runtime/engine';
import { Trainer, floatPixels, microBatch, updateAndRead, type RunSink, type TrainData, type TrainEvent } from './trainer';
import type { Store } from '../store';
import { buildModel, buildOptimizer, inputShape } from './models';
import type { BackendChoice, BackendName, ModelKind, OptimizerKind, TrainConfig } from './config';

/** Seed of the fixed train/validation split: every run, whatever its seed, validates on the same 1,000 images. */
const VALIDATION_SEED = 2024;
const VALIDATION_FRACTION = 0.1;

/** A throughput measurement of pure training updates (no evaluation, no checkpoints, no saving). */
export interface BenchmarkOptions {
  model: ModelKind;
  optimizer: OptimizerKind;
  batchSize: number;
  backend: BackendName;
  /** Timed updates per repetition. */
  updates: number;
  /** Untimed updates first: they compile shaders and create optimizer slots. */
  warmup: number;
  /** Timed repetitions (default 3). */
  repetitions?: number;
}

export interface BenchmarkResult {
  backend: BackendName;
  /** Examples per second of each repetition. */
  samplesPerSec: number[];
  medianSamplesPerSec: number;
}

/** What the service needs of a store: the run sink plus reading a run back to resume it. */
type RunStore = RunSink & Pick<Store, 'getRun' | 'latestCheckpoint'>;

export interface DatasetSummary { hash: string; train: number; val: number; test: number; classes: readonly string[]; bytes: number }

/**
 * The training lab's worker API. Engine lifecycle: check() → load() → decide() (probes, warms up)
 * → start()/resumeRun() with pause/resume/stop. Runs are saved to IndexedDB from the worker as they
 * happen, so the page can freeze or reload without losing more than the current update.
 */
export interface TrainServiceApi {
  check(): Promise<Capabilities>;
  load(datasetUrl: string): Promise<DatasetSummary>;
  /**
   * Choose the backend. 'auto' probes once per device (or reuses `known`, a probe from an earlier
   * visit); with { probe: false } it answers at once from the adapter's report instead.
   */
  decide(choice: BackendChoice, known?: ProbeResult, opts?: { probe?: boolean }): Promise<BackendDecision>;
  start(config: TrainConfig, runId: string, name: string | undefined, onEvent: (e: TrainEvent) => void): Promise<RunRecord>;
  resumeRun(runId: string, onEvent: (e: TrainEvent) => void): Promise<RunRecord>;
  pause(): void;
  resume(): void;
  stop(): void;
  simulateDeviceLoss(): boolean;
  /** Storage was cleared under the page and works again: open it afresh for the next run (not during one). */
  reopenStore(): boolean;
  benchmark(o: BenchmarkOptions): Promise<BenchmarkResult>;
}

/**
 * Download the Fashion-MNIST Parquet file and split it as every lab that trains on it does: the
 * fixed validation split (seed VALIDATION_SEED) out of the training rows, the test rows as they are.
 */
export async function loadTrainData(datasetUrl: string): Promise<{ data: TrainData; summary: DatasetSummary }> {
  let res: Response;
  try {
    res = await fetch(datasetUrl);
  } catch (e) {
    throw new Error(`Could not download the dataset (${datasetUrl}): ${(e as Error).message}`);
  }
  if (!res.ok) throw new Error(`Could not download the dataset (${datasetUrl}): HTTP ${res.status}.`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const [fashion, hash] = await Promise.all([loadFashion(bytes), sha256Hex(bytes)]);
  const { train, val } = splitValidation(fashion.train, VALIDATION_FRACTION, VALIDATION_SEED);
  return { data: { train, val, test: fashion.test, hash }, summary: { hash, train: train.n, val: val.n, test: fashion.test.n, classes: FASHION_CLASSES, bytes: bytes.length } };
}

export class TrainService implements TrainServiceApi {
  private caps?: Promise<Capabilities>;
  private probes = new Map<string, Promise<ProbeResult>>();
  private storePromise?: Promise<RunStore>;
  /** Why runs are kept in memory only, when the browser refused storage. */
  private storageProblem?: string;
  private trainer?: Trainer;
  private data?: TrainData;

  constructor(engine: EngineOptions = {}, private appVersion = 'dev', private storeName?: string) {
    configureEngine(engine);
  }

  private store(): Promise<RunStore> {
    this.storePromise ??= openStore({ name: this.storeName }).catch((e: Error) => {
      this.storageProblem = `Runs are kept in memory only and will be lost when this page closes: ${e.message}`;
      return new MemoryRunStore();
    });
    return this.storePromise;
  }

  check(): Promise<Capabilities> {
    this.caps ??= detectCapabilities();
    return this.caps;
  }

  async load(datasetUrl: string): Promise<DatasetSummary> {
    const { data, summary } = await loadTrainData(datasetUrl);
    this.data = data;
    return summary;
  }

  async decide(choice: BackendChoice, known?: ProbeResult, opts: { probe?: boolean } = {}): Promise<BackendDecision> {
    const caps = await this.check();
    if (choice !== 'auto') return chooseBackend(choice, caps);
    const key = JSON.stringify(caps);
    if (known && Object.keys(known).length > 0) this.probes.set(key, Promise.resolve(known));
    let probe = this.probes.get(key);
    // Without a probe yet, a quick decision from what the adapter reports; the page confirms later.
    if (!probe && opts.probe === false) return chooseBackend('auto', caps);
    if (!probe) {
      // One probe at a time per device, shared by every caller: two would fight over the tfjs backend.
      probe = probeAll(probeCandidates(caps));
      this.probes.set(key, probe);
    }
    const measured = await probe;
    return { ...chooseBackend('auto', caps, measured), probe: measured };
  }


  private async makeTrainer(): Promise<Trainer> {
    if (!this.data) throw new Error('The dataset is not loaded yet.');
    const store = await this.store();
    this.trainer ??= new Trainer(store);
    this.trainer.setData(this.data);
    return this.trainer;
  }

  async start(config: TrainConfig, runId: string, name: string | undefined, onEvent: (e: TrainEvent) => void): Promise<RunRecord> {
    const trainer = await this.makeTrainer();
    const decision = await this.decide(config.backend);
    onEvent({ type: 'status', message: decision.reason });
    if (this.storageProblem) onEvent({ type: 'storage-error', message: this.storageProblem });
    return trainer.run(config, { runId, name, backend: decision.backend, appVersion: this.appVersion }, onEvent);
  }

  async resumeRun(runId: string, onEvent: (e: TrainEvent) => void): Promise<RunRecord> {
    const trainer = await this.makeTrainer();
    const store = await this.store();
    const run = await store.getRun(runId);
    if (!run) throw new Error(`Run ${runId} is not in this browser's storage.`);
    const checkpoint = await store.latestCheckpoint(runId);
    if (!checkpoint) throw new Error(`Run ${runId} has no checkpoint to resume from.`);
    if (run.dataHash !== this.data!.hash) throw new Error(`Run ${runId} was trained on a different dataset (hash ${run.dataHash.slice(0, 12)}…); it cannot be resumed on this one.`);
    const config = run.params as unknown as TrainConfig;
    const decision = await this.decide(config.backend);
    onEvent({ type: 'status', message: `Resuming from the checkpoint of epoch ${checkpoint.epoch}. ${decision.reason}` });
    return trainer.run(config, { runId, backend: decision.backend, appVersion: this.appVersion, resume: { run, checkpoint } }, onEvent);
  }

  pause(): void {
    this.trainer?.pause();
  }

  resume(): void {
    this.trainer?.resume();
  }

  stop(): void {
    this.trainer?.stop();
  }

  simulateDeviceLoss(): boolean {
    return this.trainer?.simulateDeviceLoss() ?? false;
  }

  reopenStore(): boolean {
    if (this.trainer?.running) return false;
    this.storePromise = undefined;
    this.storageProblem = undefined;
    this.trainer = undefined;
    return true;
  }

  /**
   * Samples/s of the trainer's update (batch sliced from the loaded training images, forward,
   * backward, optimizer step, loss read back) on one backend, after `warmup` untimed updates.
   */
  async benchmark(o: BenchmarkOptions): Promise<BenchmarkResult> {
    if (!this.data) throw new Error('The dataset is not loaded yet.');
    if (this.trainer?.running) throw new Error('A run is in progress in this worker; benchmark after it ends.');
    await useBackend(o.backend);
    const b = o.batchSize;
    const n = Math.floor(Math.min(this.data.train.n, b * (o.warmup + o.updates)) / b) * b;
    if (n < b) throw new Error(`Batch size ${b} is larger than the ${this.data.train.n} training images.`);
    const shape = inputShape(o.model);
    const pixels = floatPixels(this.data.train);
    const labels = this.data.train.labels;
    const model = buildModel(o.model, 1);
    const optimizer = buildOptimizer(o.optimizer, 1e-3);
    let at = 0;
    // The trainer's own update: batch copied on the JS side, one step, loss and hits read back.
    const update = async () => {
      const batch = microBatch(pixels, labels, Array.from({ length: b }, (_, r) => at + r), shape);
      at = (at + b) % n;
      try {
        await updateAndRead(model, optimizer, [batch]);
      } finally {
        tf.dispose([batch.x, batch.y]);
      }
    };
    const samplesPerSec: number[] = [];
    try {
      for (let i = 0; i < o.warmup; i++) await update();
      for (let r = 0; r < (o.repetitions ?? 3); r++) {
        const t0 = performance.now();
        for (let i = 0; i < o.updates; i++) await update();
        samplesPerSec.push((o.updates * b * 1000) / (performance.now() - t0));
      }
    } finally {
      model.dispose();
      optimizer.dispose();
    }
    const sorted = [...samplesPerSec].sort((p, q) => p - q);
    return { backend: o.backend, samplesPerSec, medianSamplesPerSec: sorted[Math.floor(sorted.length / 2)] };
  }
}
