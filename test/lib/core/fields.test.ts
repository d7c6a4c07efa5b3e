import { describe, expect, it } from 'vitest';
import { checkFields, decodeSettings, fieldError, fieldErrors, fieldOfMessage, SettingsError, type Field } from '../../../src/lib/core/fields';

const fields: Field[] = [
  { key: 'seed', label: 'Seed', kind: 'number', integer: true, min: 0, max: 100, explain: '' },
  { key: 'rate', label: 'Rate', kind: 'number', min: 0, explain: '' },
  { key: 'mode', label: 'Mode', kind: 'choice', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }], explain: '' },
  { key: 'rates', label: 'Rates', kind: 'text', explain: '' },
  { key: 'on', label: 'Switch', kind: 'boolean', explain: '' },
];
const good = { seed: 4, rate: 0.5, mode: 'a', rates: '0.1, 0.2', on: true };

describe('core/fields', () => {
  it('fieldError names the field and the bound it broke', () => {
    expect(fieldError(fields[0], 4)).toBe('');
    expect(fieldError(fields[0], 4.5)).toBe('Seed must be a whole number.');
    expect(fieldError(fields[0], 101)).toBe('Seed must be between 0 and 100; it is 101.');
    expect(fieldError(fields[1], -1)).toBe('Rate must be at least 0; it is -1.');
    expect(fieldError(fields[1], NaN)).toBe('Rate must be a number.');
    expect(fieldError(fields[2], 'c')).toBe('Mode must be one of a, b.');
    expect(fieldError(fields[3], '  ')).toBe('Rates is empty.');
    expect(fieldError(fields[4], 'yes')).toBe('Switch must be on or off.');
    const day: Field = { key: 'from', label: 'From', kind: 'date', explain: '' };
    expect(fieldError(day, '2025-02-28')).toBe('');
    expect(fieldError(day, '2025-02-30')).toBe('From must be a date written YYYY-MM-DD; it is "2025-02-30".');
    expect(fieldError(day, '1/2/2025')).toMatch(/From must be a date/);
  });

  it('checkFields throws a SettingsError for the first bad field; fieldErrors lists them all', () => {
    expect(() => checkFields(fields, good)).not.toThrow();
    const bad = { ...good, seed: -1, mode: 'z' };
    expect(() => checkFields(fields, bad)).toThrow(SettingsError);
    try {
      checkFields(fields, bad);
    } catch (e) {
      expect((e as SettingsError).field).toBe('seed');
    }
    expect(Object.keys(fieldErrors(fields, bad))).toEqual(['seed', 'mode']);
  });

  it('decodeSettings keeps good link parameters, drops a bad one with a warning naming it', () => {
    const { value, warnings } = decodeSettings('seed=7&rate=abc&mode=z&on=0&rates=1,2', good, fields);
    expect(value).toEqual({ seed: 7, rate: 0.5, mode: 'a', rates: '1,2', on: false });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/rate=abc/);
    expect(warnings[1]).toMatch(/mode=z.*Mode must be one of a, b/);
  });

  it('decodeSettings drops just the field a library rule names (a RangeError without a field)', () => {
    const rule = (v: typeof good) => {
      if (v.rates.split(',').length < 2) throw new RangeError('rates needs at least two numbers');
    };
    const { value, warnings } = decodeSettings('seed=9&rates=0.5', good, fields, rule);
    expect(value).toEqual({ ...good, seed: 9 });
    expect(warnings).toEqual(['Ignored rates=0.5: rates needs at least two numbers']);
  });

  it('fieldOfMessage picks the field a library message names first, by whole key or label', () => {
    expect(fieldOfMessage(fields, 'rates needs at least two numbers')).toBe('rates');
    expect(fieldOfMessage(fields, 'rate must lie in [0, 1]; rates are fine')).toBe('rate');
    expect(fieldOfMessage(fields, 'the switch and the seed disagree')).toBe('on');
    expect(fieldOfMessage(fields, 'seeds must be positive')).toBeUndefined();
  });
});
