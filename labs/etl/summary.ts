/** What a run of the ETL lab records (RunRecord.params.result): the numbers exercises and the run table read. */
import type { EtlJobOutput } from '../../src/lib/runners/etl';
import type { Agreement } from '../../src/lib/data/pipeline-outputs';
import { REMOVE_RULES, type RemoveRule } from '../../src/lib/data/pipeline';

export interface EltOutcome {
  agreement: Agreement;
  /** Every rule removed as many rows in SQL as in TS. */
  sameRemovals: boolean;
  ms: number;
  edited: boolean;
}

export function runSummary(job: EtlJobOutput, elt: EltOutcome | null, qaFailed: number): Record<string, number> {
  const r = job.result;
  const v = r.validation;
  const mismatches = elt ? elt.agreement.columns.reduce((a, c) => a + c.mismatches, 0) + elt.agreement.onlyElt + elt.agreement.onlyEtl : NaN;
  return {
    removed_total: v.removed.length,
    ...(Object.fromEntries(REMOVE_RULES.map((k: RemoveRule) => [`removed_${k}`, v.removedByRule[k]])) as Record<string, number>),
    capped: v.fixes.capped, imputed: v.fixes.imputed_customer + v.fixes.imputed_global, cap: v.cap,
    clean_sales: r.counts.cleanSales, feature_rows: r.counts.featureRows, churn_rate: r.churnRate, recency_auc: r.recencyAuc,
    overlap_days: r.windows.overlapDays, leaked_purchases: r.leakedPurchases,
    agree: elt ? (elt.agreement.agree && elt.sameRemovals ? 1 : 0) : NaN, mismatches, elt_edited: elt?.edited ? 1 : 0,
    etl_ms: job.ms.etl, elt_ms: elt?.ms ?? NaN, qa_failed: qaFailed,
  };
}
