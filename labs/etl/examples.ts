/** Starting queries for the ETL lab's SQL panel: each answers a question about the run. */
export const EXAMPLES = [
  { label: 'Churn by frequency', sql: 'SELECT frequency, count(*) AS customers, avg(churned) AS churn_rate\nFROM features GROUP BY frequency ORDER BY frequency' },
  { label: 'Removed rows by rule', sql: 'SELECT rule, count(*) AS n FROM removed_rows GROUP BY rule ORDER BY n DESC' },
  { label: 'Raw bad timestamps', sql: "SELECT s.line, s.ts, s.updated_at\nFROM stg_sales s WHERE s.rule = 'bad_timestamp' LIMIT 20" },
  { label: 'ETL vs ELT, by customer', sql: 'SELECT e.customer_id, e.monetary AS etl, l.monetary AS elt, e.monetary - l.monetary AS diff\nFROM etl_features e JOIN features l USING (customer_id)\nORDER BY abs(diff) DESC LIMIT 10' },
  { label: 'Monthly revenue', sql: "SELECT date_trunc('month', ts) AS month, sum(amount) AS revenue, count(*) AS sales\nFROM clean_sales GROUP BY month ORDER BY month" },
];
