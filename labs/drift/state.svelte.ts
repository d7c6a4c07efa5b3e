/**
 * The drift lab's page state: the sim engine writes the 90-day stream as Parquet partitions; the
 * data worker's DuckDB loads them and runs the drift SQL; the thresholds re-score the report on
 * the page at once (no new data); the retraining policies run in the sim engine over the same stream.
 */
import { CATEGORICAL_FEATURES, NUMERIC_FEATURES, extraFeatureNames, type DriftEvent } from '../../src/lib/data/stream';
import { driftReportSql, type DriftSqlSpec, type SqlDriftReport } from '../../src/lib/drift/sql';
import { alarmsFor, type AlarmOptions, type DriftStatistic } from '../../src/lib/drift/alarms';
import { scoreDetections, type Alarm } from '../../src/lib/drift/detector';
import type { RetrainResult } from '../../src/lib/drift/retrain';
import { DATA_KEYS, defaults, fields, type DriftSettings } from '../../src/lib/runners/drift';
import { formatDuration } from '../../src/lib/core/format';
import { runTask } from '../kit/engines';
import type { Summary } from '../kit/runs';
import type { DataClient } from '../data-kit/client';
import { SimDataLab } from '../data-kit/sim-data-lab.svelte';
import { columnsOf } from './arrow';
import { MISSED, meta } from './lab';
import { viewsClient } from './views';

/** The model's output column: its drift is a proxy metric, not an input feature. */
export const PROXY = 'prediction';
export const SPEC_BASE = {
  numeric: [...NUMERIC_FEATURES, PROXY],
  categorical: [...CATEGORICAL_FEATURES],
};

/** Alarms that count against the monitor: everything but the proxy (the model's own output). */
export const scored = (alarms: Alarm[]) => alarms.filter((a) => a.check !== 'proxy');

export class DriftLabState extends SimDataLab<DriftSettings> {
  report = $state.raw<SqlDriftReport | null>(null);
  events = $state.raw<DriftEvent[]>([]);
  /** The data settings (seed, rows per day, reference window) the report was computed with. */
  reportData = $state.raw<Pick<DriftSettings, 'seed' | 'rowsPerDay' | 'refDays'> | null>(null);
  schema = $state.raw<{ partitions: number; columns: number; mismatched: string[] } | null>(null);
  /** The thresholds of the last saved run, to tell whether the current ones are saved. */
  savedKey = $state('');
  retrain = $state.raw<RetrainResult[] | null>(null);

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
  readonly unsaved = $derived(!!this.report && this.savedKey !== JSON.stringify(this.thresholds));

  /** The SQL panel's handle: the data client, plus the views made again after a restart. */
  readonly panelClient: DataClient;
  private views: string[] = [];

  constructor(query: URLSearchParams, setQuery: (q: URLSearchParams) => void) {
    super({ meta, defaults, fields }, query, setQuery);
    this.data.onNotice((n) => this.note('warn', n.message));
    this.panelClient = viewsClient(this.data, () => this.createViews(), () => this.views.length > 0);
  }

  protected override async start(): Promise<void> {
    try {
      await this.data.ready;
    } catch (e) {
      throw new Error(`DuckDB could not start: ${(e as Error).message}`, { cause: e });
    }
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
    const { files } = await runTask(this.sim, 'drift', { seed: opts.seed ?? 7, rowsPerDay: opts.rowsPerDay, extraFeatures: opts.extraFeatures });
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
    const s = this.plainSettings();
    const done = await this.task('generating 90 days and writing them as Parquet (sim engine)', async (onProgress) => {
      const { files, events } = await runTask(this.sim, 'drift', { seed: s.seed, rowsPerDay: s.rowsPerDay }, (p) => onProgress({ fraction: 0.2 * p.fraction, stage: p.stage }));
      const days = await this.loadPartitions(files, (i, file) => onProgress({ fraction: 0.2 + (0.6 * (i + 1)) / files.length, stage: `loading ${file} into DuckDB` }));
      await this.setViews(days, s.refDays);
      onProgress({ fraction: 0.85, stage: 'drift SQL: bins, ECDFs, categories, quality and late labels per day' });
      const report = await driftReportSql(this.spec(), async (sql) => columnsOf((await this.data.query(sql)).table));
      return { report, events };
    });
    if (!done) return;
    this.report = done.report;
    this.events = done.events;
    this.reportData = { seed: s.seed, rowsPerDay: s.rowsPerDay, refDays: s.refDays };
    this.retrain = null;
    await this.save(name, this.lastDurationMs);
    this.note('ok', `Monitored ${done.report.days.length} days in ${formatDuration(this.lastDurationMs)} (drift SQL ${formatDuration(done.report.timings.total)}); the run was saved.`);
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

  /** Save the current report under the current thresholds (a run needs no new data to be re-scored). */
  async save(name?: string, durationMs = 0): Promise<void> {
    if (!this.report || !this.reportData) return;
    const settings = { ...this.plainSettings(), ...this.reportData };
    await this.saveResult({ name, settings, result: this.digest(), dataHash: `stream:${settings.seed}:${settings.rowsPerDay}`, backend: 'duckdb-wasm', durationMs });
    this.savedKey = JSON.stringify(this.thresholds);
  }

  /** Compare the four retraining policies on this stream; drift-triggered retrains after each alarmed day. */
  async compareRetraining(): Promise<void> {
    if (!this.report || !this.reportData) return;
    const stream = { seed: this.reportData.seed, rowsPerDay: this.reportData.rowsPerDay };
    const triggerDays = [...new Set(scored(this.view!.alarms).map((a) => a.day))];
    const policies = [{ policy: 'never' as const }, { policy: 'periodic' as const }, { policy: 'triggered' as const, triggerDays }, { policy: 'continuous' as const }];
    const res = await this.task('retraining under four policies (sim engine)', (onProgress) => runTask(this.sim, 'drift-retrain', { stream, policies }, onProgress));
    if (!res) return;
    this.retrain = res;
    const result: Summary = { kind: 'retrain' };
    const after = (x: Float64Array) => x.slice(75).reduce((a, b) => a + b, 0) / (x.length - 75);
    for (const r of res) {
      result[`acc:${r.policy}`] = r.meanAccuracy;
      result[`n:${r.policy}`] = r.retrainDays.length;
      result[`accAfter:${r.policy}`] = after(r.accuracy);
    }
    const settings = { ...this.plainSettings(), ...this.reportData };
    await this.saveResult({ settings, result, dataHash: `stream:${settings.seed}:${settings.rowsPerDay}`, backend: 'sim-worker', show: false });
    this.note('ok', `Four policies simulated in ${formatDuration(this.lastDurationMs)} (${res.reduce((n, r) => n + r.retrainDays.length + 1, 0)} models trained in the sim engine); saved.`);
  }
}
