/**
 * A lab's settings, described once as a table of fields: kind, bounds or options, default and a
 * one-line explanation. The page draws its controls from the table, links carry the settings
 * (fieldSpec, decodeSettings), and checkFields / fieldError check them, in one wording for every lab.
 */
import { decodeParams, type Decoded, type ParamSpec } from './url-state';

/** 'date': a calendar day as text, YYYY-MM-DD (UTC), drawn as a date picker. */
export type FieldKind = 'number' | 'choice' | 'text' | 'boolean' | 'date';

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

/** A whole-number field from min to max (inclusive), with an optional control step. */
export function intField(key: string, label: string, min: number, max: number, explain: string, step?: number): Field {
  return { key, label, kind: 'number', integer: true, min, max, ...(step !== undefined && { step }), explain };
}

/** A settings error that names the field at fault (decodeSettings drops just that field from a link). */
export class SettingsError extends Error {
  override name = 'SettingsError';
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

/** A real calendar day written YYYY-MM-DD (2025-02-30 is not). */
function isDay(x: unknown): boolean {
  if (typeof x !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(x)) return false;
  const d = new Date(`${x}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === x;
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
    case 'date':
      return isDay(x) ? '' : `${f.label} must be a date written YYYY-MM-DD; it is ${JSON.stringify(x)}.`;
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

/** How the fields travel in a link: numbers as numbers, choices, text and dates as strings, booleans as 1/0. */
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
    try {
      validate?.(v);
    } catch (e) {
      throw blame(fields, e);
    }
  });
}

/** A library's error (a RangeError naming a setting) as a SettingsError for the field it names, so a link drops just that field. */
function blame(fields: readonly Field[], e: unknown): unknown {
  if ((e as { field?: string }).field) return e;
  const key = fieldOfMessage(fields, (e as Error).message ?? '');
  return key ? new SettingsError(key, (e as Error).message) : e;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The field a library error message is about: the one whose key (as a whole word) or label
 * (any case) it names first. "sampleSize must be at most half the population" → sampleSize.
 */
export function fieldOfMessage(fields: readonly Field[], message: string): string | undefined {
  let best: { key: string; at: number } | undefined;
  for (const f of fields) {
    const byKey = message.search(new RegExp(`(?<!\\w)${escape(f.key)}(?!\\w)`));
    const byLabel = message.search(new RegExp(`(?<!\\w)${escape(f.label)}(?!\\w)`, 'i'));
    for (const at of [byKey, byLabel]) if (at >= 0 && (!best || at < best.at)) best = { key: f.key, at };
  }
  return best?.key;
}
