/**
 * A query result (apache-arrow Table) as a learner sees it: cells as plain text, columns sorted
 * into numbers and text for a quick chart, and a CSV export that a spreadsheet cannot run.
 */
import { DataType, util, type Field, type Table } from 'apache-arrow';
import { isFormulaLike } from './upload.ts';

export type ColumnKind = 'number' | 'time' | 'text';

export interface ColumnView {
  name: string;
  /** Arrow's name for the type, e.g. Float64, Utf8, Timestamp<MICROSECOND>. */
  type: string;
  kind: ColumnKind;
}

export function columnKind(type: DataType): ColumnKind {
  if (DataType.isInt(type) || DataType.isFloat(type) || DataType.isDecimal(type)) return 'number';
  if (DataType.isTimestamp(type) || DataType.isDate(type)) return 'time';
  return 'text';
}

export function columnsOf(table: Table): ColumnView[] {
  return table.schema.fields.map((f: Field) => ({ name: f.name, type: String(f.type), kind: columnKind(f.type) }));
}

function jsonSafe(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? `0x${[...x].map((b) => b.toString(16).padStart(2, '0')).join('')}` : x));
}

/** One cell as text (NULL as ''): exact integers, ISO dates and times, decimals at their scale. */
export function formatCell(value: unknown, type: DataType): string {
  if (value === null || value === undefined) return '';
  if (DataType.isDecimal(type)) {
    const s = util.bigNumToBigInt(value as Parameters<typeof util.bigNumToBigInt>[0]);
    const scale = type.scale;
    if (scale === 0) return s.toString();
    const neg = s < 0n;
    const digits = (neg ? -s : s).toString().padStart(scale + 1, '0');
    return `${neg ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  if (DataType.isTimestamp(type) || DataType.isDate(type)) {
    const ms = typeof value === 'bigint' ? Number(value) : value instanceof Date ? value.getTime() : Number(value);
    if (!Number.isFinite(ms)) return String(value);
    const iso = new Date(ms).toISOString();
    return DataType.isDate(type) ? iso.slice(0, 10) : iso.replace('T', ' ').replace(/\.000Z$|Z$/, '');
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return jsonSafe(value).slice(1, -1);
  const json = (value as { toJSON?: () => unknown }).toJSON?.() ?? value;
  return jsonSafe(json);
}

/** One cell as a number for a chart (NaN where it is not one). Times are milliseconds since 1970. */
export function cellNumber(value: unknown, type: DataType): number {
  if (value === null || value === undefined) return NaN;
  if (DataType.isDecimal(type)) return util.bigNumToNumber(value as Parameters<typeof util.bigNumToNumber>[0], type.scale);
  if (value instanceof Date) return value.getTime();
  const n = Number(value);
  return Number.isFinite(n) ? n : NaN;
}

export interface Grid {
  columns: ColumnView[];
  /** The first `maxRows` rows, every cell as text. */
  rows: string[][];
  /** Which cells are NULL (shown differently from an empty string). */
  nulls: boolean[][];
  totalRows: number;
}

export function toGrid(table: Table, maxRows = 200): Grid {
  const columns = columnsOf(table);
  const n = Math.min(maxRows, table.numRows);
  const rows: string[][] = [];
  const nulls: boolean[][] = [];
  const vecs = table.schema.fields.map((_f, j) => table.getChildAt(j));
  for (let i = 0; i < n; i++) {
    const row: string[] = [];
    const nul: boolean[] = [];
    vecs.forEach((v, j) => {
      const x = v?.get(i);
      row.push(formatCell(x, table.schema.fields[j].type));
      nul.push(x === null || x === undefined);
    });
    rows.push(row);
    nulls.push(nul);
  }
  return { columns, rows, nulls, totalRows: table.numRows };
}

/**
 * A CSV field: a formula-like text cell gets a leading ' (a spreadsheet then shows it as text), then
 * RFC 4180 quoting. Number and time cells are written as they are: formatCell makes them digits,
 * a sign and a point only, which no spreadsheet runs, and a quote would turn -1.5 into text.
 */
export function csvField(s: string, kind: ColumnKind = 'text'): string {
  const safe = kind === 'text' && isFormulaLike(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The whole result as CSV text (header included), every cell through csvField with its column's kind. */
export function tableToCsv(table: Table): string {
  const fields = table.schema.fields;
  const vecs = fields.map((_f, j) => table.getChildAt(j));
  const kinds = fields.map((f) => columnKind(f.type));
  const lines = [fields.map((f) => csvField(f.name)).join(',')];
  for (let i = 0; i < table.numRows; i++) lines.push(vecs.map((v, j) => csvField(formatCell(v?.get(i), fields[j].type), kinds[j])).join(','));
  return lines.join('\r\n') + '\r\n';
}

export interface ChartPick {
  x: string;
  y: string;
  /** 'bars' for a text x (one bar per row), 'line' for a numeric or time x (sorted by x; chartData may still draw a short time series as bars). */
  mark: 'bars' | 'line';
}

/** A sensible first chart: x is the first text or time column (else the first number), y the first other number. Null if no numeric y. */
export function pickChart(columns: readonly ColumnView[]): ChartPick | null {
  const x = columns.find((c) => c.kind !== 'number') ?? columns.find((c) => c.kind === 'number');
  const y = columns.find((c) => c.kind === 'number' && c !== x);
  if (!x || !y) return null;
  return { x: x.name, y: y.name, mark: x.kind === 'text' ? 'bars' : 'line' };
}

/**
 * The chart's data for chosen x and y columns: bars (first maxBars rows, in row order) for a text x,
 * or a time x with at most maxBars rows (labels are the dates); otherwise a line sorted by x. A time
 * x on a line is in days since its first value (xLabel says from when).
 */
export function chartData(table: Table, x: string, y: string, maxBars = 40): { labels: string[]; xs: Float64Array; ys: Float64Array; mark: 'bars' | 'line'; xLabel: string } {
  const fx = table.schema.fields.find((f) => f.name === x);
  const fy = table.schema.fields.find((f) => f.name === y);
  const vx = table.getChild(x);
  const vy = table.getChild(y);
  if (!fx || !fy || !vx || !vy) return { labels: [], xs: new Float64Array(0), ys: new Float64Array(0), mark: 'bars', xLabel: x };
  const kind = columnKind(fx.type);
  const mark = kind === 'text' || (kind === 'time' && table.numRows <= maxBars) ? 'bars' : 'line';
  const n = mark === 'bars' ? Math.min(maxBars, table.numRows) : table.numRows;
  const idx = Array.from({ length: n }, (_, i) => i);
  let xnum = mark === 'line' ? idx.map((i) => cellNumber(vx.get(i), fx.type)) : [];
  let xLabel = x;
  if (mark === 'line' && kind === 'time') {
    const t0 = Math.min(...xnum.filter(Number.isFinite));
    xnum = xnum.map((t) => (t - t0) / 86_400_000);
    xLabel = `${x} (days since ${formatCell(t0, fx.type)})`;
  }
  if (mark === 'line') idx.sort((a, b) => xnum[a] - xnum[b]);
  return {
    mark,
    xLabel,
    labels: mark === 'bars' ? idx.map((i) => formatCell(vx.get(i), fx.type)) : [],
    xs: Float64Array.from(idx, (i) => (mark === 'line' ? xnum[i] : i)),
    ys: Float64Array.from(idx, (i) => cellNumber(vy.get(i), fy.type)),
  };
}
