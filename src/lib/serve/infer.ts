/**
 * The inference service: one ONNX model in one onnxruntime-web session. Runs unchanged in Node
 * (tests, benchmarks) and in the inference worker (workers/infer.ts), which supplies the runtime
 * module, configured to load its wasm from the site.
 */
import type * as Ort from 'onnxruntime-web';
import { describeOnnx, OnnxFormatError, type OnnxDim } from '../onnx/describe';
import { declaredSize, plainOnnxError } from '../onnx/errors';
import { checkInputDims, InferError, MAX_INPUT_ELEMENTS } from './infer-errors';
import { quantileSorted as quantile } from '../math/quantile';

export { InferError, type InferErrorKind } from './infer-errors';

export type ExecutionProvider = 'wasm' | 'webgpu';
export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

export interface LoadOptions {
  /** Where the graph runs: 'wasm' (CPU, everywhere) or 'webgpu' (GPU, where the browser has a usable adapter). */
  ep?: ExecutionProvider;
  /** How much ORT rewrites the graph before running it (constant folding, node fusions, layout changes). */
  graphOptimizationLevel?: GraphOptimizationLevel;
}

export interface TensorMeta {
  name: string;
  /** Sizes, with a name (e.g. 'batch') for a dimension the model leaves free. */
  dims: OnnxDim[];
  type: string;
}

export interface LoadResult {
  inputs: TensorMeta[];
  outputs: TensorMeta[];
  /** Wall time of InferenceSession.create, ms. */
  loadMs: number;
  /** The execution provider that actually runs the model. */
  ep: ExecutionProvider;
  requestedEp: ExecutionProvider;
  graphOptimizationLevel: GraphOptimizationLevel;
  /** Why the requested provider was not used, when it was not. */
  fallback?: string;
  /** What the WebGPU adapter is, when one was asked for and found. */
  adapter?: string;
}

export interface RunResult {
  output: Float32Array;
  dims: number[];
  /** Wall time of session.run, ms (tensor creation included, transfer to the page not). */
  ms: number;
}

export interface BenchmarkOptions {
  /** Rows per run; inputs are seeded pseudo-random values in [0, 1). */
  batch?: number;
  /** Timed samples. Each sample is the mean of as many back-to-back runs as fill `sampleMs`. */
  iterations?: number;
  /** Shortest time one sample covers, ms (default 2): browsers coarsen performance.now() to 0.1 ms without cross-origin isolation, so one 50 µs run cannot be timed alone. */
  sampleMs?: number;
  /** Untimed runs first (they compile kernels and allocate buffers). */
  warmup?: number;
}

export interface BenchmarkResult {
  medianMs: number;
  p95Ms: number;
  /** Every sample (mean ms per run over its back-to-back runs), in order. */
  samples: number[];
  /** Mean runs per sample. */
  runsPerSample: number;
  batch: number;
  ep: ExecutionProvider;
  graphOptimizationLevel: GraphOptimizationLevel;
  loadMs: number;
  /** Why the requested provider was not used, and what the WebGPU adapter was (from load). */
  fallback?: string;
  adapter?: string;
}

export const INFER_DEFAULTS = { ep: 'wasm' as ExecutionProvider, graphOptimizationLevel: 'all' as GraphOptimizationLevel, batch: 1, iterations: 50, warmup: 5, sampleMs: 2 };
export const BENCH_LIMITS = { batch: [1, 4096], iterations: [1, 10_000], warmup: [0, 1000] } as const;

/** Gives the runtime module for an execution provider (the worker imports a build per provider). */
export type OrtLoader = (ep: ExecutionProvider) => Promise<typeof Ort>;

/** What the WebGPU adapter is, or why there is none, without creating a session. */
export async function webgpuAdapter(): Promise<{ ok: boolean; detail: string }> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return { ok: false, detail: 'this browser exposes no WebGPU (navigator.gpu is missing)' };
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return { ok: false, detail: 'WebGPU exists but gave no adapter' };
  const info = adapter.info;
  const software = info?.architecture === 'swiftshader' || (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return { ok: true, detail: `${info?.vendor || 'unknown vendor'} ${info?.architecture || ''}${software ? ' (a software adapter: emulated on the CPU, expect it slower than wasm)' : ''}`.trim() };
}

const nowMs = () => performance.now();

function meta(m: readonly Ort.InferenceSession.ValueMetadata[], fromFile: Map<string, { dims: OnnxDim[] | null; type: string }>): TensorMeta[] {
  return m.map((v) => {
    const f = fromFile.get(v.name);
    if (v.isTensor) return { name: v.name, dims: [...v.shape] as OnnxDim[], type: v.type };
    return { name: v.name, dims: f?.dims ?? [], type: f?.type ?? 'unknown' };
  });
}

/** Turns an ORT error message into one a learner can act on. */
export function explainOrtError(e: unknown): InferError {
  if (e instanceof InferError) return e;
  const { kind, message } = plainOnnxError((e as Error)?.message ?? String(e));
  return new InferError(kind, message);
}

export class InferService {
  private session?: Ort.InferenceSession;
  private ort?: typeof Ort;
  private info?: LoadResult;
  private inputDims: OnnxDim[] = [];

  constructor(private readonly loadOrt: OrtLoader) {}

  /**
   * Reads the file (a clear message for bytes that are not ONNX), then opens an ORT session on the
   * requested provider. WebGPU that cannot start falls back to wasm and says why in `fallback`.
   * A failed load leaves the model loaded before, if any, in place.
   */
  async load(bytes: Uint8Array, opts: LoadOptions = {}): Promise<LoadResult> {
    const requestedEp = opts.ep ?? INFER_DEFAULTS.ep;
    const level = opts.graphOptimizationLevel ?? INFER_DEFAULTS.graphOptimizationLevel;
    if (!['wasm', 'webgpu'].includes(requestedEp)) throw new InferError('options', `Unknown execution provider "${requestedEp}": use 'wasm' or 'webgpu'.`);
    if (!['disabled', 'basic', 'extended', 'all'].includes(level)) throw new InferError('options', `Unknown graph optimization level "${level}": use disabled, basic, extended or all.`);
    let described;
    try {
      described = describeOnnx(bytes);
    } catch (e) {
      if (e instanceof OnnxFormatError) throw new InferError('format', `${e.message}. Is it a complete .onnx file? A truncated download or a different format gives this.`);
      throw e;
    }
    if (described.inputs.length !== 1) throw new InferError('format', `This service runs models with one input; the file has ${described.inputs.length}.`);
    const input = described.inputs[0];
    const smallest = declaredSize(input.shape);
    if (smallest > MAX_INPUT_ELEMENTS) {
      throw new InferError('shape', `The model declares its input "${input.name.slice(0, 60)}" as [${(input.shape ?? []).map((d) => (typeof d === 'number' ? d : '?')).join(' × ')}], ${smallest.toExponential(2)} values for one request, over the ${MAX_INPUT_ELEMENTS.toLocaleString('en')} this service accepts: it could never be run.`);
    }
    const fromFile = new Map([...described.inputs, ...described.outputs].map((t) => [t.name, { dims: t.shape, type: t.dtype }]));
    let ep = requestedEp;
    let fallback: string | undefined;
    let adapter: string | undefined;
    if (ep === 'webgpu') {
      const a = await webgpuAdapter();
      adapter = a.detail;
      if (!a.ok) {
        fallback = `WebGPU unavailable: ${a.detail}. Running on wasm instead.`;
        ep = 'wasm';
      }
    }
    // The new session opens beside the old one, which is released only once the new one works.
    const t0 = nowMs();
    let opened: { ort: typeof Ort; session: Ort.InferenceSession };
    try {
      opened = await this.open(bytes, ep, level);
    } catch (e) {
      if (ep !== 'webgpu') throw explainOrtError(e);
      fallback = `The WebGPU provider failed to start (${(e as Error).message}). Running on wasm instead.`;
      ep = 'wasm';
      opened = await this.open(bytes, ep, level).catch((e2) => {
        throw explainOrtError(e2);
      });
    }
    const loadMs = nowMs() - t0;
    await this.dispose();
    const session = opened.session;
    this.session = session;
    this.ort = opened.ort;
    this.inputDims = described.inputs[0].shape ?? [];
    this.info = {
      inputs: meta(session.inputMetadata, fromFile),
      outputs: meta(session.outputMetadata, fromFile),
      loadMs,
      ep,
      requestedEp,
      graphOptimizationLevel: level,
      fallback,
      adapter,
    };
    return this.info;
  }

  private async open(bytes: Uint8Array, ep: ExecutionProvider, level: GraphOptimizationLevel): Promise<{ ort: typeof Ort; session: Ort.InferenceSession }> {
    const ort = await this.loadOrt(ep);
    return { ort, session: await ort.InferenceSession.create(bytes, { executionProviders: [ep], graphOptimizationLevel: level }) };
  }

  /** Runs the loaded model on one input of the given dims (checked against the model's declared input first). */
  async run(input: Float32Array, dims: number[]): Promise<RunResult> {
    const session = this.session;
    const ort = this.ort;
    if (!session || !ort || !this.info) throw new InferError('state', 'No model is loaded: call load(bytes) first.');
    checkInputDims(input.length, dims, this.inputDims, this.info.inputs[0].name);
    const t0 = nowMs();
    try {
      const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, dims) });
      const t = out[session.outputNames[0]];
      const data = t.data as Float32Array;
      const output = t.location === 'cpu' || t.location === undefined ? data : ((await t.getData(true)) as Float32Array);
      return { output, dims: [...t.dims], ms: nowMs() - t0 };
    } catch (e) {
      throw explainOrtError(e);
    }
  }

  /** Loads the model, then times `iterations` runs of one batch after `warmup` untimed ones. */
  async benchmark(bytes: Uint8Array, opts: LoadOptions = {}, b: BenchmarkOptions = {}): Promise<BenchmarkResult> {
    const batch = b.batch ?? INFER_DEFAULTS.batch;
    const iterations = b.iterations ?? INFER_DEFAULTS.iterations;
    const warmup = b.warmup ?? INFER_DEFAULTS.warmup;
    for (const [k, v] of Object.entries({ batch, iterations, warmup }) as [keyof typeof BENCH_LIMITS, number][]) {
      const [lo, hi] = BENCH_LIMITS[k];
      if (!Number.isInteger(v) || v < lo || v > hi) throw new InferError('options', `benchmark ${k} must be an integer in [${lo}, ${hi}]; got ${v}.`);
    }
    const info = await this.load(bytes, opts);
    const dims = this.inputDims.map((d, i) => (i === 0 ? batch : typeof d === 'number' ? d : 1));
    const size = dims.reduce((a, c) => a * c, 1);
    if (size > MAX_INPUT_ELEMENTS) throw new InferError('shape', `A batch of ${batch} is ${size} values, over the ${MAX_INPUT_ELEMENTS} this service accepts.`);
    let s = 12345;
    const input = Float32Array.from({ length: size }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32));
    for (let i = 0; i < warmup; i++) await this.run(input, dims);
    // Each sample runs back to back until at least sampleMs has passed, then divides by the runs:
    // with a clock that ticks every 0.1 ms the error is under 0.1 ms / sampleMs.
    const sampleMs = b.sampleMs ?? INFER_DEFAULTS.sampleMs;
    const samples: number[] = [];
    let runs = 0;
    for (let i = 0; i < iterations; i++) {
      const t0 = nowMs();
      let n = 0;
      let t = t0;
      do {
        await this.run(input, dims);
        n++;
        t = nowMs();
      } while (t - t0 < sampleMs);
      samples.push((t - t0) / n);
      runs += n;
    }
    const runsPerSample = runs / iterations;
    const sorted = [...samples].sort((a, c) => a - c);
    return { medianMs: quantile(sorted, 0.5), p95Ms: quantile(sorted, 0.95), samples, runsPerSample, batch, ep: info.ep, graphOptimizationLevel: info.graphOptimizationLevel, loadMs: info.loadMs, fallback: info.fallback, adapter: info.adapter };
  }

  loaded(): LoadResult | undefined {
    return this.info;
  }

  async dispose(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    this.info = undefined;
    await s?.release().catch(() => {});
  }
}
