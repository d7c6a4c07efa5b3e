/**
 * DuckDB's error messages with a line of advice for a learner. The message itself is kept as
 * DuckDB wrote it (after explainSqlError's note on extensions); the hint says what usually causes it.
 */
export interface ExplainedError {
  message: string;
  hint: string;
}

export function explainQueryError(message: string, tables: readonly string[]): ExplainedError {
  const list = tables.length ? tables.join(', ') : 'none yet';
  const rules: [RegExp, string][] = [
    [/Table with name .* does not exist/i, `That table is not loaded. Tables here: ${list}.`],
    [/Referenced column .* not found|column .* does not exist/i, 'Check the column names in the table list. A name with capitals, spaces or symbols needs "double quotes".'],
    [/must appear in the GROUP BY clause|be used in an aggregate function/i, 'Every selected column must be in GROUP BY or inside an aggregate such as sum(), count(), avg().'],
    [/Parser Error|syntax error/i, "A syntax error: look near the position given for a missing comma, bracket or quote. Text values take 'single quotes', names \"double quotes\"."],
    [/Conversion Error|Could not convert/i, 'A value could not be converted to the type asked for. TRY_CAST(x AS type) gives NULL instead of failing.'],
    [/cancelled|interrupted/i, 'The query was stopped; the tables are as they were.'],
    [/Out of Memory|memory limit/i, 'The query needed more memory than this tab has. Filter or aggregate before joining, or add LIMIT.'],
    [/Division by zero/i, 'Use NULLIF(divisor, 0) to get NULL instead of an error.'],
    [/extension/i, 'DuckDB extensions are not available offline; load files as tables and query those.'],
  ];
  const hit = rules.find(([re]) => re.test(message));
  return { message, hint: hit ? hit[1] : 'Read the first line of the message: DuckDB names the kind of error (Parser, Binder, Catalog, Conversion) and where it happened.' };
}
