import { describe, expect, it } from 'vitest';
import { count, fixed, formatBytes, formatDuration, pct, plural } from '../../../src/lib/core/format';

describe('core/format', () => {
  it('formatBytes writes binary units by default and decimal ones on request', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(940_584)).toBe('918.5 KiB');
    expect(formatBytes(1024 * 1024 - 10)).toBe('1.0 MiB');
    expect(formatBytes(120e9, { si: true })).toBe('120.0 GB');
    expect(formatBytes(940_584, { si: true })).toBe('940.6 kB');
    expect(formatBytes(NaN)).toBe('–');
  });

  it('formatDuration picks the unit a reader expects', () => {
    expect(formatDuration(0.4213)).toBe('0.42 ms');
    expect(formatDuration(38.4)).toBe('38 ms');
    expect(formatDuration(3210)).toBe('3.2 s');
    expect(formatDuration(65_000)).toBe('1 min 05 s');
    expect(formatDuration(2 * 3600_000 + 3 * 60_000)).toBe('2 h 03 min');
  });

  it('pct, fixed, count and plural', () => {
    expect(pct(0.8553)).toBe('85.5%');
    expect(pct(NaN)).toBe('–');
    expect(fixed(0.12345)).toBe('0.123');
    expect(count(12345.4)).toBe('12,345');
    expect(plural(1, 'run')).toBe('1 run');
    expect(plural(0, 'day')).toBe('0 days');
    expect(plural(2, 'query', 'queries')).toBe('2 queries');
  });
});
