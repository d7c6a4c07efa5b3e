import { describe, expect, it } from 'vitest';
import { Table, makeVector, vectorFromArray, Utf8, tableFromIPC, tableToIPC } from 'apache-arrow';
import { chartData, csvField, formatCell, pickChart, tableToCsv, toGrid, columnsOf } from '../../../src/lib/data/result-view';

describe('result view', () => {
  const t = new Table({
    name: vectorFromArray(['=HYPERLINK("http://x")', '<b>bold</b>', 'plain, with comma', null], new Utf8()),
    n: makeVector(new Float64Array([3, 1, 2, 4])),
    big: makeVector(new BigInt64Array([9007199254740993n, -1n, 0n, 5n])),
  });

  it('csvField prefixes formula-like cells with a quote, then quotes per RFC 4180', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('+33 1 23')).toBe("'+33 1 23");
    expect(csvField('-5')).toBe("'-5");
    expect(csvField('@x')).toBe("'@x");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField('\rx')).toBe("\"'\rx\"");
    expect(csvField('a "b", c')).toBe('"a ""b"", c"');
    expect(csvField('plain')).toBe('plain');
  });

  it('csvField leaves number and time cells unguarded, so -1.5 reads back as a number', () => {
    expect(csvField('-1.5', 'number')).toBe('-1.5');
    expect(csvField('-1e-7', 'number')).toBe('-1e-7');
    expect(csvField('-1.5', 'text')).toBe("'-1.5");
  });

  it('tableToCsv escapes every cell and the header, keeps exact int64 values', () => {
    const csv = tableToCsv(t).split('\r\n');
    expect(csv[0]).toBe('name,n,big');
    expect(csv[1]).toBe(`"'=HYPERLINK(""http://x"")",3,9007199254740993`);
    expect(csv[2]).toBe('<b>bold</b>,1,-1');
    expect(csv[3]).toBe('"plain, with comma",2,0');
    expect(csv[4]).toBe(',4,5');
  });

  it('toGrid gives text cells (markup stays text), NULL flags and the total count', () => {
    const g = toGrid(t, 2);
    expect(g.totalRows).toBe(4);
    expect(g.rows).toEqual([['=HYPERLINK("http://x")', '3', '9007199254740993'], ['<b>bold</b>', '1', '-1']]);
    expect(toGrid(t).nulls[3]).toEqual([true, false, false]);
    expect(columnsOf(t).map((c) => c.kind)).toEqual(['text', 'number', 'number']);
  });

  it('formatCell writes dates and timestamps in ISO form', async () => {
    const { DateDay, TimestampMillisecond } = await import('apache-arrow');
    expect(formatCell(Date.UTC(2025, 2, 4), new DateDay())).toBe('2025-03-04');
    expect(formatCell(Date.UTC(2025, 2, 4, 5, 6, 7), new TimestampMillisecond())).toBe('2025-03-04 05:06:07');
  });

  it('pickChart takes a text x and a numeric y; chartData gives bars in row order, lines sorted by x', () => {
    const cols = columnsOf(t);
    expect(pickChart(cols)).toEqual({ x: 'name', y: 'n', mark: 'bars' });
    const bars = chartData(t, 'name', 'n');
    expect(bars.mark).toBe('bars');
    expect(Array.from(bars.ys)).toEqual([3, 1, 2, 4]);
    const line = chartData(tableFromIPC(tableToIPC(t)), 'n', 'big');
    expect(line.mark).toBe('line');
    expect(Array.from(line.xs)).toEqual([1, 2, 3, 4]);
    expect(Array.from(line.ys)).toEqual([-1, 0, 9007199254740992, 5]);
    expect(pickChart([{ name: 'a', type: 'Utf8', kind: 'text' }])).toBeNull();
  });

  it('chartData draws a short time series as dated bars, a long one as a line in days since its start', async () => {
    const { TimestampMillisecond, Float64: F } = await import('apache-arrow');
    const day = 86_400_000;
    const mk = (n: number) => new Table({ t: vectorFromArray(Array.from({ length: n }, (_, i) => Date.UTC(2025, 0, 1) + (n - i) * day), new TimestampMillisecond()), v: vectorFromArray(Array.from({ length: n }, (_, i) => i), new F()) });
    const short = chartData(mk(3), 't', 'v');
    expect(short.mark).toBe('bars');
    expect(short.labels).toEqual(['2025-01-04 00:00:00', '2025-01-03 00:00:00', '2025-01-02 00:00:00']);
    const long = chartData(mk(50), 't', 'v');
    expect(long.mark).toBe('line');
    expect(long.xLabel).toBe('t (days since 2025-01-02 00:00:00)');
    expect(Array.from(long.xs.slice(0, 3))).toEqual([0, 1, 2]);
    expect(long.ys[0]).toBe(49);
  });
});
