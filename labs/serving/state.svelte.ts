import { SERVE_DEFAULTS, validateServeSettings, type Fault, type RouteMode, type ServeResult, type ServeSettings, type ServeTick } from '../../src/lib/serve/gateway';
import type { SetupResult } from '../../src/lib/serve/serve-service';
import { decodeParams, encodeParams, type ParamSpec } from '../../src/lib/core/url-state';
import { ServeClient } from '../serve-kit/client';
import { ModelSourceClient, type ExportedModel } from '../serve-kit/models';
import { holds, meta, type ServingRunParams } from './lab';
import type { Message } from '../../src/app/messages';
import { ServePageState } from '../serve-kit/page-state.svelte';

export type Phase = 'starting' | 'ready' | 'busy' | 'running';
export type { Message };

/** One entry of the model registry. */
export interface ModelVersion {
  id: 'v1' | 'v2';
  weights: 'float32' | 'int8';
  fault: Fault;
  bytes: number;
  source: string;
  registeredAt: number;
}

/** The knobs on the page; everything else comes from SERVE_DEFAULTS. */
export interface Knobs {
  qps: number;
  durationS: number;
  maxBatch: number;
  maxWaitMs: number;
  maxQueue: number;
  workersV1: number;
  workersV2: number;
  mode: RouteMode;
  canaryPercent: number;
  maxP99Ms: number;
  maxErrorPercent: number;
  breachMs: number;
  seed: number;
}

export const KNOB_DEFAULTS: Knobs = { qps: 200, durationS: 10, maxBatch: 16, maxWaitMs: 2, maxQueue: 2000, workersV1: 2, workersV2: 1, mode: 'v1', canaryPercent: 10, maxP99Ms: 50, maxErrorPercent: 2, breachMs: 1000, seed: 1 };

const num = { kind: 'number' } as const;
/** The knobs in the page's link, so a link reproduces a load test. */
export const KNOB_PARAMS: ParamSpec<Knobs> = {
  qps: num, durationS: num, maxBatch: num, maxWaitMs: num, maxQueue: num, workersV1: num, workersV2: num,
  mode: { kind: 'string', parse: (r) => (r === 'v1' || r === 'canary' || r === 'shadow' ? r : undefined) },
  canaryPercent: num, maxP99Ms: num, maxErrorPercent: num, breachMs: num, seed: num,
};

/** Rows of the test set the load generator sends. */
const BANK_ROWS = 512;

export function toSettings(k: Knobs): ServeSettings {
  const durationMs = k.durationS * 1000;
  return {
    ...SERVE_DEFAULTS,
    qps: k.qps, durationMs, seed: k.seed, maxBatch: k.maxBatch, maxWaitMs: k.maxWaitMs, maxQueue: k.maxQueue, mode: k.mode, canaryPercent: k.canaryPercent,
    guardrail: { ...SERVE_DEFAULTS.guardrail, maxP99Ms: k.maxP99Ms, maxErrorRate: k.maxErrorPercent / 100, breachMs: k.breachMs },
    // The first third (at most 3 s) is warm-up: queues fill and sessions warm before the steady window.
    warmupMs: Math.min(SERVE_DEFAULTS.warmupMs, Math.floor(durationMs / 3)),
  };
}

export class ServingLabState extends ServePageState {
  phase = $state<Phase>('starting');
  status = $state('');
  model = $state.raw<ExportedModel | null>(null);
  registry = $state.raw<ModelVersion[]>([]);
  knobs = $state<Knobs>({ ...KNOB_DEFAULTS });
  v2Weights = $state<'float32' | 'int8'>('int8');
  v2Fault = $state<Fault>({ delayMs: 0, errorRate: 0 });
  ticks = $state.raw<ServeTick[]>([]);
  result = $state.raw<ServeResult | null>(null);
  setup = $state.raw<SetupResult | null>(null);

  readonly serve = new ServeClient();
  readonly source = new ModelSourceClient();
  private bank?: Float32Array;
  /** What the worker pools were started with, to restart them only when it changes. */
  private poolKey = '';

  constructor(query?: URLSearchParams, private readonly setQuery?: (q: URLSearchParams) => void) {
    super(meta);
    if (query) {
      const { value, warnings } = decodeParams(query, KNOB_DEFAULTS, KNOB_PARAMS);
      this.knobs = value;
      for (const w of warnings) this.note('warn', `Link settings: ${w}`);
    }
  }

  async init(): Promise<void> {
    await this.openRuns();
    this.phase = 'busy';
    try {
      this.status = 'Exporting your model to ONNX…';
      const m = await this.source.prepare(1, (s) => (this.status = s));
      this.bank = await this.source.testPixels(BANK_ROWS);
      this.model = m;
      this.registerV2();
      this.note('ok', `Registered v1: ${m.origin.detail}`);
    } catch (e) {
      this.note('error', `The model could not be prepared: ${(e as Error).message}`);
    } finally {
      this.source.dispose();
      this.status = '';
      this.phase = 'ready';
    }
  }

  /** (Re)registers v2 with the chosen weights and injected fault; v1 is always the float32 export. */
  registerV2(): void {
    const m = this.model;
    if (!m) return;
    const f = $state.snapshot(this.v2Fault);
    if (!(f.delayMs >= 0 && f.delayMs <= 2000) || !(f.errorRate >= 0 && f.errorRate <= 1)) {
      this.note('error', 'Injected delay must be 0–2000 ms and error rate 0–100%.');
      return;
    }
    const now = Date.now();
    const v1 = this.registry.find((v) => v.id === 'v1') ?? { id: 'v1' as const, weights: 'float32' as const, fault: { delayMs: 0, errorRate: 0 }, bytes: m.float32.length, source: m.origin.label, registeredAt: now };
    this.registry = [v1, { id: 'v2', weights: this.v2Weights, fault: f, bytes: (this.v2Weights === 'int8' ? m.int8 : m.float32).length, source: m.origin.label, registeredAt: now }];
  }

  private async ensurePools(k: Knobs): Promise<void> {
    const m = this.model!;
    const v2 = this.registry.find((v) => v.id === 'v2')!;
    const needV2 = k.mode !== 'v1';
    const key = JSON.stringify([k.workersV1, needV2 ? k.workersV2 : 0, needV2 ? v2.weights : '']);
    if (key === this.poolKey && this.setup) return;
    this.status = `Starting ${k.workersV1 + (needV2 ? k.workersV2 : 0)} inference workers…`;
    this.setup = await this.serve.setup(
      { bytes: m.float32, workers: k.workersV1 },
      needV2 ? { bytes: v2.weights === 'int8' ? m.int8 : m.float32, workers: k.workersV2 } : null,
      this.bank!, m.inputShape, 10, { ep: 'wasm', graphOptimizationLevel: 'all' },
    );
    this.poolKey = key;
  }

  /** One load test with the current knobs; saved as a run. Returns the result (also for the benchmark). */
  async run(knobs?: Partial<Knobs>): Promise<ServeResult | null> {
    if (this.phase !== 'ready' || !this.model) return null;
    const k = { ...$state.snapshot(this.knobs), ...knobs };
    const settings = toSettings(k);
    try {
      validateServeSettings(settings);
      if (![k.workersV1, k.workersV2].every((w) => Number.isInteger(w) && w >= 1 && w <= 8)) throw new Error('Workers per version must be 1–8.');
    } catch (e) {
      this.note('error', (e as Error).message);
      return null;
    }
    this.setQuery?.(new URLSearchParams(encodeParams(k, KNOB_PARAMS)));
    this.phase = 'running';
    this.ticks = [];
    this.result = null;
    const v2 = this.registry.find((v) => v.id === 'v2')!;
    const fault = k.mode === 'v1' ? { delayMs: 0, errorRate: 0 } : v2.fault;
    try {
      await this.ensurePools(k);
      this.status = `Serving ${k.qps} QPS for ${k.durationS} s…`;
      const t0 = performance.now();
      const r = await this.serve.run(settings, fault, (t) => (this.ticks = [...this.ticks, t]));
      this.result = r;
      const params: ServingRunParams = {
        settings, workers: { v1: k.workersV1, v2: k.mode === 'v1' ? 0 : k.workersV2 },
        v2: k.mode === 'v1' ? null : { weights: v2.weights, fault },
        steady: r.steady, rollback: r.rollback, shadow: r.shadow, totals: r.totals, holds: holds(r.steady),
      };
      await this.save(params, performance.now() - t0, r.totals.stopped);
      if (r.rollback) this.note('warn', `Rolled back at ${(r.rollback.atMs / 1000).toFixed(2)} s: ${r.rollback.reason} for ${r.settings.guardrail.breachMs} ms.`);
      this.note(params.holds ? 'ok' : 'info', `${k.qps} QPS: steady p99 ${r.steady.p99.toFixed(1)} ms, ${r.steady.throughput.toFixed(0)} served/s, ${r.steady.errors} dropped or failed. ${params.holds ? 'Holds' : 'Does not hold'} p99 < 50 ms.`);
      return r;
    } catch (e) {
      this.note('error', (e as Error).message);
      this.poolKey = '';
      this.setup = null;
      return null;
    } finally {
      this.status = '';
      this.phase = 'ready';
    }
  }

  stop(): void {
    this.serve.stop();
  }

  private save(p: ServingRunParams, durationMs: number, stopped: boolean): Promise<void> {
    return this.saveRun({
      name: `${p.settings.mode} ${p.settings.qps} QPS`, params: p as unknown as Record<string, unknown>, seed: p.settings.seed,
      dataHash: this.model?.origin.runId ?? '', backend: 'onnxruntime-web wasm', status: stopped ? 'stopped' : 'done', durationMs,
    });
  }


  async deleteRun(id: string): Promise<void> {
    await this.store?.deleteRun(id);
    await this.refreshRuns();
  }

  dispose(): void {
    this.serve.dispose();
    this.source.dispose();
  }
}
