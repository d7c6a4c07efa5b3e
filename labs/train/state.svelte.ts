import * as Comlink from 'comlink';
import { DEFAULTS, validateConfig, type TrainConfig } from '../../src/lib/ml/config';
import { decodeTrainConfig, encodeTrainConfig } from '../../src/lib/ml/params';
import type { DatasetSummary } from '../../src/lib/ml/service';
import type { Gallery, TrainEvent } from '../../src/lib/ml/trainer';
import type { BackendDecision, Capabilities, ProbeResult } from '../../src/lib/runtime/choose';
import { newRunId, type Store } from '../../src/lib/store';
import type { RunRecord } from '../../src/lib/store/types';
import type { CheckResult } from '../types';
import { meta } from './lab';
import { importSentence, withReadableSettings } from './summary';
import { ExerciseProgress } from '../../src/app/progress.svelte';
import { TrainClient, WorkerCrashedError } from './client';
import { withMessage, type Message } from '../../src/app/messages';
import { LabStorage } from '../kit/storage.svelte';

export type Phase = 'starting' | 'ready' | 'running' | 'paused' | 'stopping' | 'error';
export type { Message };

export interface Live {
  runId: string;
  epoch: number[];
  trainLoss: number[];
  trainAcc: number[];
  valEpoch: number[];
  valLoss: number[];
  valAcc: number[];
}

const emptyLive = (runId = ''): Live => ({ runId, epoch: [], trainLoss: [], trainAcc: [], valEpoch: [], valLoss: [], valAcc: [] });

/** All state of the training lab page; the worker does the computing, this only tracks and draws. */
export class TrainLabState {
  config = $state<TrainConfig>({ ...DEFAULTS });
  configError = $state('');
  phase = $state<Phase>('starting');
  startup = $state('Starting the training worker…');
  caps = $state.raw<Capabilities | null>(null);
  decision = $state.raw<BackendDecision | null>(null);
  dataset = $state.raw<DatasetSummary | null>(null);
  messages = $state<Message[]>([]);
  live = $state.raw<Live>(emptyLive());
  /** The epoch of the newest checkpoint the worker took in this page's current run (the 'epoch' event comes just before it). */
  checkpointEpoch = $state(0);
  progress = $state({ progress: 0, etaMs: 0, samplesPerSec: 0, step: 0, epoch: 0 });
  lastRun = $state.raw<RunRecord | null>(null);
  gallery = $state.raw<Gallery | null>(null);
  /** The runs the table shows: their settings read as a TrainConfig. */
  runs = $state.raw<RunRecord[]>([]);
  /** Every run the store holds for this lab; those not in `runs` are listed apart, with the reason and Delete. */
  allRuns = $state.raw<RunRecord[]>([]);
  compare = $state<string[]>([]);
  storage = $state.raw<{ usage?: number; quota?: number } | null>(null);

  /** Exercise results and written answers, saved as they change. */
  readonly exercises: ExerciseProgress = new ExerciseProgress(meta.id, () => this.checks, (m) => this.note('error', m));

  readonly checks = $derived.by(() => {
    const out: Record<string, CheckResult> = {};
    for (const ex of meta.exercises) out[ex.id] = ex.check({ runs: this.runs, answers: this.exercises.answers });
    return out;
  });

  /** The worker handle (public for the benchmark script, which times the same worker). */
  client?: TrainClient;
  /**
   * Where runs are saved: IndexedDB, or memory once the browser took storage away (the kit's
   * LabStorage, as every kit lab has); other tabs' changes refresh the run table.
   */
  readonly saving: LabStorage = new LabStorage({ changed: () => this.storageChanged() });
  /** Storage was lost since the worker last opened it: once it works again, the worker reopens it too. */
  private workerStoreLost = false;

  private storageChanged(): void {
    this.exercises.useStore(this.saving.store);
    if (this.saving.lost) this.workerStoreLost = true;
    else if (this.workerStoreLost && this.client) {
      this.workerStoreLost = false;
      void this.client.call((api) => api.reopenStore()).catch(() => {});
    }
    void this.refreshRuns();
  }
  private get store(): Store | undefined {
    return this.saving.store;
  }
  private setQuery: (q: URLSearchParams) => void = () => {};

  constructor(query: URLSearchParams, setQuery: (q: URLSearchParams) => void) {
    const { value, warnings } = decodeTrainConfig(query);
    this.config = value;
    this.setQuery = setQuery;
    for (const w of warnings) this.note('warn', `Link settings: ${w}`);
    // Rewrite the link with the settings actually used, so it never carries an ignored value.
    if (warnings.length) setQuery(new URLSearchParams(encodeTrainConfig(value)));
  }

  note(kind: Message['kind'], text: string): void {
    this.messages = withMessage(this.messages, kind, text, 6);
  }

  get datasetUrl(): string {
    return new URL('data/fashion-mnist-subset.parquet', document.baseURI).href;
  }

  async init(): Promise<void> {
    try {
      await this.saving.start();
    } catch (e) {
      this.note('warn', `Runs cannot be saved in this browser, so they last only until this page closes: ${(e as Error).message}`);
    }
    await this.refreshRuns();
    await this.markInterrupted();
    await this.exercises.load(this.store);
    await this.startWorker();
  }

  private async startWorker(): Promise<void> {
    this.client?.dispose();
    this.client = new TrainClient();
    try {
      this.startup = 'Checking what this device can do…';
      this.caps = await this.client.call((api) => api.check());
      this.startup = 'Loading Fashion-MNIST (10,000 train + 2,000 test images)…';
      this.dataset = await this.client.call((api) => api.load(this.datasetUrl));
      this.startup = 'Choosing a backend…';
      await this.chooseBackend(true);
      this.phase = 'ready';
    } catch (e) {
      this.phase = 'error';
      this.note('error', (e as Error).message);
    }
  }

  /**
   * Ask the worker which backend to use. For 'auto' on a first visit the lab answers at once from
   * the adapter's report (a software adapter means wasm) and confirms with the probe in the
   * background (about a second on a software GPU); the probe is then remembered per device in
   * localStorage, so later visits use it directly.
   */
  async chooseBackend(starting = false): Promise<void> {
    if (!this.client || (!starting && this.phase !== 'ready')) return;
    const choice = this.config.backend;
    const known = readJson<ProbeResult>(this.probeKey());
    const quick = choice === 'auto' && !known;
    this.decision = await this.client.call((api) => api.decide(choice, known, { probe: !quick }));
    if (quick) void this.confirmProbe(choice);
  }

  private probeKey(): string {
    return `prodlab:probe:${JSON.stringify(this.caps)}`;
  }

  private async confirmProbe(choice: TrainConfig['backend']): Promise<void> {
    try {
      const confirmed = await this.client!.call((api) => api.decide(choice));
      if (confirmed.probe) writeJson(this.probeKey(), confirmed.probe);
      if (this.config.backend === choice) this.decision = confirmed;
    } catch {
      /* the quick decision stands */
    }
  }



  /** Apply a settings change: validate, mirror it in the URL. */
  update(patch: Partial<TrainConfig>): void {
    const next = { ...this.config, ...patch };
    this.config = next;
    try {
      validateConfig(next);
      this.configError = '';
      this.setQuery(new URLSearchParams(encodeTrainConfig(next)));
    } catch (e) {
      this.configError = (e as Error).message;
    }
    if ('backend' in patch) void this.chooseBackend();
  }

  async start(name?: string): Promise<void> {
    if (this.phase !== 'ready' || this.configError) return;
    const runId = newRunId();
    this.live = emptyLive(runId);
    this.checkpointEpoch = 0;
    this.gallery = null;
    this.lastRun = null;
    this.progress = { progress: 0, etaMs: 0, samplesPerSec: 0, step: 0, epoch: 0 };
    this.phase = 'running';
    const config = $state.snapshot(this.config) as TrainConfig;
    await this.track(runId, () => this.client!.call((api) => api.start(config, runId, name, Comlink.proxy((e: TrainEvent) => this.onEvent(e)))));
  }

  async resumeRun(run: RunRecord): Promise<void> {
    if (this.phase !== 'ready') return;
    this.config = { ...(run.params as unknown as TrainConfig) };
    this.setQuery(new URLSearchParams(encodeTrainConfig(this.config)));
    this.live = liveFromRun(run);
    this.gallery = null;
    this.phase = 'running';
    await this.track(run.id, () => this.client!.call((api) => api.resumeRun(run.id, Comlink.proxy((e: TrainEvent) => this.onEvent(e)))));
  }

  private async track(runId: string, go: () => Promise<RunRecord>): Promise<void> {
    try {
      const run = await go();
      this.lastRun = run;
      // Without storage, the run table lives in memory for this visit. Once storage was taken away
      // under the page, the worker's writes failed: the run it returns is kept in the page's memory
      // store, where the banner counts it and can export it or save it to storage again.
      if (!this.store) this.runs = [run, ...this.runs.filter((r) => r.id !== run.id)];
      else if (this.saving.lost) await this.store.putRun(run).catch((e: Error) => this.note('error', e.message));
      if (run.status === 'done') this.note('ok', `Run finished: test accuracy ${(100 * run.final!.testAcc).toFixed(1)}% in ${(run.durationMs / 1000).toFixed(1)} s on ${run.backend}.`);
      else if (run.statusMessage) this.note(run.status === 'failed' ? 'error' : 'info', run.statusMessage);
    } catch (e) {
      if (e instanceof WorkerCrashedError || (e as Error).name === 'WorkerCrashedError') {
        this.note('error', `${(e as Error).message} The run was saved up to its last checkpoint: resume it from the run table.`);
        await this.store?.updateRun(runId, { status: 'interrupted', statusMessage: (e as Error).message }).catch(() => {});
        this.phase = 'starting';
        await this.refreshRuns();
        await this.startWorker();
        return;
      }
      this.note('error', (e as Error).message);
    }
    this.phase = 'ready';
    await this.refreshRuns();
  }

  private onEvent(e: TrainEvent): void {
    switch (e.type) {
      case 'step': {
        const l = this.live;
        this.live = { ...l, epoch: [...l.epoch, e.epoch], trainLoss: [...l.trainLoss, e.trainLoss], trainAcc: [...l.trainAcc, e.trainAcc] };
        this.progress = { progress: e.progress, etaMs: e.etaMs, samplesPerSec: e.samplesPerSec, step: e.step, epoch: e.epoch };
        break;
      }
      case 'epoch': {
        const l = this.live;
        this.live = { ...l, valEpoch: [...l.valEpoch, e.epoch], valLoss: [...l.valLoss, e.valLoss], valAcc: [...l.valAcc, e.valAcc] };
        break;
      }
      case 'status':
        // The backend decision already shows beside the controls; do not repeat it.
        if (e.message !== this.decision?.reason) this.note('info', e.message);
        break;
      case 'device-lost':
        this.note('warn', e.message);
        this.live = { ...this.live, ...truncateLive(this.live, e.resumeEpoch) };
        break;
      case 'storage-error':
        // Storage taken away under the page: the banner already says so and keeps the run.
        if (!this.saving.lost) this.note('error', e.message);
        break;
      case 'done':
        this.gallery = e.gallery;
        break;
      case 'checkpoint':
        this.checkpointEpoch = e.epoch;
        break;
    }
  }

  pause(): void {
    this.client?.signal((api) => api.pause());
    this.phase = 'paused';
  }

  resume(): void {
    this.client?.signal((api) => api.resume());
    this.phase = 'running';
  }

  stop(): void {
    this.client?.signal((api) => api.stop());
    this.phase = 'stopping';
  }

  async simulateDeviceLoss(): Promise<void> {
    const ok = await this.client?.call((api) => api.simulateDeviceLoss());
    if (!ok) this.note('warn', 'There is no WebGPU device in use to lose: this drill needs a run on the webgpu backend.');
  }

  killWorker(): void {
    this.client?.kill();
  }

  async refreshRuns(): Promise<void> {
    if (!this.store) return;
    try {
      this.allRuns = (await this.store.listRuns(meta.id)).map((r) => {
        const statusMessage = this.interruptedInMemory.get(r.id);
        return withReadableSettings(statusMessage && (r.status === 'running' || r.status === 'paused') ? { ...r, status: 'interrupted', statusMessage } : r);
      });
      this.runs = this.allRuns.filter((r) => r.status !== 'damaged');
      this.storage = await this.store.estimate();
    } catch (e) {
      this.note('error', (e as Error).message);
    }
    void this.exercises.save();
  }

  /** Stale runs whose 'interrupted' status could not be written (a full quota): shown so anyway. */
  private readonly interruptedInMemory = new Map<string, string>();

  /** Runs left 'running' by a closed or crashed page are not running now: say so, offer resume. */
  private async markInterrupted(): Promise<void> {
    const stale = this.runs.filter((r) => r.status === 'running' || r.status === 'paused');
    const statusMessage = 'The page was closed or reloaded during this run. Resume continues from its last checkpoint.';
    for (const r of stale) {
      try {
        await this.store?.updateRun(r.id, { status: 'interrupted', statusMessage });
      } catch (e) {
        // A full quota (or storage taken away) must not keep the lab from starting: the run is
        // shown as interrupted from memory, and the store keeps its older status until a later write.
        this.interruptedInMemory.set(r.id, statusMessage);
        this.note('warn', `Run ${r.id} could not be marked as interrupted in storage: ${(e as Error).message}`);
      }
    }
    if (stale.length) {
      this.note('info', `${stale.length} run${stale.length > 1 ? 's were' : ' was'} interrupted by a reload; resume from the run table.`);
      await this.refreshRuns();
    }
  }

  async deleteRun(id: string): Promise<void> {
    await this.store?.deleteRun(id);
    this.compare = this.compare.filter((c) => c !== id);
    await this.refreshRuns();
  }

  toggleCompare(id: string): void {
    this.compare = this.compare.includes(id) ? this.compare.filter((c) => c !== id) : [...this.compare, id].slice(-2);
  }

  async exportRuns(ids: string[]): Promise<{ bytes: Uint8Array; filename: string } | null> {
    if (!this.store || ids.length === 0) return null;
    const bytes = await this.store.exportRuns(ids, { appVersion: __APP_VERSION__ });
    return { bytes, filename: `prodlab-runs-${new Date().toISOString().slice(0, 10)}.prodlab` };
  }

  async importRuns(bytes: Uint8Array): Promise<void> {
    if (!this.store) return;
    try {
      const { ids, repairs, refused } = await this.store.importFile(bytes);
      this.note(repairs.length || refused.length ? 'warn' : 'ok', importSentence(ids.length, repairs, refused));
      await this.refreshRuns();
    } catch (e) {
      this.note('error', `Import failed: ${(e as Error).message}`);
    }
  }

  dispose(): void {
    this.client?.dispose();
    this.saving.close();
  }
}

/** localStorage may be absent or refused (embedded frames, private modes): then nothing is remembered. */
function readJson<T>(key: string): T | undefined {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
}

function writeJson(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* not remembered; the next visit probes again */
  }
}

export function liveFromRun(run: RunRecord): Live {
  return {
    runId: run.id,
    epoch: run.metrics.epoch.slice(),
    trainLoss: run.metrics.trainLoss.slice(),
    trainAcc: run.metrics.trainAcc.slice(),
    valEpoch: run.epochMetrics.map((m) => m.epoch),
    valLoss: run.epochMetrics.map((m) => m.valLoss),
    valAcc: run.epochMetrics.map((m) => m.valAcc),
  };
}

function truncateLive(l: Live, epoch: number): Partial<Live> {
  const n = l.epoch.findIndex((e) => e > epoch);
  const k = n < 0 ? l.epoch.length : n;
  const v = l.valEpoch.findIndex((e) => e > epoch);
  const kv = v < 0 ? l.valEpoch.length : v;
  return { epoch: l.epoch.slice(0, k), trainLoss: l.trainLoss.slice(0, k), trainAcc: l.trainAcc.slice(0, k), valEpoch: l.valEpoch.slice(0, kv), valLoss: l.valLoss.slice(0, kv), valAcc: l.valAcc.slice(0, kv) };
}
