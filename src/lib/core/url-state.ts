/**
 * Lab settings in the URL, so a link reproduces a run. One spec per lab lists each setting's kind
 * and default (TensorFlow Playground serialises its state the same way, from one list of props).
 * Values that fail to parse or validate fall back to the default, with a note saying which.
 */

export type FieldKind = 'number' | 'string' | 'boolean';
export type ParamSpec<T> = { [K in keyof T]: { kind: FieldKind; parse?: (raw: string) => T[K] | undefined } };

export interface Decoded<T> {
  value: T;
  /** One message per ignored parameter: which, what it was, and why. */
  warnings: string[];
}

export function encodeParams<T extends object>(value: T, spec: ParamSpec<T>): string {
  const p = new URLSearchParams();
  for (const key of Object.keys(spec) as (keyof T & string)[]) {
    const v = value[key];
    if (v === undefined) continue;
    p.set(key, String(v));
  }
  return p.toString();
}

export function decodeParams<T extends object>(query: string | URLSearchParams, defaults: T, spec: ParamSpec<T>, validate?: (v: T) => void): Decoded<T> {
  const p = typeof query === 'string' ? new URLSearchParams(query.startsWith('?') ? query.slice(1) : query) : query;
  const value = { ...defaults };
  const warnings: string[] = [];
  for (const key of Object.keys(spec) as (keyof T & string)[]) {
    const raw = p.get(key);
    if (raw === null) continue;
    const f = spec[key];
    let parsed: unknown;
    if (f.parse) parsed = f.parse(raw);
    else if (f.kind === 'number') parsed = raw.trim() === '' ? undefined : Number(raw);
    else if (f.kind === 'boolean') parsed = raw === '1' || raw === 'true' ? true : raw === '0' || raw === 'false' ? false : undefined;
    else parsed = raw;
    if (parsed === undefined || (typeof parsed === 'number' && !Number.isFinite(parsed))) {
      warnings.push(`Ignored ${key}=${raw}: not a valid ${f.kind}; using ${String(defaults[key])}.`);
      continue;
    }
    const candidate = { ...value, [key]: parsed } as T;
    if (validate) {
      try {
        validate(candidate);
      } catch (e) {
        // Only reject this field if it is the one at fault; cross-field checks run at the end.
        if ((e as { field?: string }).field === key) {
          warnings.push(`Ignored ${key}=${raw}: ${(e as Error).message}`);
          continue;
        }
      }
    }
    (value as Record<string, unknown>)[key] = parsed;
  }
  if (validate) {
    try {
      validate(value);
    } catch (e) {
      warnings.push(`${(e as Error).message} Using the defaults instead.`);
      return { value: { ...defaults }, warnings };
    }
  }
  return { value, warnings };
}
