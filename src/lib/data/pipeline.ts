/**
 * The ETL pipeline of the "ETL and ELT" lab, in plain TypeScript: extract the retail files (sales
 * CSV, events JSON, customers Parquet), validate and clean the sales, and transform them into
 * churn features per customer. src/lib/data/elt-sql.ts does the same in SQL; the two must agree.
 *
 * Validation, in this order (a row is removed by the first rule it breaks):
 *   1. missing_customer_id: customer_id empty.
 *   2. bad_number: sale_id, customer_id or quantity not a whole number.
 *   3. bad_timestamp: ts or updated_at not an ISO timestamp of a real calendar day and time.
 *   4. unknown_customer: customer_id not in the customers table.
 *   5. exact_duplicate: the same seven fields as an earlier kept row.
 *   6. superseded_update: another row has the same sale_id and a later updated_at (ties: the later line wins).
 * Then amounts (nothing removed): amount ≤ 0, empty or not a number is missing; positive amounts
 * above the cap (quantile_cont of the positive amounts at capPercentile, linear interpolation as
 * DuckDB's quantile_cont) are set to the cap; missing amounts take the customer's median amount
 * (after capping), or the global median if the customer has none.
 *
 * Features (leakage-safe: only rows with observationStart ≤ ts < observationEnd), one row per
 * customer with at least one purchase in that window:
 *   recency_days = (observationEnd − last purchase) in days; frequency = purchases;
 *   monetary = Σ amount; avg_gap_days = (last − first)/(frequency − 1), null if frequency = 1;
 *   tenure_days = observationEnd − signup_date in days; events = non-purchase events in the window;
 *   support_tickets = support_ticket events in the window;
 *   churned = 1 if no purchase with labelStart ≤ ts < labelEnd, else 0.
 */
import type { Table } from 'apache-arrow';
import { auc } from '../math/auc';
import { extractCustomers, extractEvents, extractSales } from './etl/extract';
import { buildFeatures, type Features } from './etl/features';
import { validateSales, type Validation } from './etl/validate';
import { PIPELINE_DEFAULTS, windows, type PipelineOptions, type Windows } from './etl/windows';

export { parseDay, parseTimestamp } from './etl/dates';
export { parseCsv } from './etl/csv';
export { extractSales, extractEvents, extractCustomers, type RawSale, type RawEvent } from './etl/extract';
export { REMOVE_RULES, RULE_TEXT, parseAmount, quantileCont, validateSales, type RemoveRule, type AmountFix, type RemovedRow, type CleanSale, type Validation } from './etl/validate';
export { PIPELINE_DEFAULTS, windows, type PipelineOptions, type Windows } from './etl/windows';
export { buildFeatures, type Features } from './etl/features';

/** ROC-AUC of a score for a 0/1 label (Mann–Whitney, ties count ½): how well one feature alone predicts churn. */
export const aucOf = (score: ArrayLike<number>, label: ArrayLike<number>): number => auc(label, score);

export interface EtlResult {
  options: PipelineOptions;
  windows: Windows;
  counts: { salesRows: number; events: number; eventsSkipped: number; customers: number; cleanSales: number; featureRows: number };
  validation: Validation;
  features: Features;
  /** Purchases counted in the features that also fall in the label window (0 unless the windows overlap). */
  leakedPurchases: number;
  churnRate: number;
  /** ROC-AUC of recency_days alone for the churn label: jumps when the windows overlap. */
  recencyAuc: number;
}

/** The whole ETL: extract, validate, transform. `customers` is the customers table read from its Parquet file. */
export function runEtl(input: { salesCsv: string; eventsJson: string; customers: Table }, opts: Partial<PipelineOptions> = {}): EtlResult {
  const options = { ...PIPELINE_DEFAULTS, ...opts };
  const w = windows(options);
  const raw = extractSales(input.salesCsv);
  const { events, skipped } = extractEvents(input.eventsJson);
  const customers = extractCustomers(input.customers);
  const validation = validateSales(raw, customers, options.capPercentile);
  const features = buildFeatures(validation.clean, events, customers, w);
  const lo = Math.max(w.obsStart, w.labelStart);
  const hi = Math.min(w.obsEnd, w.labelEnd);
  const leakedPurchases = validation.clean.filter((s) => s.t >= lo && s.t < hi).length;
  const churned = features.churned.reduce((a, b) => a + b, 0);
  return {
    options, windows: w, validation, features, leakedPurchases,
    counts: { salesRows: raw.length, events: events.length, eventsSkipped: skipped, customers: customers.size, cleanSales: validation.clean.length, featureRows: features.customerId.length },
    churnRate: features.customerId.length ? churned / features.customerId.length : NaN,
    recencyAuc: aucOf(features.recencyDays, features.churned),
  };
}

/** An ETL result without the cleaned rows themselves (what crosses from the worker to the page). */
export type EtlSummary = Omit<EtlResult, 'validation'> & { validation: Omit<Validation, 'clean'> };
