import * as Comlink from 'comlink';
import { CATEGORICAL_FEATURES, NUMERIC_FEATURES, extraFeatureNames, type DriftEvent } from '../../src/lib/data/stream';
import { driftReportSql, type DriftSqlSpec, type SqlDriftReport } from '../../src/lib/drift/sql';
import { columnsOf } from './arrow';
import { alarmsFor, type AlarmOptions, type DriftStatistic } from '../../src/lib/drift/alarms';
import { scoreDetections, type Alarm } from '../../src/lib/drift/detector';
import type { RetrainResult } from '../../src/lib/drift/retrain';
import type { DriftServiceApi } from '../../src/lib/drift/stream-service';
import type { Summary } from '../eval-kit/runs';
import type { DataClient } from '../data-kit/client';
import { DataLabState, type Message, type Phase } from '../data-kit/lab-state.svelte';
import { DATA_KEYS, MISSED, defaults, fields, meta, type DriftSettings } from './lab';

export type { Message, Phase };

/** The model's output column: its drift is a proxy metric, not an input feature. */
export const PROXY = 'prediction';
export const SPEC_BASE = {
  numeric: [...NUMERIC_FEATURES, PROXY],
  categorical: [...CATEGORICAL_FEATURES],
};


/** Alarms that count against the monitor: everything but the proxy (the model's own output). */
export const scored = (alarms: Alarm[]) => alarms.filter((a) => a.check !== 'proxy');

export class DriftLabState extends DataLabState<DriftSettings> {
  fraction = $state(0);
  report = $state.raw<SqlDriftReport | null>(null);
  events = $state.raw<DriftEvent[]>([]);
  /** The data settings (seed, rows per day, reference window) the report was computed with. */
  reportData = $state.raw<Pick<DriftSettings, 'seed' | 'rowsPerDay' | 'refDays'> | null>(null);
  schema = $state.raw<{ partitions: number; columns: number; mismatched: string[] } | null>(null);
  loadMs = $state(0);
  /** The thresholds of the last saved run, to tell whether the current ones are saved. */
  savedKey = $state('');
  retrain = $state.raw<RetrainResult[] | null>(null);
  retraining = $state(false);

  readonly thresholds = $derived<Partial<AlarmOptions>>({
    statistic: this.settings.statistic as DriftStatistic,
    psi: this.settings.psi,
    ksPValue: this.settings.ksPValue,
    chi2PValue: this.settings.chi2PValue,
    js: this.settings.js,
    wasserstein: this.settings.wasserstein,
    excessLogLoss: this.settings.excessLogLoss,
  });
  readonly view = $derived(this.report ? alarmsFor(this.report, this.thresholds, PROXY) : null);
  readonly score = $derived(this.report && this.view ? scoreDetections({ alarms: scored(this.view.alarms), days: this.report.days.map((day) => ({ day })) }, this.events) : null);
  readonly dirtyData = $derived(!!this.reportData && DATA_KEYS.some((k) => this.reportData![k as 'seed'] !== this.settings[k]));
  /** The SQL panel's handle: the data client, plus the views made again after a restart. */
  readonly panelClient: DataClient;
  private worker: Worker;
  private api: Comlink.Remote<DriftServiceApi>;
  private views: string[] = [];

  constructor(query: URLSearchParams, setQuery: (q: URLSearchParams) => void) {
    super({ meta, defaults, fields }, query, setQuery);
    const d = this.data;
    this.panelClient = {
      get ready() { return d.ready; },
      loadParquet: (name, bytes) => d.loadParquet(name, bytes),
      loadArrow: (name, ipc) => d.loadArrow(name, ipc),
      loadCsv: (name, text, opts) => d.loadCsv(name, text, opts),
      tables: () => d.tables(),
      // Views are made by SQL, so a restarted DuckDB has lost them: make them again (once its tables are back) and retry.
      query: async (sql) => {
        try {
          return await d.query(sql);
        } catch (e) {
          if (!this.views.length || !/does not exist/i.test((e as Error).message)) throw e;
          for (let i = 0; ; i++) {
            try {
              await this.createViews();
              break;
            } catch (err) {
              if (i >= 40) throw err;
              await new Promise((r) => setTimeout(r, 250));
            }
          }
          return d.query(sql);
        }
      },
      cancel: () => d.cancel(),
      onNotice: (cb) => d.onNotice(cb),
      restart: () => d.restart(),
      kill: () => d.kill(),
      simulateTrap: () => d.simulateTrap(),
      dispose: () => undefined,
    };
    this.worker = new Worker(new URL('../../workers/drift.ts', import.meta.url), { type: 'module', name: 'prodlab-drift' });
    this.api = Comlink.wrap<DriftServiceApi>(this.worker);
  }

  /** The views the monitor reads: ref (the reference sample or the first refDays days) and monitored (the days after). */
  private async createViews(): Promise<void> {
    for (const sql of this.views) await this.data.query(sql);
  }

  /** Load reference.parquet and the daily files as tables; record which partitions differ from the reference's schema. */
  private async loadPartitions(files: { name: string; bytes: Uint8Array }[], onFile?: (i: number, name: string) => void): Promise<string[]> {
    const refCols = JSON.stringify((await this.data.loadParquet('reference', files[0].bytes)).columns);
    const mismatched: string[] = [];
    const days: string[] = [];
    for (const [i, f] of files.slice(1).entries()) {
      onFile?.(i, f.name);
      const name = f.name.replace('.parquet', '');
      const info = await this.data.loadParquet(name, f.bytes);
      if (JSON.stringify(info.columns) !== refCols) mismatched.push(name);
      days.push(name);
    }
    this.schema = { partitions: days.length, columns: JSON.parse(refCols).length, mismatched };
    return days;
  }

  private async setViews(days: string[], k: number): Promise<void> {
    this.views = [
      `CREATE OR REPLACE VIEW stream AS ${days.map((d) => `SELECT * FROM ${d}`).join(' UNION ALL ')}`,
      k > 0 ? `CREATE OR REPLACE VIEW ref AS SELECT * FROM stream WHERE day < ${k}` : 'CREATE OR REPLACE VIEW ref AS SELECT * FROM reference',
      `CREATE OR REPLACE VIEW monitored AS SELECT * FROM stream WHERE day >= ${k}`,
    ];
    await this.createViews();
  }

  /**
   * The benchmark's hook (bench/drift.mjs): the drift report over a stream widened with extra
   * features, end to end from Parquet bytes (load into DuckDB, views, SQL, statistics). The stream is
   * generated and written first, untimed. Returns the times and the report's size.
   */
  async benchReport(opts: { rowsPerDay: number; extraFeatures: number; seed?: number; fineBins?: number }): Promise<{ loadMs: number; reportMs: number; totalMs: number; timings: Record<string, number>; features: number; days: number; rows: number }> {
    const { files } = await this.api.partitions({ seed: opts.seed ?? 7, rowsPerDay: opts.rowsPerDay, extraFeatures: opts.extraFeatures });
    const extra = extraFeatureNames(opts.extraFeatures);
    const t0 = performance.now();
    const days = await this.loadPartitions(files);
    await this.setViews(days, 0);
    const t1 = performance.now();
    const spec = { ...this.spec(), numeric: [...NUMERIC_FEATURES, ...extra], fineBins: opts.fineBins };
    const r = await driftReportSql(spec, async (sql) => columnsOf((await this.data.query(sql)).table));
    const t2 = performance.now();
    return { loadMs: t1 - t0, reportMs: t2 - t1, totalMs: t2 - t0, timings: r.timings, features: r.features.length, days: r.days.length, rows: r.rowsPerDay.reduce((a, b) => a + b, 0) };
  }

  spec(): DriftSqlSpec {
    return { reference: 'ref', stream: 'monitored', ...SPEC_BASE, model: { prediction: PROXY, label: 'label', labelDay: 'label_day', days: 90 } };
  }

  /** Generate the stream, load its 90 Parquet partitions into DuckDB, run the drift SQL, save the run. */
  async run(name?: string): Promise<void> {
    if (this.phase !== 'ready' || this.settingsError) return;
    const s = $state.snapshot(this.settings) as DriftSettings;
    this.phase = 'running';
    const t0 = performance.now();
    try {
      this.stage = 'generating 90 days and writing them as Parquet (drift worker)';
      this.fraction = 0;
      const { files, events } = await this.api.partitions({ seed: s.seed, rowsPerDay: s.rowsPerDay });
      const days = await this.loadPartitions(files, (i, name) => {
        this.stage = `loading ${name} into DuckDB`;
        this.fraction = (i + 1) / files.length;
      });
      await this.setViews(days, s.refDays);
      this.loadMs = performance.now() - t0;
      this.stage = 'drift SQL: bins, ECDFs, categories, quality and late labels per day';
      this.fraction = 1;
      this.report = await driftReportSql(this.spec(), async (sql) => columnsOf((await this.data.query(sql)).table));
      this.events = events;
      this.reportData = { seed: s.seed, rowsPerDay: s.rowsPerDay, refDays: s.refDays };
      this.retrain = null;
      await this.save(name, performance.now() - t0);
      this.note('ok', `Monitored ${this.report.days.length} days in ${((performance.now() - t0) / 1000).toFixed(1)} s (drift SQL ${(this.report.timings.total / 1000).toFixed(2)} s); the run was saved.`);
    } catch (e) {
      this.note('error', `The run failed: ${(e as Error).message}`);
    } finally {
      this.stage = '';
      this.phase = 'ready';
    }
  }

  /** What a run saves: its settings and the scores under the current thresholds. */
  digest(): Summary {
    const r = this.report!;
    const view = this.view!;
    const score = this.score!;
    const out: Summary = { kind: 'monitor', falseAlarms: score.falseAlarms.length, quietDayAlarms: score.quietDayAlarms.length, alarms: scored(view.alarms).length };
    for (const e of score.events) out[`delay:${e.event.kind}`] = e.delay ?? MISSED;
    out.sessionsDriftAlarms = view.alarms.filter((a) => a.feature === 'sessions' && a.check === 'drift').length;
    const g = score.events.find((e) => e.event.kind === 'gradual-shift');
    const fi = r.features.findIndex((f) => f.name === 'income');
    const di = g?.detectedOn != null ? r.days.indexOf(g.detectedOn) : -1;
    out.gradualPsiAtDetection = di >= 0 ? r.cells[fi][di].psi : MISSED;
    out.meanDriftShare = view.driftShare.reduce((a, b) => a + b, 0) / view.driftShare.length;
    out.sqlMs = r.timings.total;
    return out;
  }

  private key(): string {
    return JSON.stringify(this.thresholds);
  }

  /** Save the current report under the current thresholds (a run needs no new data to be re-scored). */
  async save(name?: string, durationMs = 0): Promise<void> {
    if (!this.report || !this.reportData) return;
    const settings = { ...($state.snapshot(this.settings) as DriftSettings), ...this.reportData };
    await this.runs.save({ settings, result: this.digest(), seed: settings.seed, dataHash: `stream:${settings.seed}:${settings.rowsPerDay}`, durationMs, name });
    this.savedKey = this.key();
  }

  readonly unsaved = $derived(!!this.report && this.savedKey !== JSON.stringify(this.thresholds));

  /** Compare the four retraining policies on this stream; drift-triggered retrains after each alarmed day. */
  async compareRetraining(): Promise<void> {
    if (!this.report || !this.reportData || this.retraining) return;
    this.retraining = true;
    const t0 = performance.now();
    try {
      const triggerDays = [...new Set(scored(this.view!.alarms).map((a) => a.day))];
      const opts = { seed: this.reportData.seed, rowsPerDay: this.reportData.rowsPerDay };
      const res = await this.api.retrain(opts, [{ policy: 'never' }, { policy: 'periodic' }, { policy: 'triggered', triggerDays }, { policy: 'continuous' }]);
      this.retrain = res;
      const result: Summary = { kind: 'retrain' };
      const after = (x: Float64Array) => x.slice(75).reduce((a, b) => a + b, 0) / (x.length - 75);
      for (const r of res) {
        result[`acc:${r.policy}`] = r.meanAccuracy;
        result[`n:${r.policy}`] = r.retrainDays.length;
        result[`accAfter:${r.policy}`] = after(r.accuracy);
      }
      const settings = { ...($state.snapshot(this.settings) as DriftSettings), ...this.reportData };
      await this.runs.save({ settings, result, seed: settings.seed, dataHash: `stream:${settings.seed}:${settings.rowsPerDay}`, durationMs: performance.now() - t0, backend: 'js-worker' });
      this.note('ok', `Four policies simulated in ${((performance.now() - t0) / 1000).toFixed(1)} s (${res.reduce((n, r) => n + r.retrainDays.length + 1, 0)} models trained in the drift worker); saved.`);
    } catch (e) {
      this.note('error', `The retraining simulation failed: ${(e as Error).message}`);
    } finally {
      this.retraining = false;
    }
  }

  dispose(): void {
    this.worker.terminate();
    this.data.dispose();
    this.runs.dispose();
  }
}
