import { tableToIPC } from 'apache-arrow';
import { makeRetail } from '../../src/lib/data/retail';
import { arrowToParquet } from '../../src/lib/data/stream';
import {
  ACTIVITY_FEATURES, FEATURE_STORE_DEFAULTS, SALES_DAYS_SQL, customerDaysArrow, featureViewSql, labelEventsArrow,
  measureLeakage, onlineStoreSql, skewSql, snapshotDays, trainingSetSql, type LeakageResult, type Rows,
} from '../../src/lib/data/feature-views';
import type { Summary } from '../eval-kit/runs';
import { DataLabState, type Message } from '../data-kit/lab-state.svelte';
import { columnsOf } from '../drift/arrow';
import { defaults, fields, meta, type FsSettings } from './lab';

export type { Message };

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

const CLEAN = { missingCustomerId: 0, negativeAmount: 0, extremeAmount: 0, exactDuplicate: 0, updatedDuplicate: 0, badTimestamp: 0 };

export class FeatureStoreState extends DataLabState<FsSettings> {
  result = $state.raw<FsResult | null>(null);

  constructor(query: URLSearchParams, setQuery: (q: URLSearchParams) => void) {
    super({ meta, defaults, fields }, query, setQuery);
  }

  private async rows(sql: string): Promise<Rows> {
    return columnsOf((await this.data.query(sql)).table) as unknown as Rows;
  }

  /** Build both stores, both training sets, measure leakage and skew; save the run. */
  async run(name?: string): Promise<void> {
    if (this.phase !== 'ready' || this.settingsError) return;
    const s = $state.snapshot(this.settings) as FsSettings;
    const o = { ...FEATURE_STORE_DEFAULTS, ...s };
    this.phase = 'running';
    const t0 = performance.now();
    try {
      this.stage = 'generating the retail year and loading sales.csv, customers and label events';
      const retail = makeRetail({ seed: s.seed, customers: s.customers, dirt: CLEAN });
      const year = retail.options.year;
      await this.data.loadCsv('sales', retail.salesCsv);
      await this.data.loadArrow('customers', tableToIPC(customerDaysArrow(retail.customers, year), 'stream'));
      const labels = labelEventsArrow(retail.customers, year, o);
      await this.data.loadArrow('labels', tableToIPC(labels, 'stream'));
      await this.data.query(SALES_DAYS_SQL);
      this.stage = 'materialising the feature view into the offline store (Parquet)';
      const view = (await this.data.query(featureViewSql(snapshotDays(o), o.windowDays))).table;
      const parquet = await arrowToParquet(view);
      const offline = await this.data.loadParquet('offline_store', parquet);
      this.stage = 'training sets: ASOF JOIN and the naive latest-value join';
      const pit = await this.rows(trainingSetSql.pointInTime());
      const naive = await this.rows(trainingSetSql.naive());
      this.stage = 'online store and skew check';
      await this.data.query(onlineStoreSql(o));
      const skewRows = await this.rows(skewSql(o));
      const skew = Object.fromEntries(ACTIVITY_FEATURES.map((f) => [f, Number(skewRows[f][0])]));
      const churned = labels.getChild('churned')!.toArray() as Int32Array;
      const result: FsResult = {
        naive: measureLeakage(naive, pit, o),
        pit: measureLeakage(pit, pit, o),
        offlineRows: offline.rows,
        offlineBytes: parquet.byteLength,
        onlineRows: Number(skewRows.online_rows[0]),
        servedCustomers: Number(skewRows.customers[0]),
        skew,
        labels: labels.numRows,
        positives: churned.reduce((a, b) => a + b, 0),
      };
      this.result = result;
      const summary: Summary = {
        naiveValAuc: result.naive.validationAuc, naiveFutureAuc: result.naive.futureAuc, naiveFutureRows: result.naive.futureRowsShare,
        pitValAuc: result.pit.validationAuc, pitFutureAuc: result.pit.futureAuc, pitFutureRows: result.pit.futureRowsShare,
        servedCustomers: result.servedCustomers, offlineRows: result.offlineRows,
      };
      for (const f of ACTIVITY_FEATURES) summary[`skew:${f}`] = skew[f];
      await this.runs.save({ settings: s, result: summary, seed: s.seed, dataHash: `retail:${s.seed}:${s.customers}`, durationMs: performance.now() - t0, name });
      this.note('ok', `Done in ${((performance.now() - t0) / 1000).toFixed(1)} s; the run was saved.`);
    } catch (e) {
      this.note('error', `The run failed: ${(e as Error).message}`);
    } finally {
      this.stage = '';
      this.phase = 'ready';
    }
  }

  dispose(): void {
    this.data.dispose();
    this.runs.dispose();
  }
}
