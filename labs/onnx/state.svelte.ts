import type { RunRecord } from '../../src/lib/store/types';
import { describeOnnx, type OnnxDescription } from '../../src/lib/onnx/describe';
import { compareOutputs, type OutputDiff } from '../../src/lib/serve/compare';
import type { ExecutionProvider, GraphOptimizationLevel, LoadResult } from '../../src/lib/serve/infer';
import { InferClient } from '../serve-kit/client';
import { ModelSourceClient, type ExportedModel } from '../serve-kit/models';
import { meta, type OnnxRunParams } from './lab';
import type { Message } from '../../src/app/messages';
import { ServePageState } from '../serve-kit/page-state.svelte';

export type Phase = 'starting' | 'ready' | 'busy';
export type { Message };
export type Weights = 'float32' | 'int8';

export interface LatencySettings { ep: ExecutionProvider; level: GraphOptimizationLevel; weights: Weights; batch: number; iterations: number }
export interface LatencyRow extends LatencySettings { usedEp: ExecutionProvider; medianMs: number; p95Ms: number; loadMs: number; fallback?: string; adapter?: string; runsPerSample: number }
export interface Verification { load: LoadResult; diff: OutputDiff; int8: OutputDiff; images: number }
export interface OwnFile { name: string; bytes: number; graph?: OnnxDescription; load?: LoadResult; error?: string }

export const LEVELS: GraphOptimizationLevel[] = ['disabled', 'basic', 'extended', 'all'];

/** State of the ONNX lab: the exported model, its graph, checks, timings, and the learner's own file. */
export class OnnxLabState extends ServePageState {
  phase = $state<Phase>('starting');
  status = $state('');
  model = $state.raw<ExportedModel | null>(null);
  graph = $state.raw<OnnxDescription | null>(null);
  int8Graph = $state.raw<OnnxDescription | null>(null);
  verification = $state.raw<Verification | null>(null);
  latency = $state.raw<LatencyRow[]>([]);
  own = $state.raw<OwnFile | null>(null);

  /** Public so the browser tests and the benchmark can drive the worker directly. */
  readonly infer = new InferClient('prodlab-onnx');
  readonly source = new ModelSourceClient();

  constructor() {
    super(meta);
  }

  async init(): Promise<void> {
    await this.openRuns();
    await this.exportModel();
  }

  protected override listed(runs: RunRecord[]): RunRecord[] {
    return runs.filter((r) => (r.params as { kind?: string }).kind);
  }

  /** Runs `work` with the page marked busy; a failure becomes a message, never a broken page. */
  private async busy(what: string, work: () => Promise<void>): Promise<void> {
    if (this.phase === 'busy') return;
    this.phase = 'busy';
    this.status = what;
    try {
      await work();
    } catch (e) {
      this.note('error', (e as Error).message);
    } finally {
      this.phase = 'ready';
      this.status = '';
    }
  }

  exportModel(): Promise<void> {
    return this.busy('Exporting your model…', async () => {
      const m = await this.source.prepare(16, (s) => (this.status = s));
      this.model = m;
      this.graph = describeOnnx(m.float32);
      this.int8Graph = describeOnnx(m.int8);
      this.note('ok', `Exported “${m.origin.label}” to ONNX: ${this.graph.nodes.length} nodes, ${this.graph.parameterCount.toLocaleString('en')} parameters.`);
    });
  }

  download(weights: Weights): void {
    const m = this.model;
    if (!m) return;
    const blob = new Blob([(weights === 'int8' ? m.int8 : m.float32) as BlobPart], { type: 'application/octet-stream' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `prodlab-${m.origin.model}-${weights}.onnx`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }

  private save(params: OnnxRunParams, backend: string, durationMs: number): Promise<void> {
    return this.saveRun({ params: params as unknown as Record<string, unknown>, seed: 0, dataHash: this.model?.origin.runId ?? 'own-file', backend, durationMs });
  }


  /** Loads the float32 export in the inference worker and compares its outputs with tfjs's on the test images. */
  verify(ep: ExecutionProvider = 'wasm', level: GraphOptimizationLevel = 'all'): Promise<void> {
    return this.busy('Loading the ONNX model and running the test images…', async () => {
      const m = this.model;
      if (!m) throw new Error('Export the model first.');
      const t0 = performance.now();
      const dims = [m.sample.n, ...m.inputShape];
      const load = await this.infer.load(m.float32, { ep, graphOptimizationLevel: level });
      const out = await this.infer.run(m.sample.pixels, dims);
      const diff = compareOutputs(out.output, m.sample.tfjs, 10);
      // The int8 export, loaded in a throwaway worker the same way, to show what quantisation costs.
      const q = new InferClient('prodlab-onnx-int8');
      const int8 = await q.load(m.int8, { ep, graphOptimizationLevel: level }).then(() => q.run(m.sample.pixels, dims)).finally(() => q.dispose());
      this.verification = { load, diff, int8: compareOutputs(int8.output, m.sample.tfjs, 10), images: m.sample.n };
      await this.save({ kind: 'verify', ep: load.ep, level, images: m.sample.n, maxAbsDiff: diff.maxAbsDiff, agree: diff.agree, source: m.origin.label }, load.ep, performance.now() - t0);
      if (load.fallback) this.note('warn', load.fallback);
    });
  }

  /** Times one configuration in a disposable worker and adds it to the latency table (and the saved runs). */
  benchmark(s: LatencySettings): Promise<void> {
    return this.busy(`Timing ${s.weights} on ${s.ep}, optimisation ${s.level}, batch ${s.batch}…`, async () => {
      const m = this.model;
      if (!m) throw new Error('Export the model first.');
      const t0 = performance.now();
      const r = await this.infer.benchmark(s.weights === 'int8' ? m.int8 : m.float32, { ep: s.ep, graphOptimizationLevel: s.level }, { batch: s.batch, iterations: s.iterations, warmup: Math.min(10, s.iterations) });
      this.latency = [...this.latency, { ...s, usedEp: r.ep, medianMs: r.medianMs, p95Ms: r.p95Ms, loadMs: r.loadMs, fallback: r.fallback, adapter: r.adapter, runsPerSample: r.runsPerSample }];
      await this.save({ kind: 'latency', requestedEp: s.ep, ep: r.ep, level: s.level, weights: s.weights, batch: s.batch, medianMs: r.medianMs, p95Ms: r.p95Ms, loadMs: r.loadMs, fallback: r.fallback }, r.ep, performance.now() - t0);
    });
  }

  /** Every optimisation level on wasm, then WebGPU at level all: the comparison table in one go. */
  async compareAll(base: Omit<LatencySettings, 'ep' | 'level'>): Promise<void> {
    for (const level of LEVELS) await this.benchmark({ ...base, ep: 'wasm', level });
    await this.benchmark({ ...base, ep: 'webgpu', level: 'all' });
  }

  /** The learner's own .onnx: described, then loaded in a fresh worker; any failure is a message and nothing else changes. */
  loadOwn(file: File): Promise<void> {
    return this.busy(`Reading ${file.name}…`, async () => {
      const t0 = performance.now();
      const bytes = new Uint8Array(await file.arrayBuffer());
      const own: OwnFile = { name: file.name, bytes: bytes.length };
      const probe = new InferClient('prodlab-onnx-own');
      try {
        own.load = await probe.load(bytes, { ep: 'wasm' });
        own.graph = describeOnnx(bytes);
      } catch (e) {
        own.error = (e as Error).message;
      } finally {
        probe.dispose();
      }
      this.own = own;
      if (own.error) this.note('error', `${file.name}: ${own.error}`);
      else this.note('ok', `${file.name} loads: ${own.graph!.nodes.length} nodes, ${own.graph!.parameterCount.toLocaleString('en')} parameters.`);
      await this.save({ kind: 'own-file', file: file.name, bytes: bytes.length, ok: !own.error, message: own.error ?? 'loaded' }, 'wasm', performance.now() - t0);
    });
  }

  dispose(): void {
    this.infer.dispose();
    this.source.dispose();
  }
}
