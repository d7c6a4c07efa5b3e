/**
 * The TensorFlow.js engine: every lab that runs tfjs (training, pruning, low-rank, the trade-off
 * view, quantization, distillation, ONNX export and the serving labs' model source) in one worker
 * (workers/tf.ts), so the built site holds tfjs-core and each tfjs backend once, not once per lab
 * family. Lifecycle, as the sim engine's:
 *
 *   check() → load(service) → the service's calls → interrupt()
 *
 * The labs' services are reached by name (engine.train, engine.compress, engine.onnx); comlink follows the property path, so a page calls `remote.train.start(…)`. Each is
 * created on first use and kept for the worker's life; all share the one tfjs backend, chosen by
 * runtime/engine's useBackend. interrupt() stops whatever is running, in whichever service.
 *
 * Results that carry large typed arrays (ONNX files, test pixels) are handed to `transfer`, which
 * the worker sets to Comlink.transfer so their buffers move rather than copy; direct callers
 * (tests, benchmarks) keep the identity.
 */
import type { Capabilities } from '../runtime/choose';
import { detectCapabilities, type EngineOptions } from '../runtime/engine';
import { TrainService } from '../ml/service';
import { CompressService, type KitStore } from '../compress/service';
import type { ExperimentId, ExperimentResult, ExperimentSettings } from '../compress/experiments';
import type { QuantizeOutcome } from '../compress/experiments/quantize';
import type { Progress } from '../core/task';
import { ModelSource, type PrepareOptions } from '../serve/model-source';
import { LmService } from './lm';

/** Mark a value's buffers for transfer across the worker boundary (Comlink.transfer in the worker). */
export type Transfer = <T>(value: T, buffers: ArrayBuffer[]) => T;

export interface TfEngineOptions {
  /** Where the wasm backend finds its binaries (the worker passes Vite's asset URLs). */
  engine?: EngineOptions;
  /** Recorded with every saved run. */
  appVersion?: string;
  /** IndexedDB database name for the training and export services (tests isolate runs with it). */
  storeName?: string;
  /** A store for the compression service instead of IndexedDB (tests pass a memory store). */
  compressStore?: KitStore;
  transfer?: Transfer;
}

/** The services of the engine, by the name a page calls them with. */
export interface TfServices {
  /** The training lab (ml/service.ts): start, resume, pause, stop, device loss, benchmark. */
  train: TrainService;
  /** Every compression lab (compress/service.ts): base model; prune, low-rank, quantize and distill experiments; ONNX export of variants. */
  compress: CompressService;
  /** The ONNX and serving labs' model (serve/model-source.ts): the learner's run exported to ONNX. */
  onnx: ModelSource;
  /** The language-model labs (engines/lm.ts): a tiny GPT trained, sampled and decoded with a KV cache. */
  lm: LmService;
}

export type TfServiceName = keyof TfServices;
export const TF_SERVICES: readonly TfServiceName[] = ['train', 'compress', 'onnx', 'lm'];

/** What the page sees of the engine (through comlink: every method returns a promise). */
export interface TfEngineApi extends TfServices {
  /** What this device can run (WebGPU adapter, wasm SIMD/threads), and the engine's services. */
  check(): Promise<{ engine: 'tf'; services: TfServiceName[]; capabilities: Capabilities }>;
  /** Create a service ahead of its first call (its calls do it too). */
  load(service: TfServiceName): Promise<void>;
  /** Training-lab signals to a running run: pause, resume, or the device-loss drill (true when a run took it). */
  signal(kind: 'pause' | 'resume' | 'device-loss'): Promise<boolean>;
  /** Stop whatever is running (between two updates): the run ends with its service's stop message. */
  interrupt(): void;
}

const identity: Transfer = (value) => value;

export class TfEngine implements TfEngineApi {
  private readonly made: Partial<TfServices> = {};
  private caps?: Promise<Capabilities>;

  constructor(private readonly opts: TfEngineOptions = {}) {}

  async check(): Promise<{ engine: 'tf'; services: TfServiceName[]; capabilities: Capabilities }> {
    this.caps ??= detectCapabilities();
    return { engine: 'tf', services: [...TF_SERVICES], capabilities: await this.caps };
  }

  async load(service: TfServiceName): Promise<void> {
    if (!TF_SERVICES.includes(service)) throw new Error(`The TensorFlow.js engine has no service '${String(service)}'.`);
    void this[service];
  }

  get train(): TrainService {
    return (this.made.train ??= new TrainService(this.opts.engine, this.opts.appVersion, this.opts.storeName));
  }

  get compress(): CompressService {
    return (this.made.compress ??= new TfCompressService(this.mark, this.opts.engine, this.opts.appVersion, this.opts.compressStore));
  }

  get onnx(): ModelSource {
    return (this.made.onnx ??= new TfModelSource(this.mark, this.opts.engine, this.opts.appVersion, this.opts.storeName));
  }

  get lm(): LmService {
    return (this.made.lm ??= new LmService(this.opts.engine));
  }

  async signal(kind: 'pause' | 'resume' | 'device-loss'): Promise<boolean> {
    const t = this.made.train;
    if (!t) return false;
    if (kind === 'pause') t.pause();
    else if (kind === 'resume') t.resume();
    else return t.simulateDeviceLoss();
    return true;
  }

  interrupt(): void {
    this.made.train?.stop();
    this.made.compress?.stop();
    this.made.lm?.stop();
  }

  private get mark(): Transfer {
    return this.opts.transfer ?? identity;
  }
}

const buffers = (...arrays: ArrayBufferView[]) => arrays.map((a) => a.buffer as ArrayBuffer);

class TfCompressService extends CompressService {
  constructor(private readonly mark: Transfer, ...rest: ConstructorParameters<typeof CompressService>) {
    super(...rest);
  }

  override async exportVariant(runId: string) {
    const out = await super.exportVariant(runId);
    return this.mark(out, buffers(out.bytes));
  }

  override async run<K extends ExperimentId>(lab: K, settings: ExperimentSettings<K>, onProgress?: (p: Progress) => void): Promise<ExperimentResult<K>> {
    const out = await super.run(lab, settings, onProgress);
    if (lab !== 'quantize') return out;
    const q = out as QuantizeOutcome;
    return this.mark(out, buffers(q.result.onnxInt8, q.result.onnxFloat));
  }
}

class TfModelSource extends ModelSource {
  constructor(private readonly mark: Transfer, ...rest: ConstructorParameters<typeof ModelSource>) {
    super(...rest);
  }

  override async prepare(datasetUrl: string, opts: PrepareOptions = {}, onStatus?: (message: string) => void) {
    const out = await super.prepare(datasetUrl, opts, onStatus);
    return this.mark(out, buffers(out.float32, out.int8, out.sample.pixels, out.sample.tfjs));
  }

  override async testPixels(datasetUrl: string, n: number, offset = 0) {
    const out = await super.testPixels(datasetUrl, n, offset);
    return this.mark(out, buffers(out));
  }
}
