/**
 * Settings of a data lab as a field table (the eval kit's Field: the controls, the URL and the
 * checks read the same list). Used by the data labs through DataLabState (lab-state.svelte.ts).
 */
import { SettingsError, type Field } from '../../src/lib/eval/experiments/settings';
import type { ParamSpec } from '../../src/lib/runtime/url-state';

export type Values = Record<string, number | string>;

/** Throw a SettingsError naming the first field out of its range or choices. */
export function checkFields(fields: Field[], v: Values): void {
  for (const f of fields) {
    const x = v[f.key];
    if (f.kind === 'choice') {
      if (!f.options!.some((o) => o.value === x)) throw new SettingsError(f.key, `${f.label} must be one of ${f.options!.map((o) => o.value).join(', ')}.`);
      continue;
    }
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new SettingsError(f.key, `${f.label} must be a number.`);
    if (f.integer && !Number.isInteger(x)) throw new SettingsError(f.key, `${f.label} must be a whole number.`);
    if (x < f.min! || x > f.max!) throw new SettingsError(f.key, `${f.label} must be between ${f.min} and ${f.max}; it is ${x}.`);
  }
}

export function fieldSpec<T extends Values>(fields: Field[]): ParamSpec<T> {
  return Object.fromEntries(fields.map((f) => [f.key, { kind: f.kind === 'choice' ? 'string' : 'number' }])) as unknown as ParamSpec<T>;
}
