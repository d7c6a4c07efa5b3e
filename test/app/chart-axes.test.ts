import { describe, expect, it } from 'vitest';
import { INTEGER_STEPS, integerAxis, integerValued, latest, legendValue, seriesColor, tickLabels } from '../../src/app/chart-axes';

describe('chart axes', () => {
  it('tickLabels(splits) adds decimals until neighbours differ, and never writes -0', () => {
    expect(tickLabels([-0.0012, -0.0006, 0, 0.0006])).toEqual(['-0.0012', '-0.0006', '0.0000', '0.0006']);
    expect(tickLabels([0, 0.25, 0.5, 0.75, 1])).toEqual(['0.00', '0.25', '0.50', '0.75', '1.00']);
    expect(tickLabels([0, 2, 4, 6])).toEqual(['0', '2', '4', '6']);
    expect(tickLabels([-0.4, 0, 0.4])).toEqual(['-0.4', '0.0', '0.4']);
    expect(tickLabels([-1e-9, 0])[1]).toBe('0e+0');
    const labels = tickLabels([0.1, 0.1 + 1e-9]);
    expect(labels[0]).not.toBe(labels[1]);
  });

  it('tickLabels switches to exponent form for very large and very small magnitudes', () => {
    expect(tickLabels([0, 1e6, 2e6])).toEqual(['0e+0', '1e+6', '2e+6']);
    expect(tickLabels([0, 5e-5, 1e-4].slice(0, 2))).toEqual(['0e+0', '5e-5']);
  });

  it('integerAxis(label, values) is true for counting axes by name or by whole-number data', () => {
    expect(integerAxis('epoch', [0.01, 0.5, 1.37])).toBe(true);
    expect(integerAxis('Rounds', [0.5])).toBe(true);
    expect(integerAxis('threshold', [0.1, 0.2])).toBe(false);
    expect(integerAxis('day', [])).toBe(true);
    expect(integerAxis('users', [1, 2, 3])).toBe(true);
    expect(integerValued([null, 2, NaN, 4])).toBe(true);
    expect(integerValued([null, NaN])).toBe(false);
    expect(integerValued([1, 2.5])).toBe(false);
  });

  it('INTEGER_STEPS are whole numbers in 1-2-5 order', () => {
    expect(INTEGER_STEPS.slice(0, 7)).toEqual([1, 2, 5, 10, 20, 50, 100]);
    expect(INTEGER_STEPS.every((s) => Number.isInteger(s))).toBe(true);
  });

  it('seriesColor(i) gives eight distinct colours before repeating', () => {
    const first = Array.from({ length: 8 }, (_, i) => seriesColor(i));
    expect(new Set(first).size).toBe(8);
    expect(seriesColor(8)).toBe(seriesColor(0));
    expect(seriesColor(-1)).toBe(seriesColor(7));
  });

  it('latest(x, y) is the last finite point; legendValue keeps 3 significant digits', () => {
    expect(latest([1, 2, 3], [0.5, 0.4, NaN])).toEqual({ x: 2, y: 0.4 });
    expect(latest([1], [NaN])).toBeUndefined();
    expect(legendValue(0.123456)).toBe('0.123');
    expect(legendValue(1234.5678)).toBe('1,230');
    expect(legendValue(12)).toBe('12');
    expect(legendValue(0.00001234)).toBe('1.23e-5');
    expect(legendValue(NaN)).toBe('–');
  });
});
