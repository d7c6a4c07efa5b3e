/**
 * The page's handle on the compression service of the TensorFlow.js engine (workers/tf.ts), the one client of every
 * compression lab (prune, lowrank, quantize, distill, tradeoff).
 *
 * The worker API (CompressApi, src/lib/compress/service.ts), in the order a lab calls it:
 *   init({ datasetUrl, backend? })  → KitStatus { decision, dataset, storageProblem? }
 *       loads Fashion-MNIST (train/val/test as the training lab splits it) and starts tfjs on the
 *       backend the app's chooser picks ('auto': webgpu on a hardware GPU, else wasm).
 *   bases()                          → BaseCandidate[]  finished training-lab runs on this dataset
 *   loadBase({ runId?, useDefault? }, onProgress) → BaseInfo   that run, else the newest, else the
 *       default MLP (compress/base.ts DEFAULT_BASE) trained once and saved as a training-lab run; also records the base
 *       as a 'baseline' variant (lab 'compress-base') so the trade-off view plots it.
 *   run(lab, settings, onProgress)   → the experiment's result (src/lib/compress/experiments/):
 *       'prune' → PruneOutcome, 'lowrank' → LowRankOutcome, 'quantize' → QuantizeOutcome,
 *       'distill' → DistillOutcome. Experiments save their variants.
 *   stop()                           abandons a run between two updates ("Stopped by you.").
 *   exportVariant(runId)             → { bytes, filename } the variant rebuilt and exported to ONNX.
 * Inside the worker an experiment composes the kit (ExperimentContext, src/lib/compress/service.ts):
 * kit.evaluate(model), kit.latency(model) / kit.latencies(models) (round-robin), kit.train(model,
 * { epochs, masks?, loss?, learningRate?, trainSize?, seed? }) (ml/loop.ts fitEpochs), kit.fineTune(model, epochs,
 * { masks }), ctx.measure(model) / ctx.measureAll(models), ctx.save(model, measured, { technique,
 * description, bytes?, exportWeights?, parentRunId? }, { name?, curve?, settings? }), ctx.progress,
 * ctx.checkStop. A new compression lab adds its experiment to EXPERIMENTS (experiments/index.ts).
 *
 * If the worker dies, the call in flight rejects with a message and the next call starts a fresh
 * worker (which must be init()-ed again: `fresh` says so): the kit's EngineClient, through openTf.
 */
import type * as Comlink from 'comlink';
import type { BackendChoice } from '../../src/lib/ml/config';
import type { BaseCandidate, BaseInfo, CompressApi, KitStatus, Progress } from '../../src/lib/compress/service';
import type { ExperimentId, ExperimentResult, ExperimentSettings } from '../../src/lib/compress/experiments';
import { openTf, type TfClient } from '../kit/tf-client';
import { proxy } from '../kit/client';

export class CompressClient {
  private readonly engine: TfClient;
  /** True once init() succeeded on the current worker. */
  private initialised = false;

  constructor() {
    // A fresh worker (the first, or one after a crash) must be init()-ed again.
    this.engine = openTf('compression worker', { service: 'compress', onFresh: async () => void (this.initialised = false) });
  }

  /** True until init() succeeds on the current worker (none yet, or a fresh one after a crash). */
  get fresh(): boolean {
    return this.engine.fresh || !this.initialised;
  }

  private call<T>(f: (api: Comlink.Remote<CompressApi>) => Promise<T>): Promise<T> {
    return this.engine.call((api) => f(api.compress));
  }

  async init(datasetUrl: string, backend: BackendChoice = 'auto'): Promise<KitStatus> {
    const status = await this.call((api) => api.init({ datasetUrl, backend }));
    this.initialised = true;
    return status;
  }

  bases(): Promise<BaseCandidate[]> {
    return this.call((api) => api.bases());
  }

  loadBase(runId: string | undefined, onProgress: (p: Progress) => void): Promise<BaseInfo> {
    return this.call((api) => api.loadBase(runId ? { runId } : {}, proxy(onProgress)));
  }

  run<K extends ExperimentId>(lab: K, settings: ExperimentSettings<K>, onProgress: (p: Progress) => void): Promise<ExperimentResult<K>> {
    return this.call((api) => api.run(lab, settings, proxy(onProgress)) as Promise<ExperimentResult<K>>);
  }

  stop(): void {
    this.engine.signal((api) => api.compress.stop());
  }

  exportVariant(runId: string): Promise<{ bytes: Uint8Array; filename: string }> {
    return this.call((api) => api.exportVariant(runId));
  }

  /** The failure drill and the tests: end the worker as the browser would under memory pressure. */
  kill(): void {
    this.engine.kill();
  }

  dispose(): void {
    this.engine.dispose();
  }
}

/** Offer bytes as a file download. */
export function downloadBytes(bytes: Uint8Array, filename: string, type = 'application/octet-stream'): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: filename });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
