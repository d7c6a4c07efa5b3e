import { describe, expect, it } from 'vitest';
import { names, numbersIn, statesNumber, statesShare } from '../../labs/kit/answer';

describe('reading numbers and choices in a written answer', () => {
  it('finds numbers, percentages (also as fractions), thousands separators', () => {
    expect(numbersIn('21% of 1,234 runs, 4.2× and -0.5, .3')).toEqual([21, 0.21, 1234, 4.2, -0.5, 0.3]);
    expect(numbersIn('no numbers here')).toEqual([]);
  });
  it('statesNumber needs a number within the tolerance', () => {
    expect(statesNumber('about 412 users', 412.3, 1)).toBe(true);
    expect(statesNumber('about 400 users', 412.3, 1)).toBe(false);
    expect(statesNumber(undefined, 1, 1)).toBe(false);
    expect(statesNumber('NaN 1', NaN, 1)).toBe(false);
  });
  it('statesShare reads 0.21, 21% and 21 alike', () => {
    for (const a of ['0.21', '21%', 'roughly 21 percent']) expect(statesShare(a, 0.214, 0.01)).toBe(true);
    expect(statesShare('0.3', 0.214, 0.01)).toBe(false);
  });
  it('names matches whole words only', () => {
    expect(names('The income feature', 'income')).toBe(true);
    expect(names('The incomes feature', 'income')).toBe(false);
    expect(names('age.', 'age')).toBe(true);
  });
});
