import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { validateConfig, type BackendName, type TrainConfig } from './config';
import { buildModel, buildOptimizer, inputShape } from './models';
import { confusionMatrix, evaluate } from './step';
import { floatPixels, subsetIndices, updatesPerEpoch } from './batches';
import { DivergedError, fitEpochs } from './loop';
import { isStopped, StoppedError } from '../core/task';
import { restore, snapshot } from './checkpoint';
import { calibrationReport, perturb, type RobustnessReport } from './diagnostics';
import { deriveSeed } from '../core/rng';
import { useBackend, resetBackend, webgpuDevice } from '../runtime/engine';
import type { Checkpoint, MetricPoint, RunRecord } from '../store/types';

export type { MetricPoint };

import type { ImageSet } from '../data/fashion';

export type { ImageSet };
export { epochOrder, floatPixels, microBatch, subsetIndices, updateAndRead, updatesPerEpoch } from './batches';
export { restore, snapshot } from './checkpoint';
export interface TrainData { train: ImageSet; val: ImageSet; test: ImageSet; hash: string }

/** Where a run is saved as it happens (IndexedDB in the browser, memory in tests). */
export interface RunSink {
  putRun(run: RunRecord): Promise<void>;
  appendMetrics(runId: string, points: MetricPoint[]): Promise<void>;
  putCheckpoint(cp: Checkpoint): Promise<void>;
  /** Record and checkpoint in one transaction (the store's commit); without it they are two writes, checkpoint last. */
  commit?(c: { run: RunRecord; points?: readonly MetricPoint[]; checkpoint?: Checkpoint }): Promise<void>;
}

export type TrainEvent =
  | { type: 'status'; message: string }
  | ({ type: 'step'; samplesPerSec: number; etaMs: number; progress: number } & MetricPoint)
  | { type: 'epoch'; epoch: number; valLoss: number; valAcc: number; timeMs: number }
  | { type: 'checkpoint'; epoch: number; step: number }
  | { type: 'device-lost'; message: string; from: BackendName; to: BackendName; resumeEpoch: number }
  | { type: 'storage-error'; message: string }
  | { type: 'done'; run: RunRecord; gallery: Gallery };

/** Misclassified test images for the gallery: k x 784 bytes with their true and predicted labels. */
export interface Gallery { images: Uint8Array; labels: number[]; predicted: number[]; indices: number[] }

export interface RunOptions {
  runId: string;
  backend: BackendName;
  /** Continue this run from its checkpoint instead of starting afresh. */
  resume?: { run: RunRecord; checkpoint: Checkpoint };
  /** Where to go when the WebGPU device is lost (default wasm). */
  fallback?: BackendName;
  appVersion?: string;
  lab?: string;
  /** A learner-given label for the run table. */
  name?: string;
}

export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
}

const GALLERY_SIZE = 24;

/**
 * Curve points written together (one IndexedDB transaction per point let the store fall epochs
 * behind training); the rest go with the epoch's checkpoint commit.
 */
const POINTS_PER_WRITE = 50;

interface Tensors { valX: tf.Tensor; valY: tf.Tensor1D; testX: tf.Tensor; testY: tf.Tensor1D }

/**
 * The training service: one per worker. Runs one training run at a time with pause, resume and
 * stop, saving metrics per update and a checkpoint per epoch through a RunSink, and moving to a
 * CPU backend from the last checkpoint if the WebGPU device is lost.
 */
export class Trainer {
  private data?: TrainData;
  private paused = false;
  private stopped = false;
  private resumeGate?: { promise: Promise<void>; resolve: () => void };
  private lost?: string;
  private busy = false;
  private writes: Promise<void> = Promise.resolve();

  constructor(private sink: RunSink) {}

  setData(data: TrainData): void {
    this.data = data;
  }

  get running(): boolean {
    return this.busy;
  }

  pause(): void {
    if (!this.busy || this.paused) return;
    this.paused = true;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.resumeGate = { promise, resolve };
  }

  resume(): void {
    this.paused = false;
    this.resumeGate?.resolve();
    this.resumeGate = undefined;
  }

  stop(): void {
    this.stopped = true;
    this.resume();
  }

  /** For the lab's "what if the GPU goes away" demo and the tests: destroys the WebGPU device. */
  simulateDeviceLoss(): boolean {
    const device = webgpuDevice();
    if (!device) return false;
    device.destroy();
    return true;
  }

  async run(config: TrainConfig, opts: RunOptions, onEvent: (e: TrainEvent) => void): Promise<RunRecord> {
    validateConfig(config);
    if (!this.data) throw new Error('No dataset loaded: the training data must be loaded before a run.');
    if (this.busy) throw new Error('A run is already in progress in this worker.');
    this.busy = true;
    this.paused = false;
    this.stopped = false;
    this.storageFailed = false;
    this.pending = [];
    const started = performance.now();
    let backend = opts.backend;
    const run = opts.resume ? structuredClone(opts.resume.run) : this.newRun(config, opts);
    let checkpoint: Checkpoint | undefined = opts.resume?.checkpoint;
    const priorDuration = run.durationMs;
    try {
      for (;;) {
        try {
          await useBackend(backend);
          run.backend = run.backend && run.backend !== backend && !run.backend.endsWith(backend) ? `${run.backend}→${backend}` : backend;
          this.watchDevice();
          await this.loop(config, run, checkpoint, onEvent, (cp) => (checkpoint = cp), () => priorDuration + performance.now() - started);
          break;
        } catch (e) {
          // A lost device often surfaces first as a failed buffer read; its 'lost' promise settles a moment later.
          if (!(e instanceof DeviceLostError) && !this.lost && !(await this.deviceLostSoon())) throw e;
          const to = opts.fallback ?? 'wasm';
          const message = `The GPU device was lost (${this.lost ?? (e as Error).message}). Training stopped cleanly; continuing from the checkpoint of epoch ${checkpoint?.epoch ?? 0} on ${to}.`;
          onEvent({ type: 'device-lost', message, from: backend, to, resumeEpoch: checkpoint?.epoch ?? 0 });
          resetBackend(backend);
          this.lost = undefined;
          backend = to;
          run.statusMessage = message;
          // Metrics after the checkpoint were computed on a device that is gone: drop them.
          truncateMetrics(run, checkpoint?.step ?? 0);
          this.pending = [];
          this.saveRecord(run, onEvent);
        }
      }
      run.durationMs = priorDuration + performance.now() - started;
      run.updatedAt = Date.now();
      // 'done' only when everything it claims is stored: after a failed write the stored record stays
      // the last consistent one (status 'running', resumed from its checkpoint after a reload).
      this.saveRecord(run, onEvent, undefined, { unlessFailed: run.status === 'done' });
      await this.writes;
      return run;
    } catch (e) {
      run.status = 'failed';
      run.statusMessage = (e as Error).message;
      run.updatedAt = Date.now();
      this.saveRecord(run, onEvent);
      await this.writes;
      throw e;
    } finally {
      this.busy = false;
    }
  }

  private newRun(config: TrainConfig, opts: RunOptions): RunRecord {
    const now = Date.now();
    return {
      id: opts.runId,
      lab: opts.lab ?? 'train',
      ...(opts.name ? { name: opts.name } : {}),
      params: { ...config },
      seed: config.seed,
      dataHash: this.data!.hash,
      backend: opts.backend,
      appVersion: opts.appVersion ?? 'dev',
      status: 'running',
      createdAt: now,
      updatedAt: now,
      durationMs: 0,
      epochsDone: 0,
      stepsDone: 0,
      metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] },
      epochMetrics: [],
    };
  }

  private device?: GPUDevice;

  private watchDevice(): void {
    const device = webgpuDevice();
    this.device = device;
    if (!device) return;
    device.lost.then((info) => {
      this.lost = info.message || `reason: ${info.reason}`;
    });
  }

  /** After an error on webgpu: was it the device going away? Waits up to a second for device.lost. */
  private async deviceLostSoon(): Promise<boolean> {
    if (!this.device) return false;
    const lost = await Promise.race([this.device.lost.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1000))]);
    return lost;
  }

  /**
   * Queue a write after the previous ones. A failed write is reported once per run (a full disk fails
   * every later write too) and is never fatal to training: the run goes on in memory.
   */
  private save(write: () => Promise<void>, onEvent: (e: TrainEvent) => void): void {
    this.writes = this.writes.then(write).catch((e: Error) => {
      if (this.storageFailed) return;
      this.storageFailed = true;
      onEvent({ type: 'storage-error', message: e.message });
    });
  }

  private storageFailed = false;

  /**
   * Queue a write of the record as it is NOW (a copy: a queued write of the live object would store
   * fields that ran ahead of its checkpoint, e.g. epoch 6 beside the weights of epoch 1), with the
   * checkpoint of those weights in the same transaction where the sink can.
   */
  private saveRecord(run: RunRecord, onEvent: (e: TrainEvent) => void, cp?: Checkpoint, opts: { unlessFailed?: boolean } = {}): void {
    const snap = structuredClone(run);
    // A whole record carries its whole curve; with a checkpoint, the buffered points go in the same commit.
    const points = this.pending;
    this.pending = [];
    this.save(() => {
      if (opts.unlessFailed && this.storageFailed) return Promise.resolve();
      if (!cp) return this.sink.putRun(snap);
      if (this.sink.commit) return this.sink.commit({ run: snap, points, checkpoint: cp });
      return (points.length ? this.sink.appendMetrics(snap.id, points) : Promise.resolve()).then(() => this.sink.putRun(snap)).then(() => this.sink.putCheckpoint(cp));
    }, onEvent);
  }

  /** Per-update points not yet written: written every POINTS_PER_WRITE updates, or with the next record. */
  private pending: MetricPoint[] = [];

  private bufferPoint(runId: string, point: MetricPoint, onEvent: (e: TrainEvent) => void): void {
    this.pending.push(point);
    if (this.pending.length < POINTS_PER_WRITE) return;
    const points = this.pending;
    this.pending = [];
    this.save(() => this.sink.appendMetrics(runId, points), onEvent);
  }

  private makeTensors(kind: TrainConfig['model']): Tensors {
    const d = this.data!;
    const shape = inputShape(kind);
    const toX = (set: ImageSet) => tf.tensor(floatPixels(set), [set.n, ...shape]);
    const toY = (set: ImageSet) => tf.tensor1d(Int32Array.from(set.labels), 'int32');
    return { valX: toX(d.val), valY: toY(d.val), testX: toX(d.test), testY: toY(d.test) };
  }


  /** One attempt at the run on the current backend: restore or start, the epochs (ml/loop.ts fitEpochs), the final scores. */
  private async loop(
    config: TrainConfig,
    run: RunRecord,
    from: Checkpoint | undefined,
    onEvent: (e: TrainEvent) => void,
    onCheckpoint: (cp: Checkpoint) => void,
    elapsed: () => number,
  ): Promise<void> {
    const model = buildModel(config.model, config.seed);
    const optimizer = buildOptimizer(config.optimizer, config.learningRate);
    const t = this.makeTensors(config.model);
    try {
      const startEpoch = await this.start(run, model, optimizer, from, onEvent, onCheckpoint);
      try {
        await this.epochs(config, run, model, optimizer, t, startEpoch, onEvent, onCheckpoint, elapsed);
      } catch (e) {
        if (isStopped(e)) return this.finishStopped(run);
        if (!(e instanceof DivergedError)) throw e;
        run.status = 'failed';
        run.statusMessage = `Diverged at update ${e.step}: the loss became ${e.loss}. The learning rate is too large for these settings.`;
        run.durationMs = elapsed();
        return;
      }
      await this.finish(config, run, model, t, onEvent, elapsed);
    } finally {
      model.dispose();
      optimizer.dispose();
      tf.dispose(Object.values(t));
    }
  }

  /** Restore the checkpoint `from` (dropping metrics after it), or save the untrained weights as epoch 0. Returns the first epoch to run. */
  private async start(run: RunRecord, model: tfl.LayersModel, optimizer: tf.Optimizer, from: Checkpoint | undefined, onEvent: (e: TrainEvent) => void, onCheckpoint: (cp: Checkpoint) => void): Promise<number> {
    let startEpoch = 0;
    if (from) {
      await restore(model, optimizer, from);
      startEpoch = from.epoch;
      truncateMetrics(run, from.step);
      run.epochMetrics = run.epochMetrics.filter((m) => m.epoch <= startEpoch);
    } else {
      onCheckpoint(await this.checkpoint(run, model, optimizer, 0, 0, onEvent));
    }
    run.status = 'running';
    this.saveRecord(run, onEvent);
    return startEpoch;
  }

  /** The epochs from `startEpoch`: metrics and a 'step' event per update, validation and a checkpoint per epoch. */
  private async epochs(
    config: TrainConfig, run: RunRecord, model: tfl.LayersModel, optimizer: tf.Optimizer, t: Tensors, startEpoch: number,
    onEvent: (e: TrainEvent) => void, onCheckpoint: (cp: Checkpoint) => void, elapsed: () => number,
  ): Promise<void> {
    const train = this.data!.train;
    const speed = new Throughput();
    let epochStart = performance.now();
    await fitEpochs(model, { pixels: floatPixels(train), labels: train.labels, n: train.n }, inputShape(config.model), {
      epochs: config.epochs, batchSize: config.batchSize, accumSteps: config.accumSteps, seed: config.seed, optimizer, startEpoch,
      subset: subsetIndices(train.n, config.trainSize, config.seed),
      beforeUpdate: async () => {
        await this.gate();
        if (this.stopped) throw new StoppedError();
        speed.begin();
      },
      onStep: (s) => {
        if (this.lost) throw new DeviceLostError(this.lost);
        const point: MetricPoint = { step: s.step, epoch: s.epoch, trainLoss: s.loss, trainAcc: s.correct / s.examples };
        pushMetric(run, point);
        run.stepsDone = s.step;
        this.bufferPoint(run.id, point, onEvent);
        const { samplesPerSec, msPerUpdate } = speed.end(s.examples);
        const total = updatesPerEpoch(config) * config.epochs;
        onEvent({ type: 'step', ...point, samplesPerSec, etaMs: (total - s.step) * msPerUpdate, progress: s.step / total });
      },
      onEpoch: async (epoch) => {
        const val = await evaluate(model, t.valX, t.valY);
        if (this.lost) throw new DeviceLostError(this.lost);
        const em = { epoch, valLoss: val.loss, valAcc: val.accuracy, timeMs: performance.now() - epochStart };
        run.epochMetrics.push(em);
        run.epochsDone = epoch;
        run.durationMs = elapsed();
        run.updatedAt = Date.now();
        onEvent({ type: 'epoch', ...em });
        onCheckpoint(await this.checkpoint(run, model, optimizer, epoch, run.stepsDone, onEvent));
        // Backpressure: this epoch's record, curve and checkpoint are stored before the next epoch
        // starts, so a reload or a crash costs at most the epoch in progress.
        await this.writes;
        if (this.lost) throw new DeviceLostError(this.lost);
        epochStart = performance.now();
      },
    });
  }

  /** Test and validation scores, calibration and robustness of the trained model: the run is done. */
  private async finish(config: TrainConfig, run: RunRecord, model: tfl.LayersModel, t: Tensors, onEvent: (e: TrainEvent) => void, elapsed: () => number): Promise<void> {
    const test = await evaluate(model, t.testX, t.testY);
    const val = await evaluate(model, t.valX, t.valY);
    const robustness = await this.robustness(model, t.testY, inputShape(config.model), test.accuracy, config.seed);
    if (this.lost) throw new DeviceLostError(this.lost);
    run.final = {
      testAcc: test.accuracy,
      testLoss: test.loss,
      confusion: confusionMatrix(this.data!.test.labels, test.predicted),
      calibration: calibrationReport(val.logits, this.data!.val.labels, test.logits, this.data!.test.labels),
      robustness,
    };
    run.status = 'done';
    run.durationMs = elapsed();
    run.updatedAt = Date.now();
    const gallery = makeGallery(this.data!.test, test.predicted);
    onEvent({ type: 'done', run: structuredClone(run), gallery });
  }

  /** Test accuracy on noisy, occluded and shifted copies of the test images (seeded by the run). */
  private async robustness(model: tfl.LayersModel, y: tf.Tensor1D, shape: number[], clean: number, seed: number): Promise<RobustnessReport> {
    const pixels = floatPixels(this.data!.test);
    const out: RobustnessReport = { clean, noise: 0, occlusion: 0, shift: 0 };
    for (const kind of ['noise', 'occlusion', 'shift'] as const) {
      const x = tf.tensor(perturb(pixels, kind, deriveSeed(seed, 2000)), [this.data!.test.n, ...shape]);
      try {
        out[kind] = (await evaluate(model, x, y)).accuracy;
      } finally {
        x.dispose();
      }
    }
    return out;
  }

  private finishStopped(run: RunRecord): void {
    run.status = 'stopped';
    run.statusMessage = `Stopped by you after ${run.stepsDone} updates (${run.epochsDone} full epochs).`;
  }

  private async gate(): Promise<void> {
    while (this.paused && this.resumeGate) await this.resumeGate.promise;
  }

  private async checkpoint(run: RunRecord, model: tfl.LayersModel, optimizer: tf.Optimizer, epoch: number, step: number, onEvent: (e: TrainEvent) => void): Promise<Checkpoint> {
    const cp = await snapshot(run.id, model, optimizer, epoch, step);
    this.saveRecord(run, onEvent, cp);
    onEvent({ type: 'checkpoint', epoch, step });
    return cp;
  }
}

function pushMetric(run: RunRecord, p: MetricPoint): void {
  run.metrics.step.push(p.step);
  run.metrics.epoch.push(p.epoch);
  run.metrics.trainLoss.push(p.trainLoss);
  run.metrics.trainAcc.push(p.trainAcc);
}

function truncateMetrics(run: RunRecord, step: number): void {
  let n = 0;
  while (n < run.metrics.step.length && run.metrics.step[n] <= step) n++;
  for (const key of ['step', 'epoch', 'trainLoss', 'trainAcc'] as const) run.metrics[key] = run.metrics[key].slice(0, n);
  run.stepsDone = step;
}

function makeGallery(test: ImageSet, predicted: Int32Array): Gallery {
  const indices: number[] = [];
  for (let i = 0; i < test.n && indices.length < GALLERY_SIZE; i++) if (predicted[i] !== test.labels[i]) indices.push(i);
  const images = new Uint8Array(indices.length * 784);
  indices.forEach((idx, j) => images.set(test.images.subarray(idx * 784, (idx + 1) * 784), j * 784));
  return { images, labels: indices.map((i) => test.labels[i]), predicted: indices.map((i) => predicted[i]), indices };
}

/** Samples per second over the last 2 s of updates, and a smoothed time per update (for the ETA). */
class Throughput {
  private window: { t: number; n: number }[] = [];
  private t0 = 0;
  private ms = 0;

  begin(): void {
    this.t0 = performance.now();
  }

  end(examples: number): { samplesPerSec: number; msPerUpdate: number } {
    const now = performance.now();
    this.window.push({ t: now, n: examples });
    this.window = this.window.filter((w) => now - w.t < 2000);
    const span = Math.max(now - (this.window.length > 1 ? this.window[0].t : this.t0), 1);
    const samples = this.window.length > 1 ? this.window.slice(1).reduce((s, w) => s + w.n, 0) : examples;
    this.ms = this.ms === 0 ? now - this.t0 : 0.9 * this.ms + 0.1 * (now - this.t0);
    return { samplesPerSec: (samples / span) * 1000, msPerUpdate: this.ms };
  }
}
