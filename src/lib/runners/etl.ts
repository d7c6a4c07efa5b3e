/**
 * Lab "ETL and ELT pipeline", its TypeScript side (the sim engine runs it; the ELT runs on the
 * page's DuckDB): generate the retail files, extract them (customers read back from their Parquet
 * file), run the ETL, and write features.parquet; plus the raw events as an all-text Arrow table
 * for the ELT's load step. Plain data in and out, so it runs the same in Node.
 */
import { tableToIPC } from 'apache-arrow';
import { checkFields, type Field } from '../core/fields';
import { quietContext, type TaskContext } from '../core/task';
import { rawEventsArrow } from '../data/elt-sql.ts';
import { makeRetail, retailFiles, RETAIL_DEFAULTS, type DirtKind } from '../data/retail.ts';
import { readParquet } from '../data/parquet.ts';
import { sha256Hex } from '../data/fashion.ts';
import { arrowToParquet } from '../data/stream.ts';
import { PIPELINE_DEFAULTS, runEtl, windows, type EtlSummary, type PipelineOptions } from '../data/pipeline.ts';
import { featuresToArrow } from '../data/pipeline-outputs.ts';

export const ETL_LAB_DEFAULTS = {
  seed: 1,
  customers: 500,
  ...RETAIL_DEFAULTS.dirt,
  ...PIPELINE_DEFAULTS,
};

export type EtlLabSettings = typeof ETL_LAB_DEFAULTS;
export const DIRT_KINDS = Object.keys(RETAIL_DEFAULTS.dirt) as DirtKind[];
export const defaults = ETL_LAB_DEFAULTS;

const DIRT_TEXT: Record<DirtKind, string> = {
  missingCustomerId: 'Sales with no customer_id: cannot be attributed, so they are dropped.',
  negativeAmount: 'Negative amounts: treated as missing and imputed with a median.',
  extremeAmount: 'Amounts ×1000 (a units bug): capped at the cap percentile.',
  exactDuplicate: 'A row sent twice: the copy is dropped.',
  updatedDuplicate: 'A corrected sale re-sent later: the older version is dropped.',
  badTimestamp: 'Unparseable or impossible dates (Feb 30): dropped.',
};

export const fields: Field[] = [
  { key: 'seed', label: 'Seed', kind: 'number', integer: true, min: 0, max: 1e9, step: 1, explain: 'Same seed, same files byte for byte: a run can be reproduced.' },
  { key: 'customers', label: 'Customers', kind: 'number', integer: true, min: 20, max: 5000, step: 10, explain: 'How big the business is (about 8 sales rows per customer).' },
  { key: 'capPercentile', label: 'Cap percentile', kind: 'number', min: 0.5, max: 1, step: 0.005, explain: 'Amounts above this quantile are cut to it, so one bad row cannot dominate a sum.' },
  { key: 'observationStart', label: 'Observation start', kind: 'date', explain: 'First day features may use.' },
  { key: 'observationEnd', label: 'Observation end (cutoff)', kind: 'date', explain: 'What a model would know on this day; features use rows before it.' },
  { key: 'labelStart', label: 'Label start', kind: 'date', explain: 'The label looks for purchases from here; before the cutoff it leaks.' },
  { key: 'labelEnd', label: 'Label end', kind: 'date', explain: 'Past the end of the data, everyone looks churned.' },
  ...DIRT_KINDS.map((k, i): Field => ({
    key: k, label: k, kind: 'number', min: 0, max: 0.1, step: 0.005, explain: DIRT_TEXT[k], advanced: true,
    ...(i === 0 ? { group: 'Dirt rates: share of sales rows of each kind' } : {}),
  })),
];

/** Cross-field rules: each window ends after it starts. */
export const validate = (s: EtlLabSettings): void => void windows(s);

/** Every field in range and the windows in order; throws a SettingsError (or RangeError) naming the first bad setting. */
export function validateEtlSettings(s: EtlLabSettings): void {
  checkFields(fields, s);
  validate(s);
}

export interface EtlJobOutput {
  settings: EtlLabSettings;
  /** sha256 (first 16 hex) of the three input files together. */
  dataHash: string;
  fileHashes: Record<string, string>;
  ms: { generate: number; etl: number; write: number };
  /** The raw files, for the ELT's load step and for download. */
  files: { salesCsv: string; eventsJson: string; customersParquet: Uint8Array };
  result: EtlSummary;
  featuresParquet: Uint8Array;
  /** Last timestamp in the sales data (ms): a label window past it sees nobody buy. */
  dataEnd: number;
}

export async function runEtlJob(settings: EtlLabSettings, ctx: TaskContext = quietContext): Promise<EtlJobOutput> {
  validateEtlSettings(settings);
  ctx.progress(0.05, 'ETL: generating the files');
  const t0 = performance.now();
  const dirt = Object.fromEntries(DIRT_KINDS.map((k) => [k, settings[k]]));
  const data = makeRetail({ seed: settings.seed, customers: settings.customers, dirt });
  const files = await retailFiles(data);
  const byName = Object.fromEntries(files.map((f) => [f.name, f.bytes]));
  const t1 = performance.now();
  ctx.checkStop();
  ctx.progress(0.4, 'ETL: extracting, validating and transforming');
  const customers = await readParquet(byName['customers.parquet']);
  const opts: PipelineOptions = { capPercentile: settings.capPercentile, observationStart: settings.observationStart, observationEnd: settings.observationEnd, labelStart: settings.labelStart, labelEnd: settings.labelEnd };
  const etl = runEtl({ salesCsv: data.salesCsv, eventsJson: data.eventsJson, customers }, opts);
  const t2 = performance.now();
  ctx.checkStop();
  ctx.progress(0.8, 'ETL: writing features.parquet');
  const featuresParquet = await arrowToParquet(featuresToArrow(etl.features));
  const t3 = performance.now();
  const fileHashes: Record<string, string> = {};
  for (const f of files) fileHashes[f.name] = await sha256Hex(f.bytes);
  const all = new TextEncoder().encode(['sales.csv', 'events.json', 'customers.parquet'].map((n) => fileHashes[n]).join(''));
  const { clean, ...validation } = etl.validation;
  const dataEnd = clean.reduce((m, s) => Math.max(m, s.t), 0);
  return {
    settings, dataHash: (await sha256Hex(all)).slice(0, 16), fileHashes, ms: { generate: t1 - t0, etl: t2 - t1, write: t3 - t2 },
    files: { salesCsv: data.salesCsv, eventsJson: data.eventsJson, customersParquet: byName['customers.parquet'] },
    result: { ...etl, validation }, featuresParquet, dataEnd,
  };
}

/** What the sim engine hands the page: the ETL's output and the raw events as Arrow IPC for the ELT. */
export interface EtlRun {
  job: EtlJobOutput;
  eventsIpc: Uint8Array;
}

export async function run(ctx: TaskContext, s: EtlLabSettings): Promise<EtlRun> {
  const job = await runEtlJob(s, ctx);
  ctx.progress(0.95, 'ETL: the raw events as an Arrow table for the ELT');
  return { job, eventsIpc: tableToIPC(rawEventsArrow(job.files.eventsJson), 'stream') };
}

/** run_metadata.json: everything the outputs depend on, and what each stage counted. */
export function runMetadata(job: EtlJobOutput, extra: { runId: string; appVersion: string; elt?: { ms: number; featureRows: number; agree: boolean } }): Record<string, unknown> {
  const r = job.result;
  return {
    run_id: extra.runId,
    app_version: extra.appVersion,
    created_at: new Date().toISOString(),
    seed: job.settings.seed,
    parameters: job.settings,
    inputs: { sha256: job.fileHashes, data_hash: job.dataHash },
    row_counts: {
      sales_rows_extracted: r.counts.salesRows,
      events_extracted: r.counts.events,
      events_skipped: r.counts.eventsSkipped,
      customers_extracted: r.counts.customers,
      sales_removed: r.validation.removed.length,
      removed_by_rule: r.validation.removedByRule,
      amounts_fixed: r.validation.fixes,
      clean_sales: r.counts.cleanSales,
      feature_rows: r.counts.featureRows,
    },
    windows: { observation: [job.settings.observationStart, job.settings.observationEnd], label: [job.settings.labelStart, job.settings.labelEnd], overlap_days: r.windows.overlapDays },
    timings_ms: { generate: job.ms.generate, etl: job.ms.etl, write_parquet: job.ms.write, ...(extra.elt ? { elt_sql: extra.elt.ms } : {}) },
    elt: extra.elt ?? null,
  };
}
