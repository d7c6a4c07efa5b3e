import { loadFashion, sha256Hex, splitValidation, FASHION_CLASSES } from '../data/fashion';
import { openStore, type Store } from '../store';
import type { RunRecord } from '../store/types';
import { chooseBackend, probeCandidates, type BackendDecision, type Capabilities, type ProbeResult } from '../runtime/choose';
import { configureEngine, detectCapabilities, probeAll, type EngineOptions } from '../runtime/engine';
import { Trainer, type TrainData, type TrainEvent } from './trainer';
import type { BackendChoice, TrainConfig } from './config';

/** Seed of the fixed train/validation split: every run, whatever its seed, validates on the same 1,000 images. */
const VALIDATION_SEED = 2024;
const VALIDATION_FRACTION = 0.1;

export interface DatasetSummary { hash: string; train: number; val: number; test: number; classes: readonly string[]; bytes: number }

/**
 * The training lab's worker API. Engine lifecycle: check() → load() → decide() (probes, warms up)
 * → start()/resumeRun() with pause/resume/stop. Runs are saved to IndexedDB from the worker as they
 * happen, so the page can freeze or reload without losing more than the current update.
 */
export interface TrainServiceApi {
  check(): Promise<Capabilities>;
  load(datasetUrl: string): Promise<DatasetSummary>;
  decide(choice: BackendChoice): Promise<BackendDecision>;
  start(config: TrainConfig, runId: string, name: string | undefined, onEvent: (e: TrainEvent) => void): Promise<RunRecord>;
  resumeRun(runId: string, onEvent: (e: TrainEvent) => void): Promise<RunRecord>;
  pause(): void;
  resume(): void;
  stop(): void;
  simulateDeviceLoss(): boolean;
  testImages(indices: number[]): Promise<Uint8Array>;
}

export class TrainService implements TrainServiceApi {
  private caps?: Promise<Capabilities>;
  private probes = new Map<string, ProbeResult>();
  private storePromise?: Promise<Store>;
  private trainer?: Trainer;
  private data?: TrainData;

  constructor(engine: EngineOptions = {}, private appVersion = 'dev', private storeName?: string) {
    configureEngine(engine);
  }

  private store(): Promise<Store> {
    this.storePromise ??= openStore({ name: this.storeName });
    return this.storePromise;
  }

  check(): Promise<Capabilities> {
    this.caps ??= detectCapabilities();
    return this.caps;
  }

  async load(datasetUrl: string): Promise<DatasetSummary> {
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
    this.data = { train, val, test: fashion.test, hash };
    return { hash, train: train.n, val: val.n, test: fashion.test.n, classes: FASHION_CLASSES, bytes: bytes.length };
  }

  async decide(choice: BackendChoice): Promise<BackendDecision> {
    const caps = await this.check();
    if (choice !== 'auto') return chooseBackend(choice, caps);
    const key = JSON.stringify(caps);
    let probe = this.probes.get(key);
    if (!probe) {
      probe = await probeAll(probeCandidates(caps));
      this.probes.set(key, probe);
    }
    return chooseBackend('auto', caps, probe);
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

  async testImages(indices: number[]): Promise<Uint8Array> {
    if (!this.data) throw new Error('The dataset is not loaded yet.');
    const out = new Uint8Array(indices.length * 784);
    indices.forEach((idx, j) => out.set(this.data!.test.images.subarray(idx * 784, (idx + 1) * 784), j * 784));
    return out;
  }
}
