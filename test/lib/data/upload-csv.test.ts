import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { csvLoadMessage, prepareCsv, CSV_LIMITS } from '../../../src/lib/data/csv-text';
import { UploadError } from '../../../src/lib/data/upload';

/** Rows Python's csv module read from each text (refs/csv_dialects.py). */
const refs = JSON.parse(readFileSync(new URL('./refs/csv_dialects.json', import.meta.url), 'utf8')) as { name: string; text: string; rows: string[][] }[];

/** A strict reader for what prepareCsv promises: LF line ends only outside quotes, RFC 4180 quoting. */
function readLf(text: string, delim: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let atStart = true;
  const endCell = () => {
    row.push(cell);
    cell = '';
    atStart = true;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
      continue;
    }
    if (ch === '"' && atStart) {
      quoted = true;
      atStart = false;
    } else if (ch === delim) endCell();
    else if (ch === '\n') {
      endCell();
      rows.push(row);
      row = [];
    } else if (ch === '\r') throw new Error(`a CR outside quotes at ${i}`);
    else {
      cell += ch;
      atStart = false;
    }
  }
  if (cell !== '' || row.length) rows.push([...row, cell]);
  return rows;
}

describe('prepareCsv', () => {
  for (const r of refs) {
    it(`prepareCsv keeps every record Python's csv module reads: ${r.name}`, () => {
      const p = prepareCsv('f.csv', r.text);
      expect(readLf(p.text, r.name.startsWith('semicolon') ? ';' : ',')).toEqual(r.rows);
      expect(p.rows).toBe(r.rows.length);
      expect(p.text.charCodeAt(0)).not.toBe(0xfeff);
    });
  }

  it('prepareCsv says what it changed: the BOM, and mixed line ends by kind', () => {
    expect(prepareCsv('f.csv', 'a,b\r\n1,2\n3,4\r5,6\r\n').changes).toEqual(['mixed line ends (CRLF and LF and CR) read as one kind']);
    expect(prepareCsv('f.csv', '\ufeffa\r\n1\r\n').changes).toEqual(['a byte-order mark removed']);
    expect(prepareCsv('f.csv', 'a\n1\n').changes).toEqual([]);
  });

  it('prepareCsv leaves an LF file as the same string (no copy, no change)', () => {
    const t = 'a,b\n"x\r\ny",2\n';
    expect(prepareCsv('f.csv', t).text).toBe(t);
  });

  it('prepareCsv refuses a 5 MB row in one sentence that names the row and both sizes, not the content', () => {
    const big = 'Q'.repeat(5 * 1024 * 1024);
    const err = (() => {
      try {
        prepareCsv('notes.csv', `id,text\n1,"${big}"\n2,short\n`);
      } catch (e) {
        return e as UploadError;
      }
    })();
    expect(err).toBeInstanceOf(UploadError);
    expect(err!.message).toBe('notes.csv: row 2 is 5.0 MB, over the 2.0 MB a row may have (a cell holding a whole document?).');
    expect(err!.message).not.toContain('QQQ');
  });

  it('prepareCsv counts multi-byte characters as the bytes they take (700,000 × "€" = 2.0 MB is over)', () => {
    expect(() => prepareCsv('e.csv', `a\n${'€'.repeat(700_000)}\n`)).toThrow(/row 2 is 2\.0 MB, over the 2\.0 MB/);
    expect(prepareCsv('e.csv', `a\n${'€'.repeat(690_000)}\n`).rows).toBe(2);
    expect(CSV_LIMITS.maxRowBytes).toBe(2 * 1024 * 1024);
  });

  it('prepareCsv refuses a quote that never closes, naming the row where it opened', () => {
    expect(() => prepareCsv('q.csv', 'a,b\n1,2\n3,"oops\n4,5\n')).toThrow('q.csv: a quote opened in row 3 is never closed, so the rest of the file would be one cell.');
  });
});

describe('csvLoadMessage', () => {
  const sniffer = `Error: Invalid Input Error: Error when sniffing file "__csv_t.csv".
It was not possible to automatically detect the CSV Parsing dialect/types
The search space used was:
Delimiter Candidates: ',', '|', ';', '\t'
Quote/Escape Candidates: ['"','"'],['"','\\0'],['"','''],['"','\\'],[''','\\']
Comment Candidates: '\\0', '#'
Possible fixes:
* Make sure you are using the correct file path and name.
* Set delimiter (e.g., delim=',')
* Set quote (e.g., quote='"')
* Set escape (e.g., escape='"')
* Set comment (e.g., comment='#')
* Set skip (skip=\${n}) to skip \${n} lines at the top of the file
* Enable ignore errors (ignore_errors=true) to ignore potential errors
* Enable null padding (null_padding=true) to pad missing columns with NULL values
* Check you are using the correct file encoding. If not, set it (e.g., encoding = 'utf-16')
* Set lineterminator (e.g., new_line = '\\r\\n')
* Set quote (e.g., quote='"')`;

  it('csvLoadMessage turns the sniffer dump into one sentence without DuckDB options', () => {
    const m = csvLoadMessage('sales.csv', 'sales', new Error(sniffer));
    expect(m).toBe('sales.csv could not be loaded as table "sales": the reader could not make out its layout. Your other tables are unchanged.');
  });

  it('csvLoadMessage names the kind of problem and the line, never the row content', () => {
    const cols = new Error('Invalid Input Error: CSV Error on Line: 7\nOriginal Line: secret,data,here,extra\nExpected Number of Columns: 3 Found: 4');
    const m = csvLoadMessage('x.csv', 'x', cols);
    expect(m).toBe('x.csv could not be loaded as table "x": its rows do not all have the header\'s number of columns (around line 7). Your other tables are unchanged.');
    expect(m).not.toContain('secret');
  });

  it('csvLoadMessage stays within 240 characters even for a long file name', () => {
    const m = csvLoadMessage(`${'n'.repeat(500)}.csv`, 't'.repeat(200), new Error('x'.repeat(11_000)));
    expect(m.length).toBeLessThanOrEqual(240);
    expect(m).not.toContain('xxxx');
  });
});
