/**
 * A learner's CSV text made ready for DuckDB's reader, and DuckDB's refusals told in one sentence.
 * What a spreadsheet or pandas writes is accepted: a byte-order mark, CRLF, LF and lone-CR line
 * ends mixed in one file (Excel on a Mac, files concatenated by hand), newlines inside quoted
 * cells. Line ends outside quotes become LF, so DuckDB's sniffer sees one dialect; quoted cells are
 * left byte for byte. Refusals name a row number and a size, never the file's content.
 */
import { formatBytes, guessDelimiter, UploadError } from './upload.ts';

export const CSV_LIMITS = {
  /** Longest row accepted: DuckDB's reader refuses longer lines (its max_line_size defaults to 2,097,152 bytes). */
  maxRowBytes: 2 * 1024 * 1024,
  /** Longest message shown for a CSV that could not be loaded. */
  maxMessageChars: 240,
};

export interface PreparedCsv {
  /** The text with a BOM removed and every line end outside quotes as LF. */
  text: string;
  /** Records in the file, the header included. */
  rows: number;
  /** What was changed, for a note (e.g. "mixed line ends (CRLF and LF) read as one kind"). */
  changes: string[];
}

const encoder = new TextEncoder();

/**
 * Prepare CSV text for DuckDB: strip a BOM, make line ends outside quotes LF, and refuse a row over
 * `maxRowBytes` or a quote that never closes, with the row number (row 1 is the header).
 * A quote opens a quoted cell only at the start of a cell (as RFC 4180 and pandas read it); inside
 * one, "" is a quote character. Scans with a regular expression, so a 100 MB file takes well under a second.
 */
export function prepareCsv(name: string, raw: string, limits: Pick<typeof CSV_LIMITS, 'maxRowBytes'> = CSV_LIMITS): PreparedCsv {
  const changes: string[] = [];
  let text = raw;
  if (text.charCodeAt(0) === 0xfeff) {
    text = text.slice(1);
    changes.push('a byte-order mark removed');
  }
  const firstEnd = text.search(/[\r\n]/);
  const delim = guessDelimiter(firstEnd < 0 ? text : text.slice(0, firstEnd));
  const re = /["\r\n]/g;
  const out: string[] = [];
  const ends = { crlf: 0, lf: 0, cr: 0 };
  let copied = 0;
  let rowStart = 0;
  let quoteAt = -1;
  let quotedRow = 0;
  let row = 1;
  const checkRow = (end: number) => {
    // A UTF-16 unit is at most 3 UTF-8 bytes: count the bytes only of rows that might be over.
    if ((end - rowStart) * 3 <= limits.maxRowBytes) return;
    const bytes = encoder.encode(text.slice(rowStart, end)).byteLength;
    if (bytes > limits.maxRowBytes) {
      throw new UploadError(`${shortName(name)}: row ${row.toLocaleString('en')} is ${formatBytes(bytes)}, over the ${formatBytes(limits.maxRowBytes)} a row may have (a cell holding a whole document?).`, 'read');
    }
  };
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const i = m.index;
    const ch = m[0];
    if (quoteAt >= 0) {
      if (ch !== '"') continue;
      if (text[i + 1] === '"') re.lastIndex = i + 2;
      else quoteAt = -1;
      continue;
    }
    if (ch === '"') {
      if (i === rowStart || text[i - 1] === delim) {
        quoteAt = i;
        quotedRow = row;
      }
      continue;
    }
    checkRow(i);
    const crlf = ch === '\r' && text[i + 1] === '\n';
    if (crlf) ends.crlf++;
    else if (ch === '\r') ends.cr++;
    else ends.lf++;
    if (ch === '\r') {
      out.push(text.slice(copied, i), '\n');
      copied = i + (crlf ? 2 : 1);
    }
    rowStart = re.lastIndex = i + (crlf ? 2 : 1);
    if (rowStart < text.length) row++;
  }
  if (quoteAt >= 0) {
    throw new UploadError(`${shortName(name)}: a quote opened in row ${quotedRow.toLocaleString('en')} is never closed, so the rest of the file would be one cell.`, 'read');
  }
  checkRow(text.length);
  if (copied > 0) {
    out.push(text.slice(copied));
    text = out.join('');
  }
  const kinds = (['crlf', 'lf', 'cr'] as const).filter((k) => ends[k] > 0);
  if (kinds.length > 1) changes.push(`mixed line ends (${kinds.map((k) => k.toUpperCase()).join(' and ')}) read as one kind`);
  return { text, rows: text.length === 0 ? 0 : row, changes };
}

const shortName = (name: string) => (name.length > 60 ? `${name.slice(0, 57)}…` : name);

/**
 * DuckDB's refusal of a CSV as one plain sentence of at most maxMessageChars: what kind of problem
 * and, where DuckDB names one, the line. Never DuckDB's sniffer dump (advice about options the
 * learner cannot set) and never the file's content.
 */
export function csvLoadMessage(fileName: string, table: string, error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const line = /\bline:?\s*(\d+)/i.exec(raw)?.[1];
  const at = line ? ` (around line ${Number(line).toLocaleString('en')})` : '';
  let why: string;
  if (/unterminated quote|quote.*not (closed|terminated)|unclosed quote/i.test(raw)) why = `a quoted cell is never closed${at}`;
  else if (/expected number of columns|too many columns|column count|found \d+ columns?|more columns than/i.test(raw)) why = `its rows do not all have the header's number of columns${at}`;
  else if (/max(imum)?[ _]line[ _]size|line.*too long|exceeds.*line/i.test(raw)) why = `a row is longer than the reader allows${at}`;
  else if (/could not convert|conversion error|failed to cast/i.test(raw)) why = `a value does not fit the type its column was read as${at}`;
  else if (/invalid unicode|utf-?8/i.test(raw)) why = `it is not valid UTF-8 text${at}`;
  else if (/out of memory|allocation/i.test(raw)) why = 'the browser ran out of memory reading it';
  else why = `the reader could not make out its layout${at}`;
  const msg = `${shortName(fileName)} could not be loaded as table "${table.slice(0, 48)}": ${why}. Your other tables are unchanged.`;
  return msg.length <= CSV_LIMITS.maxMessageChars ? msg : `${msg.slice(0, CSV_LIMITS.maxMessageChars - 1)}…`;
}
