/**
 * The ELT variant of the pipeline: load the files raw (every sales and events field as text,
 * customers as typed by their Parquet file), then do every step of src/lib/data/pipeline.ts in
 * SQL (DuckDB dialect). Same rules, same order, same formulas, so ETL and ELT must give the same
 * features: the lab and the tests check that they do.
 *
 * Raw tables the SQL expects: raw_sales (sales.csv, all VARCHAR: read_csv(..., all_varchar = true)),
 * raw_events (events.json, all VARCHAR), raw_customers (customers.parquet or customers.sql).
 * In the browser the events JSON is turned into an all-text Arrow table by rawEventsArrow(): DuckDB's
 * JSON reader is an extension DuckDB-wasm would download, and Prodlab stays offline.
 */
import { Table, Utf8, vectorFromArray } from 'apache-arrow';
import { PIPELINE_DEFAULTS, windows, type PipelineOptions } from './pipeline.ts';

export interface EltStep {
  /** The table the step creates. */
  table: string;
  /** What the step does, in a sentence. */
  what: string;
  sql: string;
}

const WHOLE = `'[+-]?[0-9]{1,15}'`;
const TS = `'[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})?Z?'`;
const NUM = `'[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?'`;

/** Text → TIMESTAMP, accepting the same ISO form as pipeline.ts's parseTimestamp (NULL otherwise). */
const ts = (col: string) => `CASE WHEN regexp_full_match(trim(${col}), ${TS}) THEN TRY_CAST(trim(${col}) AS TIMESTAMP) END`;
const whole = (col: string) => `coalesce(regexp_full_match(trim(${col}), ${WHOLE}), false)`;
const lit = (day: string) => `TIMESTAMP '${day} 00:00:00'`;

/** The ELT steps for these options, in order. Each is one CREATE OR REPLACE TABLE statement. */
export function eltSteps(opts: Partial<PipelineOptions> = {}): EltStep[] {
  const o = { ...PIPELINE_DEFAULTS, ...opts };
  windows(o); // validates the dates and the percentile (they are inlined below)
  const p = Number(o.capPercentile);
  const [obsStart, obsEnd, labelStart, labelEnd] = [o.observationStart, o.observationEnd, o.labelStart, o.labelEnd].map(lit);
  return [
    {
      table: 'stg_sales',
      what: 'Type-cast every raw sales row and name the first validation rule it breaks (NULL = valid).',
      sql: `CREATE OR REPLACE TABLE stg_sales AS
SELECT rid + 1 AS line, sale_id, customer_id, ts, updated_at, amount, quantity, channel,
  ts_parsed, updated_parsed,
  CASE WHEN regexp_full_match(trim(amount), ${NUM}) THEN CAST(trim(amount) AS DOUBLE) END AS amount_num,
  CASE
    WHEN customer_id IS NULL OR trim(customer_id) = '' THEN 'missing_customer_id'
    WHEN NOT (${whole('sale_id')} AND ${whole('customer_id')} AND ${whole('quantity')}) THEN 'bad_number'
    WHEN ts_parsed IS NULL OR updated_parsed IS NULL THEN 'bad_timestamp'
    WHEN TRY_CAST(trim(customer_id) AS BIGINT) NOT IN (SELECT customer_id FROM raw_customers) THEN 'unknown_customer'
  END AS rule
FROM (SELECT rowid AS rid, *, ${ts('ts')} AS ts_parsed, ${ts('updated_at')} AS updated_parsed FROM raw_sales)`,
    },
    {
      table: 'stg_dedup',
      what: 'Rank exact duplicates (all seven fields equal, first line kept), then versions of a sale_id (latest updated_at kept, ties to the later line).',
      sql: `CREATE OR REPLACE TABLE stg_dedup AS
WITH valid AS (
  SELECT *, TRY_CAST(trim(sale_id) AS BIGINT) AS sale_id_num, TRY_CAST(trim(customer_id) AS BIGINT) AS customer_id_num, TRY_CAST(trim(quantity) AS BIGINT) AS quantity_num
  FROM stg_sales WHERE rule IS NULL
), exact AS (
  SELECT *, row_number() OVER (PARTITION BY sale_id, customer_id, ts, updated_at, amount, quantity, channel ORDER BY line) AS dup_rank FROM valid
)
SELECT *, CASE WHEN dup_rank = 1 THEN row_number() OVER (PARTITION BY sale_id_num, dup_rank = 1 ORDER BY updated_parsed DESC, line DESC) END AS version_rank
FROM exact`,
    },
    {
      table: 'removed_rows',
      what: 'Every removed row with the rule that removed it: the cleaning report.',
      sql: `CREATE OR REPLACE TABLE removed_rows AS
SELECT line, sale_id, rule FROM stg_sales WHERE rule IS NOT NULL
UNION ALL SELECT line, sale_id, 'exact_duplicate' FROM stg_dedup WHERE dup_rank > 1
UNION ALL SELECT line, sale_id, 'superseded_update' FROM stg_dedup WHERE version_rank > 1
ORDER BY line`,
    },
    {
      table: 'clean_sales',
      what: `Cap positive amounts at their ${p} quantile; amounts ≤ 0 or unreadable take the customer's median (else the global median).`,
      sql: `CREATE OR REPLACE TABLE clean_sales AS
WITH kept AS (SELECT * FROM stg_dedup WHERE version_rank = 1),
cap AS (SELECT quantile_cont(amount_num, ${p}) AS cap FROM kept WHERE amount_num > 0),
capped AS (
  SELECT k.*, CASE WHEN amount_num > 0 THEN least(amount_num, cap.cap) END AS amount_capped, coalesce(amount_num > cap.cap, false) AS was_capped, cap.cap
  FROM kept k, cap
),
med AS (SELECT customer_id_num, median(amount_capped) AS m FROM capped GROUP BY customer_id_num),
overall AS (SELECT median(amount_capped) AS g FROM capped)
SELECT line, sale_id_num AS sale_id, c.customer_id_num AS customer_id, ts_parsed AS ts, updated_parsed AS updated_at,
  coalesce(amount_capped, med.m, overall.g) AS amount, quantity_num AS quantity, channel,
  CASE WHEN amount_capped IS NULL THEN CASE WHEN med.m IS NOT NULL THEN 'imputed_customer' ELSE 'imputed_global' END
       WHEN was_capped THEN 'capped' END AS fix,
  cap, overall.g AS global_median
FROM capped c LEFT JOIN med USING (customer_id_num), overall
ORDER BY line`,
    },
    {
      table: 'clean_events',
      what: 'Type-cast the events; events without a readable timestamp or customer are skipped.',
      sql: `CREATE OR REPLACE TABLE clean_events AS
SELECT TRY_CAST(trim(customer_id) AS BIGINT) AS customer_id, ${ts('ts')} AS ts, type
FROM raw_events
WHERE ${whole('customer_id')} AND ${ts('ts')} IS NOT NULL AND type IS NOT NULL`,
    },
    {
      table: 'features',
      what: `Churn features per customer from ${o.observationStart} to ${o.observationEnd} (exclusive); churned = no purchase from ${o.labelStart} to ${o.labelEnd}.`,
      sql: `CREATE OR REPLACE TABLE features AS
WITH obs AS (SELECT * FROM clean_sales WHERE ts >= ${obsStart} AND ts < ${obsEnd}),
agg AS (SELECT customer_id, count(*) AS frequency, min(ts) AS first_ts, max(ts) AS last_ts, sum(amount) AS monetary FROM obs GROUP BY customer_id),
ev AS (
  SELECT customer_id, count(*) FILTER (WHERE type <> 'purchase') AS events, count(*) FILTER (WHERE type = 'support_ticket') AS support_tickets
  FROM clean_events WHERE ts >= ${obsStart} AND ts < ${obsEnd} GROUP BY customer_id
),
lab AS (SELECT DISTINCT customer_id FROM clean_sales WHERE ts >= ${labelStart} AND ts < ${labelEnd})
SELECT CAST(a.customer_id AS INTEGER) AS customer_id,
  (epoch_ms(${obsEnd}) - epoch_ms(a.last_ts)) / 86400000.0 AS recency_days,
  CAST(a.frequency AS INTEGER) AS frequency,
  a.monetary,
  CASE WHEN a.frequency > 1 THEN (epoch_ms(a.last_ts) - epoch_ms(a.first_ts)) / 86400000.0 / (a.frequency - 1) END AS avg_gap_days,
  (epoch_ms(${obsEnd}) - epoch_ms(CAST(CAST(c.signup_date AS DATE) AS TIMESTAMP))) / 86400000.0 AS tenure_days,
  CAST(coalesce(ev.events, 0) AS INTEGER) AS events,
  CAST(coalesce(ev.support_tickets, 0) AS INTEGER) AS support_tickets,
  CAST(CASE WHEN lab.customer_id IS NULL THEN 1 ELSE 0 END AS INTEGER) AS churned
FROM agg a JOIN raw_customers c ON c.customer_id = a.customer_id
LEFT JOIN ev ON ev.customer_id = a.customer_id
LEFT JOIN lab ON lab.customer_id = a.customer_id
ORDER BY a.customer_id`,
    },
  ];
}

/** Rows removed per rule, as the ELT counted them. */
export const REMOVED_BY_RULE_SQL = 'SELECT rule, count(*)::INTEGER AS n FROM removed_rows GROUP BY rule ORDER BY rule';
/** The amount fixes, the cap and the global median, as the ELT found them. */
export const FIXES_SQL = `SELECT count(*) FILTER (WHERE fix = 'capped')::INTEGER AS capped, count(*) FILTER (WHERE fix = 'imputed_customer')::INTEGER AS imputed_customer,
  count(*) FILTER (WHERE fix = 'imputed_global')::INTEGER AS imputed_global, any_value(cap) AS cap, any_value(global_median) AS global_median, count(*)::INTEGER AS clean_sales FROM clean_sales`;

/** events.json as an all-text Arrow table (the "load raw" step, without DuckDB's JSON extension). */
export function rawEventsArrow(json: string): Table {
  const rows = JSON.parse(json) as Record<string, unknown>[];
  if (!Array.isArray(rows)) throw new RangeError('events.json must be a JSON array of events');
  const cols = ['event_id', 'customer_id', 'ts', 'type', 'page', 'session_id'];
  const text = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v));
  return new Table(Object.fromEntries(cols.map((c) => [c, vectorFromArray(rows.map((r) => text(r[c])), new Utf8())])));
}
