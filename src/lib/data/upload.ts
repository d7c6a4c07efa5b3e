/**
 * Checks on a learner's own file before it becomes a DuckDB table, as pure functions (no DOM).
 * Everything refused is refused with the number that broke the limit and where it was seen, so
 * the message can be shown as is; nothing here touches the tables already loaded.
 */

export const UPLOAD_LIMITS = {
  /**
   * Largest file accepted. The bytes are held by the page, copied to the data worker, and decoded
   * into DuckDB's own memory (wasm32: at most 4 GiB for everything), so a file needs a few times
   * its size in memory.
   */
  maxBytes: 256 * 1024 * 1024,
  /** Most columns accepted: beyond this a table is almost surely a transposed or broken file. */
  maxColumns: 1000,
  /** Longest table name made from a file name. */
  maxNameChars: 48,
};

export type UploadLimits = typeof UPLOAD_LIMITS;
export type UploadKind = 'csv' | 'parquet';
/** Where an upload failed: the file itself, reading it, its columns, or loading it into DuckDB. */
export type UploadStage = 'file' | 'read' | 'columns' | 'load';

export class UploadError extends Error {
  constructor(message: string, readonly stage: UploadStage, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UploadError';
  }
}

const MB = 1024 * 1024;
export function formatBytes(n: number): string {
  if (n >= MB) return `${(n / MB).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

/** Refuse a file up front by its name and size, before any byte is read. */
export function checkUploadFile(file: { name: string; size: number }, limits: UploadLimits = UPLOAD_LIMITS): UploadKind {
  if (file.size === 0) throw new UploadError(`${file.name} is empty (0 bytes).`, 'file');
  if (file.size > limits.maxBytes) {
    throw new UploadError(
      `${file.name} is ${formatBytes(file.size)}, over the ${formatBytes(limits.maxBytes)} limit for a file loaded in the browser (it needs several times its size in memory). Use a sample of it.`,
      'file',
    );
  }
  const ext = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase();
  if (ext === 'parquet' || ext === 'pq') return 'parquet';
  if (ext === 'csv' || ext === 'tsv' || ext === 'txt') return 'csv';
  throw new UploadError(`${file.name}: only .csv (or .tsv/.txt) and .parquet files can be added as tables.`, 'file');
}

/** Check a file's first and last bytes match its kind: Parquet starts and ends with "PAR1"; CSV is text. */
export function checkMagic(name: string, kind: UploadKind, bytes: Uint8Array): void {
  const par1 = (at: number) => bytes[at] === 0x50 && bytes[at + 1] === 0x41 && bytes[at + 2] === 0x52 && bytes[at + 3] === 0x31;
  if (kind === 'parquet') {
    if (bytes.byteLength < 12 || !par1(0)) throw new UploadError(`${name} is not a Parquet file: it does not start with the "PAR1" magic bytes.`, 'read');
    if (!par1(bytes.byteLength - 4)) throw new UploadError(`${name} is a corrupt Parquet file: it does not end with "PAR1" (truncated?), ${formatBytes(bytes.byteLength)}.`, 'read');
    return;
  }
  if (bytes.byteLength >= 4 && par1(0)) throw new UploadError(`${name} looks like a Parquet file (it starts with "PAR1"); rename it to .parquet.`, 'read');
  const head = bytes.subarray(0, 4096);
  if (head.includes(0)) throw new UploadError(`${name} is not a text CSV file: it contains NUL bytes in its first ${head.byteLength} bytes.`, 'read');
}

/** Decode a CSV file's bytes as UTF-8, failing on invalid byte sequences rather than inventing characters. */
export function decodeCsv(name: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw new UploadError(`${name} is not valid UTF-8 text; save it as UTF-8 CSV.`, 'read', { cause: e });
  }
}

const RESERVED = new Set(['select', 'from', 'where', 'table', 'order', 'group', 'by', 'join', 'limit', 'union', 'all', 'as', 'and', 'or', 'not', 'null']);

/**
 * A table name from a file name: lower case letters, digits and underscores, starting with a letter,
 * not a SQL keyword, and not one of `existing` (a learner's file never replaces a lab's table: it gets _2, _3...).
 */
export function tableNameFor(fileName: string, existing: readonly string[], limits: UploadLimits = UPLOAD_LIMITS): string {
  let base = fileName.replace(/\.[^.]*$/, '').toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, limits.maxNameChars);
  if (!/^[a-z]/.test(base)) base = `t_${base}`.replace(/_+$/, '');
  if (RESERVED.has(base)) base = `${base}_file`;
  const taken = new Set(existing.map((s) => s.toLowerCase()));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** The delimiter DuckDB's sniffer would most likely pick: the candidate seen most often outside quotes in the first line. */
export function guessDelimiter(firstLine: string): string {
  let best = ',';
  let bestN = 0;
  for (const d of [',', ';', '\t', '|']) {
    let n = 0;
    let quoted = false;
    for (const ch of firstLine) {
      if (ch === '"') quoted = !quoted;
      else if (ch === d && !quoted) n++;
    }
    if (n > bestN) [best, bestN] = [d, n];
  }
  return best;
}

/** The header record of a CSV text (RFC 4180 quotes, the delimiter guessed), without reading the rest. */
export function csvHeader(text: string): string[] {
  let end = 0;
  let quoted = false;
  for (; end < text.length; end++) {
    const ch = text[end];
    if (ch === '"') quoted = !quoted;
    else if ((ch === '\n' || ch === '\r') && !quoted) break;
  }
  const line = text.slice(0, end).replace(/^\uFEFF/, '');
  const d = guessDelimiter(line);
  const out: string[] = [];
  let cur = '';
  quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"' && cur === '') quoted = true;
    else if (ch === d) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** A spreadsheet would run this text as a formula (OWASP "CSV injection"): it starts with = + - @, a tab or a CR. */
export function isFormulaLike(s: string): boolean {
  return /^[=+\-@\t\r]/.test(s);
}

/** Text a careless page would render as HTML. */
export function looksLikeMarkup(s: string): boolean {
  return /<[a-z!/?]/i.test(s) || /&[a-z#0-9]+;/i.test(s);
}

/**
 * Refuse too many columns (with the number); warn, without refusing, about names that are empty,
 * repeated, or look like formulas or markup (they are shown as text and escaped on export).
 */
export function checkColumns(name: string, columns: readonly string[], limits: UploadLimits = UPLOAD_LIMITS): string[] {
  if (columns.length > limits.maxColumns) {
    throw new UploadError(`${name} has ${columns.length.toLocaleString('en')} columns, over the limit of ${limits.maxColumns.toLocaleString('en')}. Is it transposed, or is the delimiter wrong?`, 'columns');
  }
  const warnings: string[] = [];
  const seen = new Set<string>();
  columns.forEach((c, i) => {
    const where = `column ${i + 1}`;
    if (!c.trim()) warnings.push(`${where} has no name; DuckDB names it for you.`);
    else if (seen.has(c)) warnings.push(`${where} repeats the name ${JSON.stringify(c)}; DuckDB renames the copy.`);
    if (isFormulaLike(c)) warnings.push(`${where} name ${JSON.stringify(c)} starts like a spreadsheet formula; it is shown as text and exported with a leading '.`);
    if (looksLikeMarkup(c)) warnings.push(`${where} name ${JSON.stringify(c)} contains markup; it is shown as text, never rendered.`);
    seen.add(c);
  });
  return warnings;
}

/** An allocation failure (the browser ran out of memory for the file) as a plain message, or null for other errors. */
export function describeAllocationFailure(e: unknown, name: string, size: number): string | null {
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  if (!/RangeError|allocation failed|out of memory|Cannot allocate|Array buffer|memory access out of bounds/i.test(msg)) return null;
  return `${name} (${formatBytes(size)}) did not fit in the memory this tab may use (${msg}). Use a smaller file; your other tables are unchanged.`;
}

/** SQL counting, per text column, the non-null values and those that parse as numbers. */
export function numericTextSql(table: string, columns: readonly string[]): string {
  const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
  const parts = columns.flatMap((c, i) => [`count(${q(c)}) AS n${i}`, `count(TRY_CAST(${q(c)} AS DOUBLE)) AS k${i}`, `min(${q(c)}) FILTER (WHERE TRY_CAST(${q(c)} AS DOUBLE) IS NULL) AS bad${i}`]);
  return `SELECT ${parts.join(', ')} FROM ${q(table)}`;
}

/**
 * Text columns that are mostly numbers (≥ 80 % of their values) are a CSV with wrong types: a
 * few stray values made DuckDB type the whole column as text. One warning per such column.
 */
export function numericTextWarnings(columns: readonly string[], counts: { n: number; k: number; bad: string | null }[]): string[] {
  return columns.flatMap((c, i) => {
    const { n, k, bad } = counts[i];
    if (n === 0 || k === n || k / n < 0.8) return [];
    return [`column ${JSON.stringify(c)} is mostly numbers but ${n - k} of ${n} values are not (for example ${JSON.stringify(bad)}), so it was loaded as text; use TRY_CAST(${JSON.stringify(c)} AS DOUBLE), which gives NULL for those.`];
  });
}
