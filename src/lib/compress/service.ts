/**
 * The compression worker's service: one per worker, behind comlink (engines/tf.ts, workers/tf.ts). It loads
 * the dataset, picks the tfjs backend, loads the base model (the learner's trained classifier, or
 * a default one it trains and saves once), runs a lab's experiment on it, and exports saved
 * variants to ONNX. Experiments (experiments/index.ts) compose the kit's pieces through an
 * ExperimentContext; a new compression lab adds one there.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { loadTrainData, type DatasetSummary } from '../ml/service';
import { Trainer, type TrainEvent } from '../ml/trainer';
import { buildModel } from '../ml/models';
import type { BackendChoice, BackendName, TrainConfig } from '../ml/config';
import { DEFAULT_BASE, DEFAULT_BASE_NAME, savedDefaultBase } from './base';
import type { BackendDecision } from '../runtime/choose';
import { configureEngine, useBackend, type EngineOptions } from '../runtime/engine';
import { startBackend } from '../ml/backend';
import { MemoryRunStore, newRunId, openStore, type Store } from '../store';
import type { ModelVariant, RunRecord } from '../store/types';
import { CompressKit, StoppedError, type Latency, type MeasureEntry, type Measured } from './kit';
import { storedBytes } from './labs/weights';
import { exportVariantOnnx, saveVariant, type SaveVariantOptions } from './variants';
import { EXPERIMENTS, type ExperimentId, type ExperimentResult, type ExperimentSettings } from './experiments';

/** What the service needs of a store. */
export type KitStore = Pick<Store, 'putRun' | 'getRun' | 'listRuns' | 'deleteRun' | 'appendMetrics' | 'putCheckpoint' | 'latestCheckpoint' | 'checkpointSteps'>;

/** Lab id under which base models are recorded as 'baseline' variants, so the trade-off view plots them. */
export const BASELINE_LAB = 'compress-base';

/** The one default base and its policy (compress/base.ts). */
export { DEFAULT_BASE };

/** The one progress report of every engine (core/task.ts). */
export type { Progress } from '../core/task';
import type { Progress } from '../core/task';

export type { Measured, MeasureEntry };

export interface KitStatus {
  decision: BackendDecision;
  dataset: DatasetSummary;
  /** Why runs live only in memory, when the browser refused storage. */
  storageProblem?: string;
}

/** A finished training-lab run that can serve as the base. */
export interface BaseCandidate {
  runId: string;
  name: string;
  model: TrainConfig['model'];
  testAcc: number;
  epochs: number;
  createdAt: number;
}

/** The loaded base, as the page sees it. */
export interface BaseInfo extends BaseCandidate {
  seed: number;
  config: TrainConfig;
  /** Measured now, on this backend. */
  accuracy: number;
  params: number;
  bytes: number;
  latency: Latency;
  /** The run recording the base as a 'baseline' variant (lab BASELINE_LAB). */
  variantRunId: string;
  /** True when the default base was trained just now (no finished run of the learner's was found). */
  trainedNow: boolean;
}

/** What an experiment gets: the kit, the base model, and helpers that fill in the bookkeeping. */
export interface ExperimentContext {
  kit: CompressKit;
  /** The base model: read it, clone it (cloneModel), never modify or dispose it. */
  base: { model: tfl.LayersModel; info: BaseInfo };
  /** The lab running the experiment; saved variants get this lab id. */
  lab: string;
  backend: BackendName;
  progress(fraction: number, stage: string): void;
  /** Throws StoppedError when the learner pressed Stop. Call it between steps; kit.train calls it per update. */
  checkStop(): void;
  /** Accuracy, parameters, nonzero, stored bytes and latency of a model (kit.measure: the one measurement path). */
  measure(model: tfl.LayersModel | MeasureEntry): Promise<Measured>;
  /** measure for models to be compared: their latencies are timed together, round-robin (kit.latencies). */
  measureAll(models: (tfl.LayersModel | MeasureEntry)[]): Promise<Measured[]>;
  /** Save a model as a variant of this lab; returns its run id. */
  save(model: tfl.LayersModel, measured: Measured, variant: VariantInput, extra?: { name?: string; curve?: SaveVariantOptions['curve']; settings?: Record<string, unknown> }): Promise<string>;
}

/** The parts of a ModelVariant an experiment chooses; the rest comes from `measured` (bytes may be overridden, e.g. for quantized codes). */
export type VariantInput = Pick<ModelVariant, 'technique' | 'description'> & Partial<Pick<ModelVariant, 'bytes' | 'exportWeights' | 'parentRunId'>>;

export type Experiment<S, R> = (ctx: ExperimentContext, settings: S) => Promise<R>;

/** The worker API: check/load (init) → loadBase → run → exportVariant; stop() abandons a run between updates. */
export interface CompressApi {
  init(opts: { datasetUrl: string; backend?: BackendChoice }): Promise<KitStatus>;
  bases(): Promise<BaseCandidate[]>;
  loadBase(opts: { runId?: string; useDefault?: boolean }, onProgress?: (p: Progress) => void): Promise<BaseInfo>;
  run<K extends ExperimentId>(lab: K, settings: ExperimentSettings<K>, onProgress?: (p: Progress) => void): Promise<ExperimentResult<K>>;
  stop(): void;
  exportVariant(runId: string): Promise<{ bytes: Uint8Array; filename: string }>;
}

export class CompressService implements CompressApi {
  private storePromise?: Promise<KitStore>;
  private storageProblem?: string;
  private kit?: CompressKit;
  private backend: BackendName = 'cpu';
  private base?: { model: tfl.LayersModel; info: BaseInfo };
  private busy = false;
  private stopped = false;

  /** `store` replaces IndexedDB (tests pass a memory store). */
  constructor(engine: EngineOptions = {}, private appVersion = 'dev', private injected?: KitStore) {
    configureEngine(engine);
  }

  private store(): Promise<KitStore> {
    if (this.injected) return Promise.resolve(this.injected);
    this.storePromise ??= openStore().catch((e: Error) => {
      this.storageProblem = `Variants are kept in memory only and will be lost when this page closes: ${e.message}`;
      return new MemoryRunStore();
    });
    return this.storePromise;
  }

  async init(opts: { datasetUrl: string; backend?: BackendChoice }): Promise<KitStatus> {
    const decision = await startBackend(opts.backend ?? 'auto');
    this.backend = decision.backend;
    const { data, summary } = await loadTrainData(opts.datasetUrl);
    this.kit?.dispose();
    this.kit = new CompressKit(data);
    await this.store();
    return { decision, dataset: summary, ...(this.storageProblem ? { storageProblem: this.storageProblem } : {}) };
  }

  private need(): CompressKit {
    if (!this.kit) throw new Error('The compression worker is not initialised yet (init).');
    return this.kit;
  }

  async bases(): Promise<BaseCandidate[]> {
    const hash = this.need().data.hash;
    const runs = await (await this.store()).listRuns('train');
    return runs.filter((r) => r.status === 'done' && r.final && r.dataHash === hash).map(candidate);
  }

  /**
   * The base model: run `runId`, else the learner's newest finished training run, else the default
   * MLP trained now (and saved as a training-lab run, so the next visit reuses it). `useDefault`
   * skips the learner's runs and takes the default (trained now only if it was never saved).
   */
  async loadBase(opts: { runId?: string; useDefault?: boolean }, onProgress?: (p: Progress) => void): Promise<BaseInfo> {
    return this.exclusive(async () => {
      const kit = this.need();
      const store = await this.store();
      let run: RunRecord | undefined;
      let trainedNow = false;
      if (opts.runId) {
        run = await store.getRun(opts.runId);
        if (!run) throw new Error(`Run ${opts.runId} is not in this browser's storage.`);
        if (run.lab !== 'train' || run.status !== 'done') throw new Error(`Run ${opts.runId} is not a finished training-lab run, so it cannot be a base model.`);
        if (run.dataHash !== kit.data.hash) throw new Error(`Run ${opts.runId} was trained on a different dataset (hash ${run.dataHash.slice(0, 12)}…).`);
      } else {
        const [newest] = opts.useDefault ? [] : await this.bases();
        run = opts.useDefault ? await savedDefaultBase(store, kit.data.hash) : newest && (await store.getRun(newest.runId));
        if (!run) {
          run = await this.trainDefault(store, onProgress);
          trainedNow = true;
        }
      }
      const cp = await store.latestCheckpoint(run.id);
      if (!cp) throw new Error(`Run ${run.id} has no saved weights.`);
      const config = run.params as unknown as TrainConfig;
      const model = buildModel(config.model, config.seed);
      const ws = cp.weights.map((w) => tf.tensor(w.data, w.shape));
      try {
        model.setWeights(ws);
      } finally {
        tf.dispose(ws);
      }
      onProgress?.({ fraction: 0.95, stage: 'measuring the base model' });
      const measured = await this.measure(model);
      this.base?.model.dispose();
      const info: BaseInfo = {
        ...candidate(run), seed: config.seed, config, accuracy: measured.accuracy, params: measured.params, bytes: measured.bytes, latency: measured.latency,
        variantRunId: '', trainedNow,
      };
      info.variantRunId = await this.baselineVariant(store, model, measured, info);
      this.base = { model, info };
      onProgress?.({ fraction: 1, stage: 'base model ready' });
      return info;
    });
  }

  private async trainDefault(store: KitStore, onProgress?: (p: Progress) => void): Promise<RunRecord> {
    const trainer = new Trainer(store);
    trainer.setData(this.need().data);
    const config: TrainConfig = { ...DEFAULT_BASE, backend: this.backend };
    const onEvent = (e: TrainEvent) => {
      if (e.type === 'step') onProgress?.({ fraction: 0.9 * e.progress, stage: `training the default base model (MLP, ${config.epochs} epochs on ${config.trainSize.toLocaleString('en')} images): epoch ${e.epoch.toFixed(2)}, loss ${e.trainLoss.toFixed(3)}` });
    };
    const run = await trainer.run(config, { runId: newRunId(), backend: this.backend, appVersion: this.appVersion, lab: 'train', name: DEFAULT_BASE_NAME }, onEvent);
    if (run.status !== 'done') throw new Error(`Training the default base model did not finish: ${run.statusMessage ?? run.status}.`);
    return run;
  }

  /** The base as a 'baseline' variant, saved once per base run (reused while its backend's latency stands). */
  private async baselineVariant(store: KitStore, model: tfl.LayersModel, m: Measured, info: BaseInfo): Promise<string> {
    const existing = (await store.listRuns(BASELINE_LAB)).find((r) => r.variant?.parentRunId === info.runId && r.variant.latencyBackend === this.backend);
    if (existing) return existing.id;
    return saveVariant(store, model, this.variantOf(m, { technique: 'baseline', description: `base model: ${info.name} (${info.model}, trained ${info.epochs} epochs)`, parentRunId: info.runId }), {
      lab: BASELINE_LAB, runId: newRunId(), name: info.name, seed: info.seed, dataHash: this.need().data.hash, backend: this.backend, appVersion: this.appVersion,
      testLoss: m.loss, confusion: m.confusion, settings: { baseRunId: info.runId },
    });
  }

  private variantOf(m: Measured, v: VariantInput): ModelVariant {
    return {
      technique: v.technique, description: v.description, accuracy: m.accuracy, bytes: v.bytes ?? m.bytes, params: m.params, nonzero: m.nonzero,
      latencyMs: m.latency.batch1Ms, latencyBackend: m.latency.backend, ...(v.exportWeights ? { exportWeights: v.exportWeights } : {}), ...(v.parentRunId ? { parentRunId: v.parentRunId } : {}),
    };
  }

  private async measure(model: tfl.LayersModel | MeasureEntry): Promise<Measured> {
    return (await this.need().measure([model]))[0];
  }

  async run<K extends ExperimentId>(lab: K, settings: ExperimentSettings<K>, onProgress?: (p: Progress) => void): Promise<ExperimentResult<K>> {
    if (!(lab in EXPERIMENTS)) throw new Error(`No compression experiment '${String(lab)}'.`);
    return this.exclusive(async () => {
      const kit = this.need();
      if (!this.base) throw new Error('Load a base model first (loadBase).');
      const store = await this.store();
      // Every variant of this run carries the run's id and its base, so exercises can pair them.
      const tags = { experimentRunId: newRunId(), baseRunId: this.base.info.runId, baseAccuracy: this.base.info.accuracy, baseParams: this.base.info.params };
      const ctx: ExperimentContext = {
        kit, base: this.base, lab, backend: this.backend,
        progress: (fraction, stage) => onProgress?.({ fraction, stage }),
        checkStop: () => {
          if (this.stopped) throw new StoppedError();
        },
        measure: (model) => this.measure(model),
        measureAll: (models) => kit.measure(models),
        save: (model, m, v, extra = {}) => saveVariant(store, model, this.variantOf(m, { parentRunId: this.base!.info.runId, ...v }), {
          lab, runId: newRunId(), name: extra.name, settings: { ...(settings as object), ...tags, ...(extra.settings ?? {}) }, seed: (settings as { seed?: number }).seed ?? 0,
          dataHash: kit.data.hash, backend: this.backend, appVersion: this.appVersion, curve: extra.curve, testLoss: m.loss, confusion: m.confusion,
        }),
      };
      const experiment = EXPERIMENTS[lab] as unknown as Experiment<ExperimentSettings<K>, ExperimentResult<K>>;
      return experiment(ctx, settings);
    });
  }

  stop(): void {
    if (this.busy) this.stopped = true;
  }

  async exportVariant(runId: string): Promise<{ bytes: Uint8Array; filename: string }> {
    // The trade-off view exports without init(): rebuilding a small model needs only the cpu backend.
    if (!this.kit) await useBackend('cpu');
    const { bytes, filename } = await exportVariantOnnx(await this.store(), runId);
    return { bytes, filename };
  }

  /** One operation at a time: two would fight over the tfjs backend and the base model. */
  private async exclusive<T>(f: () => Promise<T>): Promise<T> {
    if (this.busy) throw new Error('The compression worker is busy with another run; wait for it or press Stop.');
    this.busy = true;
    this.stopped = false;
    try {
      return await f();
    } finally {
      this.busy = false;
      this.stopped = false;
    }
  }
}

function candidate(r: RunRecord): BaseCandidate {
  const c = r.params as unknown as TrainConfig;
  return { runId: r.id, name: r.name ?? r.id.slice(-6), model: c.model, testAcc: r.final?.testAcc ?? NaN, epochs: r.epochsDone, createdAt: r.createdAt };
}

/** The one stored size of every variant (compress/labs/weights.ts). */
export { storedBytes };
