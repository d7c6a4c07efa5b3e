/** Days and timestamps of the ETL lab's files, as UTC milliseconds. */

export const DAY_MS = 86_400_000;

/** 'YYYY-MM-DD' → ms at UTC midnight; throws RangeError for anything else (a knob's value). */
export function parseDay(s: string, what = 'date'): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const t = m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : NaN;
  if (!m || new Date(t).toISOString().slice(0, 10) !== s) throw new RangeError(`${what} must be a real day written YYYY-MM-DD, got ${JSON.stringify(s)}`);
  return t;
}

/** An ISO timestamp ('YYYY-MM-DDTHH:MM:SS', optional fraction and Z) of a real day and time → ms, or NaN. */
export function parseTimestamp(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?Z?$/.exec(s.trim());
  if (!m) return NaN;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number);
  const t = Date.UTC(y, mo - 1, d, h, mi, se) + (m[7] ? Math.round(Number(m[7]) * 1000) : 0);
  const back = new Date(t);
  const ok = back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && back.getUTCHours() === h && back.getUTCMinutes() === mi && back.getUTCSeconds() === se;
  return ok ? t : NaN;
}
