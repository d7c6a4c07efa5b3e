/**
 * The feature-store lab's page state: the sim engine makes the retail year's tables; the data
 * worker's DuckDB builds the offline store (Parquet), both training sets, the online store and the
 * skew check; the sim engine trains a model on each training set and measures the leakage.
 */
import { arrowToParquet } from '../../src/lib/data/stream';
import { ACTIVITY_FEATURES, FEATURE_STORE_DEFAULTS, SALES_DAYS_SQL, featureViewSql, onlineStoreSql, skewSql, snapshotDays, trainingSetSql, type LeakageResult, type Rows } from '../../src/lib/data/feature-views';
import { defaults, fields, type FsSettings } from '../../src/lib/runners/feature-store';
import { runTask } from '../kit/engines';
import type { Summary } from '../kit/runs';
import { SimDataLab } from '../data-kit/sim-data-lab.svelte';
import { columnsOf } from '../drift/arrow';
import { meta } from './lab';

export interface FsResult {
  naive: LeakageResult;
  pit: LeakageResult;
  offlineRows: number;
  offlineBytes: number;
  onlineRows: number;
  servedCustomers: number;
  skew: Record<string, number>;
  labels: number;
  positives: number;
}

export class FeatureStoreState extends SimDataLab<FsSettings> {
  result = $state.raw<FsResult | null>(null);

  constructor(query: URLSearchParams, setQuery: (q: URLSearchParams) => void) {
    super({ meta, defaults, fields }, query, setQuery);
    this.data.onNotice((n) => this.note('warn', n.message));
  }

  protected override async start(): Promise<void> {
    try {
      await this.data.ready;
    } catch (e) {
      throw new Error(`DuckDB could not start: ${(e as Error).message}`, { cause: e });
    }
  }

  private async rows(sql: string): Promise<Rows> {
    return columnsOf((await this.data.query(sql)).table) as unknown as Rows;
  }

  /** Build both stores, both training sets, measure leakage and skew; save the run. */
  async run(name?: string): Promise<void> {
    const s = this.plainSettings();
    const o = { ...FEATURE_STORE_DEFAULTS, ...s };
    const result = await this.task('generating the retail year and its label events (sim engine)', async (onProgress) => {
      const t = await runTask(this.sim, 'feature-store', s);
      onProgress({ fraction: 0.15, stage: 'loading sales.csv, customers and label events into DuckDB' });
      await this.data.loadCsv('sales', t.salesCsv);
      await this.data.loadArrow('customers', t.customersIpc);
      await this.data.loadArrow('labels', t.labelsIpc);
      await this.data.query(SALES_DAYS_SQL);
      onProgress({ fraction: 0.35, stage: 'materialising the feature view into the offline store (Parquet)' });
      const view = (await this.data.query(featureViewSql(snapshotDays(o), o.windowDays))).table;
      const parquet = await arrowToParquet(view);
      const offline = await this.data.loadParquet('offline_store', parquet);
      onProgress({ fraction: 0.55, stage: 'training sets: ASOF JOIN and the naive latest-value join' });
      const pit = await this.rows(trainingSetSql.pointInTime());
      const naive = await this.rows(trainingSetSql.naive());
      onProgress({ fraction: 0.7, stage: 'a model per join, scored on validation and on the later period (sim engine)' });
      const leak = await runTask(this.sim, 'feature-store-score', { settings: s, naive, pit });
      onProgress({ fraction: 0.9, stage: 'online store and skew check' });
      await this.data.query(onlineStoreSql(o));
      const skewRows = await this.rows(skewSql(o));
      return {
        ...leak,
        offlineRows: offline.rows,
        offlineBytes: parquet.byteLength,
        onlineRows: Number(skewRows.online_rows[0]),
        servedCustomers: Number(skewRows.customers[0]),
        skew: Object.fromEntries(ACTIVITY_FEATURES.map((f) => [f, Number(skewRows[f][0])])),
        labels: t.labels,
        positives: t.positives,
      } satisfies FsResult;
    });
    if (!result) return;
    this.result = result;
    const summary: Summary = {
      naiveValAuc: result.naive.validationAuc, naiveFutureAuc: result.naive.futureAuc, naiveFutureRows: result.naive.futureRowsShare,
      pitValAuc: result.pit.validationAuc, pitFutureAuc: result.pit.futureAuc, pitFutureRows: result.pit.futureRowsShare,
      servedCustomers: result.servedCustomers, offlineRows: result.offlineRows,
    };
    for (const f of ACTIVITY_FEATURES) summary[`skew:${f}`] = result.skew[f];
    const { saved } = await this.saveResult({ name, settings: s, result: summary, dataHash: `retail:${s.seed}:${s.customers}`, backend: 'sim-worker+duckdb-wasm' });
    this.finished(saved ? '; the run was saved' : '');
  }
}
