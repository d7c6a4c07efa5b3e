import { describe, expect, it } from 'vitest';
import { checkFields, decodeSettings, fieldError, fieldErrors, SettingsError, type Field } from '../../../src/lib/core/fields';

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
});
