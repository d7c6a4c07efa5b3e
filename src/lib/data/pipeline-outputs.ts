/**
 * What the ETL lab loads and hands out: the features as Arrow (→ features.parquet), the data
 * dictionary (JSON and Markdown), the run metadata and the QA report; and the ETL-vs-ELT
 * comparison of two feature tables.
 */
import { Float64, Table, makeVector, vectorFromArray } from 'apache-arrow';
import { RULE_TEXT, REMOVE_RULES, type EtlSummary, type Features, type PipelineOptions, type RemoveRule } from './pipeline.ts';

export const FEATURE_COLUMNS = ['customer_id', 'recency_days', 'frequency', 'monetary', 'avg_gap_days', 'tenure_days', 'events', 'support_tickets', 'churned'] as const;
export type FeatureColumn = (typeof FEATURE_COLUMNS)[number];
const KEY: Record<FeatureColumn, keyof Features> = {
  customer_id: 'customerId', recency_days: 'recencyDays', frequency: 'frequency', monetary: 'monetary', avg_gap_days: 'avgGapDays',
  tenure_days: 'tenureDays', events: 'events', support_tickets: 'supportTickets', churned: 'churned',
};

export function featuresToArrow(f: Features): Table {
  return new Table({
    customer_id: makeVector(f.customerId),
    recency_days: makeVector(f.recencyDays),
    frequency: makeVector(f.frequency),
    monetary: makeVector(f.monetary),
    avg_gap_days: vectorFromArray(Array.from(f.avgGapDays, (x) => (Number.isNaN(x) ? null : x)), new Float64()),
    tenure_days: makeVector(f.tenureDays),
    events: makeVector(f.events),
    support_tickets: makeVector(f.supportTickets),
    churned: makeVector(f.churned),
  });
}

/** A feature table read back (from DuckDB or Parquet) into columns; NULL → NaN. Throws if a column is missing. */
export function featuresFromArrow(t: Table): Features {
  const col = (name: FeatureColumn) => {
    const v = t.getChild(name);
    if (!v) throw new RangeError(`the feature table has no column ${name} (it has ${t.schema.fields.map((f) => f.name).join(', ')})`);
    return Float64Array.from({ length: t.numRows }, (_, i) => {
      const x = v.get(i);
      return x === null || x === undefined ? NaN : Number(x);
    });
  };
  const int = (name: FeatureColumn) => Int32Array.from(col(name));
  return {
    customerId: int('customer_id'), recencyDays: col('recency_days'), frequency: int('frequency'), monetary: col('monetary'), avgGapDays: col('avg_gap_days'),
    tenureDays: col('tenure_days'), events: int('events'), supportTickets: int('support_tickets'), churned: int('churned'),
  };
}

export interface ColumnAgreement {
  column: FeatureColumn;
  /** Customers whose values differ by more than the tolerance (NULL = NULL counts as equal). */
  mismatches: number;
  maxAbsDiff: number;
  /** The first customer that differs, for the learner to look at. */
  example?: { customerId: number; etl: number; elt: number };
}

export interface Agreement {
  agree: boolean;
  etlRows: number;
  eltRows: number;
  /** Customers in one table only. */
  onlyEtl: number;
  onlyElt: number;
  columns: ColumnAgreement[];
}

/** Compare two feature tables by customer_id; values agree within |a − b| ≤ tol·max(1, |a|) (sums differ in the last bits). */
export function compareFeatures(etl: Features, elt: Features, tol = 1e-9): Agreement {
  const at = new Map(Array.from(elt.customerId, (c, i) => [c, i]));
  const shared = Array.from(etl.customerId, (c, i) => [i, at.get(c)] as const).filter((p): p is readonly [number, number] => p[1] !== undefined);
  const columns = FEATURE_COLUMNS.filter((c) => c !== 'customer_id').map((column): ColumnAgreement => {
    const a = etl[KEY[column]];
    const b = elt[KEY[column]];
    let mismatches = 0;
    let maxAbsDiff = 0;
    let example: ColumnAgreement['example'];
    for (const [i, j] of shared) {
      const x = a[i];
      const y = b[j];
      const same = (Number.isNaN(x) && Number.isNaN(y)) || Math.abs(x - y) <= tol * Math.max(1, Math.abs(x));
      const diff = Number.isNaN(x) !== Number.isNaN(y) ? Infinity : Math.abs(x - y) || 0;
      if (!same) {
        mismatches++;
        example ??= { customerId: etl.customerId[i], etl: x, elt: y };
      }
      if (Number.isFinite(diff)) maxAbsDiff = Math.max(maxAbsDiff, diff);
    }
    return { column, mismatches, maxAbsDiff, example };
  });
  const onlyEtl = etl.customerId.length - shared.length;
  const onlyElt = elt.customerId.length - shared.length;
  return { agree: onlyEtl === 0 && onlyElt === 0 && columns.every((c) => c.mismatches === 0), etlRows: etl.customerId.length, eltRows: elt.customerId.length, onlyEtl, onlyElt, columns };
}

export interface DictionaryEntry {
  name: FeatureColumn;
  type: 'INTEGER' | 'DOUBLE';
  nullable: boolean;
  unit: string;
  description: string;
}

export function dataDictionary(o: PipelineOptions): DictionaryEntry[] {
  const obs = `purchases from ${o.observationStart} to ${o.observationEnd} (exclusive)`;
  return [
    { name: 'customer_id', type: 'INTEGER', nullable: false, unit: 'id', description: `The customer; one row per customer with at least one of the ${obs}.` },
    { name: 'recency_days', type: 'DOUBLE', nullable: false, unit: 'days', description: `Days from the last of the ${obs} to the cutoff ${o.observationEnd}.` },
    { name: 'frequency', type: 'INTEGER', nullable: false, unit: 'purchases', description: `Number of ${obs}, after cleaning.` },
    { name: 'monetary', type: 'DOUBLE', nullable: false, unit: 'currency', description: `Sum of cleaned amounts of the ${obs} (capped at the ${o.capPercentile} quantile, missing amounts imputed).` },
    { name: 'avg_gap_days', type: 'DOUBLE', nullable: true, unit: 'days', description: '(last − first purchase) / (frequency − 1): the mean inter-purchase gap; NULL when frequency = 1.' },
    { name: 'tenure_days', type: 'DOUBLE', nullable: false, unit: 'days', description: `Days from signup_date to the cutoff ${o.observationEnd}.` },
    { name: 'events', type: 'INTEGER', nullable: false, unit: 'events', description: `Non-purchase events (views, searches, carts, tickets) from ${o.observationStart} to ${o.observationEnd}.` },
    { name: 'support_tickets', type: 'INTEGER', nullable: false, unit: 'events', description: 'Support tickets in the same window.' },
    { name: 'churned', type: 'INTEGER', nullable: false, unit: '0/1', description: `The label: 1 if the customer made no purchase from ${o.labelStart} to ${o.labelEnd} (exclusive), else 0.` },
  ];
}

export function dictionaryMarkdown(entries: DictionaryEntry[], o: PipelineOptions): string {
  const rows = entries.map((e) => `| \`${e.name}\` | ${e.type}${e.nullable ? ' (nullable)' : ''} | ${e.unit} | ${e.description} |`);
  return [
    '# features.parquet: data dictionary',
    '',
    `Observation window ${o.observationStart} → ${o.observationEnd}; label window ${o.labelStart} → ${o.labelEnd}. Features use only rows inside the observation window.`,
    '',
    '| column | type | unit | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

export interface QaCheck {
  name: string;
  passed: boolean;
  detail: string;
}

export interface QaReport {
  checks: QaCheck[];
  removedByRule: Record<RemoveRule, number>;
  rules: Record<RemoveRule, string>;
  fixes: EtlSummary['validation']['fixes'];
  cap: number;
  globalMedian: number;
  /** Every removed sales row: its data line in sales.csv, sale_id, rule and why. */
  removed: EtlSummary['validation']['removed'];
  agreement?: Agreement;
}

/** The checks a reviewer would run on the output before anyone trains on it. */
export function qaReport(r: EtlSummary, agreement?: Agreement, dataEnd?: number): QaReport {
  const f = r.features;
  const n = f.customerId.length;
  const removedTotal = r.validation.removed.length;
  const nullsOutsideGap = FEATURE_COLUMNS.filter((c) => c !== 'avg_gap_days').some((c) => Array.from(f[KEY[c]] as ArrayLike<number>).some((x) => Number.isNaN(x)));
  const obsDays = (r.windows.obsEnd - r.windows.obsStart) / 86_400_000;
  const checks: QaCheck[] = [
    { name: 'one row per customer', passed: new Set(f.customerId).size === n, detail: `${n} rows, ${new Set(f.customerId).size} distinct customer_id` },
    { name: 'no missing values (avg_gap_days may be NULL when frequency = 1)', passed: !nullsOutsideGap && Array.from(f.avgGapDays).every((g, i) => Number.isNaN(g) === (f.frequency[i] === 1)), detail: `${Array.from(f.avgGapDays).filter(Number.isNaN).length} NULL gaps, ${Array.from(f.frequency).filter((x) => x === 1).length} customers with one purchase` },
    { name: 'recency within the observation window', passed: Array.from(f.recencyDays).every((x) => x > 0 && x <= obsDays), detail: `recency_days in [${Math.min(...f.recencyDays).toFixed(2)}, ${Math.max(...f.recencyDays).toFixed(2)}], window ${obsDays} days` },
    { name: 'label window after the observation window (no leakage)', passed: r.windows.overlapDays === 0, detail: r.windows.overlapDays === 0 ? 'the windows do not overlap' : `the windows overlap by ${r.windows.overlapDays} days: ${r.leakedPurchases} purchases are both features and label` },
    ...(dataEnd !== undefined ? [{ name: 'label window inside the data', passed: r.windows.labelEnd <= dataEnd + 86_400_000, detail: `the data ends ${new Date(dataEnd).toISOString().slice(0, 10)}; the label window ends ${r.options.labelEnd}` }] : []),
    { name: 'both classes present', passed: r.churnRate > 0.01 && r.churnRate < 0.99, detail: `churn rate ${(100 * r.churnRate).toFixed(1)}% of ${n}` },
    { name: 'at most 10% of sales rows removed', passed: removedTotal <= 0.1 * r.counts.salesRows, detail: `${removedTotal} of ${r.counts.salesRows} removed (${((100 * removedTotal) / r.counts.salesRows).toFixed(1)}%)` },
  ];
  if (agreement) checks.push({ name: 'ETL and ELT agree', passed: agreement.agree, detail: agreement.agree ? `${agreement.etlRows} customers, every feature within 1e-9` : `${agreement.columns.filter((c) => c.mismatches).map((c) => `${c.column}: ${c.mismatches} differ`).join(', ') || 'row counts differ'} (ETL ${agreement.etlRows} rows, ELT ${agreement.eltRows})` });
  return {
    checks, removedByRule: r.validation.removedByRule, rules: Object.fromEntries(REMOVE_RULES.map((k) => [k, RULE_TEXT[k]])) as Record<RemoveRule, string>,
    fixes: r.validation.fixes, cap: r.validation.cap, globalMedian: r.validation.globalMedian, removed: r.validation.removed, agreement,
  };
}
