import { describe, expect, it } from 'vitest';
import { checkColumns, checkMagic, checkUploadFile, csvHeader, decodeCsv, describeAllocationFailure, guessDelimiter, isFormulaLike, numericTextWarnings, tableNameFor, UploadError, UPLOAD_LIMITS } from '../../../src/lib/data/upload';

const err = (f: () => unknown): UploadError => {
  try {
    f();
  } catch (e) {
    if (e instanceof UploadError) return e;
    throw e;
  }
  throw new Error('did not throw');
};

describe('upload checks', () => {
  it('checkUploadFile refuses a file over the size limit up front, naming its size and the limit', () => {
    const e = err(() => checkUploadFile({ name: 'huge.csv', size: 3 * 1024 ** 3 }));
    expect(e.stage).toBe('file');
    expect(e.message).toContain('3072.0 MB');
    expect(e.message).toContain('256.0 MB');
    expect(checkUploadFile({ name: 'a.CSV', size: 10 })).toBe('csv');
    expect(checkUploadFile({ name: 'a.parquet', size: UPLOAD_LIMITS.maxBytes })).toBe('parquet');
    expect(err(() => checkUploadFile({ name: 'a.xlsx', size: 10 })).message).toMatch(/only \.csv/);
    expect(err(() => checkUploadFile({ name: 'a.csv', size: 0 })).message).toMatch(/empty/);
  });

  it('checkMagic tells a corrupt or truncated Parquet file from a CSV', () => {
    const par = new Uint8Array([0x50, 0x41, 0x52, 0x31, 1, 2, 3, 4, 5, 6, 7, 8, 0x50, 0x41, 0x52, 0x31]);
    expect(() => checkMagic('ok.parquet', 'parquet', par)).not.toThrow();
    expect(err(() => checkMagic('t.parquet', 'parquet', par.subarray(0, 14))).message).toMatch(/corrupt Parquet.*truncated/);
    expect(err(() => checkMagic('x.parquet', 'parquet', new TextEncoder().encode('a,b\n1,2\n9,9,9'))).message).toMatch(/not a Parquet file/);
    expect(err(() => checkMagic('x.csv', 'csv', par)).message).toMatch(/rename it to \.parquet/);
    expect(err(() => checkMagic('x.csv', 'csv', new Uint8Array([97, 0, 98]))).message).toMatch(/NUL/);
  });

  it('decodeCsv refuses invalid UTF-8 instead of replacing characters', () => {
    expect(decodeCsv('a.csv', new TextEncoder().encode('é,b'))).toBe('é,b');
    expect(err(() => decodeCsv('a.csv', new Uint8Array([0xff, 0xfe, 0x41]))).message).toMatch(/UTF-8/);
  });

  it('tableNameFor makes a safe identifier and never reuses an existing table name', () => {
    expect(tableNameFor('My Sales (2025).csv', [])).toBe('my_sales_2025');
    expect(tableNameFor('sales.csv', ['sales', 'sales_2'])).toBe('sales_3');
    expect(tableNameFor('2025.csv', [])).toBe('t_2025');
    expect(tableNameFor('<script>.csv', [])).toBe('script');
    expect(tableNameFor('select.csv', [])).toBe('select_file');
    expect(tableNameFor('=====.csv', [])).toBe('t');
  });

  it('csvHeader reads the first record with quotes and the guessed delimiter', () => {
    expect(csvHeader('a,"b,c","d""e"\n1,2,3')).toEqual(['a', 'b,c', 'd"e']);
    expect(csvHeader('\uFEFFx;y;z\r\n1;2;3')).toEqual(['x', 'y', 'z']);
    expect(guessDelimiter('a\tb\tc')).toBe('\t');
    expect(csvHeader('"multi\nline",b\n1,2')).toEqual(['multi\nline', 'b']);
    expect(csvHeader('<img onerror="x()">,b')).toEqual(['<img onerror="x()">', 'b']);
  });

  it('checkColumns refuses 10,000 columns with the number; warns about formula and markup names', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `c${i}`);
    const e = err(() => checkColumns('wide.csv', many));
    expect(e.stage).toBe('columns');
    expect(e.message).toContain('10,000 columns');
    expect(e.message).toContain('1,000');
    const w = checkColumns('x.csv', ['=SUM(A1)', '<img src=x onerror=alert(1)>', 'ok', 'ok', '']);
    expect(w.join('\n')).toMatch(/column 1 .*formula/);
    expect(w.join('\n')).toMatch(/column 2 .*markup/);
    expect(w.join('\n')).toMatch(/column 4 repeats/);
    expect(w.join('\n')).toMatch(/column 5 has no name/);
    expect(checkColumns('x.csv', ['a', 'b'])).toEqual([]);
  });

  it('isFormulaLike flags = + - @ tab CR at the start only', () => {
    for (const s of ['=1+1', '+1', '-2', '@SUM(A1)', '\tx', '\rx']) expect(isFormulaLike(s)).toBe(true);
    for (const s of ['a=1', '', ' =1', 'x-1']) expect(isFormulaLike(s)).toBe(false);
  });

  it('describeAllocationFailure recognises out-of-memory errors only', () => {
    expect(describeAllocationFailure(new RangeError('Array buffer allocation failed'), 'big.parquet', 300 * 1024 * 1024)).toMatch(/big\.parquet \(300\.0 MB\) did not fit/);
    expect(describeAllocationFailure(new Error('Parser Error'), 'a.csv', 10)).toBeNull();
  });

  it('numericTextWarnings flags a mostly-numeric text column (a CSV with wrong types) only', () => {
    const w = numericTextWarnings(['amount', 'name', 'clean'], [{ n: 100, k: 97, bad: 'n/a' }, { n: 100, k: 3, bad: 'Ada' }, { n: 10, k: 10, bad: null }]);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/"amount" is mostly numbers but 3 of 100 values are not \(for example "n\/a"\)/);
  });
});
