/**
 * A lab's settings, described once as a table of fields: kind, bounds or options, default and a
 * one-line explanation. The page draws its controls from the table, links carry the settings
 * (fieldSpec, decodeSettings), and checkFields / fieldError check them, in one wording for every lab.
 */
import { decodeParams, type Decoded, type ParamSpec } from './url-state';

export type FieldKind = 'number' | 'choice' | 'text' | 'boolean';

export interface FieldOption {
  value: string;
  label: string;
}

export interface Field {
  key: string;
  label: string;
  /** One line beside the control: what the setting does and why it matters. */
  explain: string;
  kind: FieldKind;
  /** Bounds of a number field (inclusive). */
  min?: number;
  max?: number;
  /** Step of the number control. */
  step?: number;
  /** A number field that takes whole numbers only. */
  integer?: boolean;
  /** The choices of a choice field. */
  options?: FieldOption[];
  /** Heading of the group of controls this field starts. */
  group?: string;
  /** Shown under "More settings" rather than with the main controls. */
  advanced?: boolean;
}

/** A settings error that names the field at fault (decodeSettings drops just that field from a link). */
export class SettingsError extends Error {
  override name = 'SettingsError';
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

const fmt = (x: number) => (Math.abs(x) >= 10000 ? x.toLocaleString('en') : String(x));

/** The message for one field's value, or '' when the value is acceptable on its own. */
export function fieldError(f: Field, x: unknown): string {
  switch (f.kind) {
    case 'choice':
      return f.options?.some((o) => o.value === x) ? '' : `${f.label} must be one of ${(f.options ?? []).map((o) => o.value).join(', ')}.`;
    case 'text':
      return typeof x === 'string' && x.trim() !== '' ? '' : `${f.label} is empty.`;
    case 'boolean':
      return typeof x === 'boolean' ? '' : `${f.label} must be on or off.`;
    default: {
      if (typeof x !== 'number' || !Number.isFinite(x)) return `${f.label} must be a number.`;
      if (f.integer && !Number.isInteger(x)) return `${f.label} must be a whole number.`;
      const lo = f.min ?? -Infinity;
      const hi = f.max ?? Infinity;
      if (x >= lo && x <= hi) return '';
      if (f.min !== undefined && f.max !== undefined) return `${f.label} must be between ${fmt(f.min)} and ${fmt(f.max)}; it is ${fmt(x)}.`;
      return f.min !== undefined ? `${f.label} must be at least ${fmt(f.min)}; it is ${fmt(x)}.` : `${f.label} must be at most ${fmt(f.max!)}; it is ${fmt(x)}.`;
    }
  }
}

/** Throw a SettingsError naming the first field out of its range or choices. */
export function checkFields(fields: readonly Field[], value: object): void {
  const v = value as Record<string, unknown>;
  for (const f of fields) {
    const message = fieldError(f, v[f.key]);
    if (message) throw new SettingsError(f.key, message);
  }
}

/** Every field's message ('' fields left out): what a form shows beside each control. */
export function fieldErrors(fields: readonly Field[], value: object): Record<string, string> {
  const v = value as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const f of fields) {
    const message = fieldError(f, v[f.key]);
    if (message) out[f.key] = message;
  }
  return out;
}

/** How the fields travel in a link: numbers as numbers, choices and text as strings, booleans as 1/0. */
export function fieldSpec<T extends object>(fields: readonly Field[]): ParamSpec<T> {
  const kind = (f: Field) => (f.kind === 'number' ? 'number' : f.kind === 'boolean' ? 'boolean' : 'string');
  return Object.fromEntries(fields.map((f) => [f.key, { kind: kind(f) }])) as unknown as ParamSpec<T>;
}

/**
 * Settings from a link: each parameter parsed by its field's kind and checked; one that fails is
 * dropped (its default kept) with a warning naming it. `validate` adds the lab's cross-field rules.
 */
export function decodeSettings<T extends object>(query: string | URLSearchParams, defaults: T, fields: readonly Field[], validate?: (v: T) => void): Decoded<T> {
  return decodeParams(query, defaults, fieldSpec<T>(fields), (v) => {
    checkFields(fields, v);
    validate?.(v);
  });
}

/** The field a library error message is about: the first whose key or label it names. */
export function fieldOfMessage(fields: readonly Field[], message: string): string | undefined {
  const lower = message.toLowerCase();
  return fields.find((f) => lower.includes(f.key.toLowerCase()) || lower.includes(f.label.toLowerCase()))?.key;
}
