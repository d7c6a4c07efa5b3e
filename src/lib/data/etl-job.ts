/**
 * One run of the ETL lab's TypeScript side, as the ETL worker (workers/etl.ts) does it: generate
 * the retail files, extract them (customers read back from their Parquet file), run the ETL, and
 * write features.parquet. Plain data in and out, so it runs the same in Node.
 */
import { makeRetail, retailFiles, RETAIL_DEFAULTS, type DirtKind } from './retail.ts';
import { readParquet } from './parquet.ts';
import { sha256Hex } from './fashion.ts';
import { arrowToParquet } from './stream.ts';
import { PIPELINE_DEFAULTS, runEtl, windows, type EtlSummary, type PipelineOptions } from './pipeline.ts';
import { featuresToArrow } from './pipeline-outputs.ts';

export const ETL_LAB_DEFAULTS = {
  seed: 1,
  customers: 500,
  ...RETAIL_DEFAULTS.dirt,
  ...PIPELINE_DEFAULTS,
};

export type EtlLabSettings = typeof ETL_LAB_DEFAULTS;
export const DIRT_KINDS = Object.keys(RETAIL_DEFAULTS.dirt) as DirtKind[];

/** Throws RangeError naming the first bad setting. */
export function validateEtlSettings(s: EtlLabSettings): void {
  if (!Number.isInteger(s.seed) || s.seed < 0) throw new RangeError(`seed must be a whole number ≥ 0, got ${s.seed}`);
  if (!Number.isInteger(s.customers) || s.customers < 20 || s.customers > 5000) throw new RangeError(`customers must be a whole number in [20, 5000], got ${s.customers}`);
  for (const k of DIRT_KINDS) if (!(s[k] >= 0 && s[k] <= 0.1)) throw new RangeError(`${k} must lie in [0, 0.1], got ${s[k]}`);
  windows(s);
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

export async function runEtlJob(settings: EtlLabSettings): Promise<EtlJobOutput> {
  validateEtlSettings(settings);
  const t0 = performance.now();
  const dirt = Object.fromEntries(DIRT_KINDS.map((k) => [k, settings[k]]));
  const data = makeRetail({ seed: settings.seed, customers: settings.customers, dirt });
  const files = await retailFiles(data);
  const byName = Object.fromEntries(files.map((f) => [f.name, f.bytes]));
  const t1 = performance.now();
  const customers = await readParquet(byName['customers.parquet']);
  const opts: PipelineOptions = { capPercentile: settings.capPercentile, observationStart: settings.observationStart, observationEnd: settings.observationEnd, labelStart: settings.labelStart, labelEnd: settings.labelEnd };
  const etl = runEtl({ salesCsv: data.salesCsv, eventsJson: data.eventsJson, customers }, opts);
  const t2 = performance.now();
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
