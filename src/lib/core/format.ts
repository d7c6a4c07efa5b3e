/**
 * One way to write numbers a learner reads, for every lab: bytes, durations, percentages, counts
 * and plurals. Non-finite values print as an en dash, never as "NaN%".
 */

const DASH = '–';

/**
 * Bytes in binary units (1 KiB = 1,024 B), one decimal from KiB up: 940,584 → "918.5 KiB".
 * `si: true` gives decimal units (1 kB = 1,000 B, 1 GB = 1e9 B), for figures quoted from papers
 * that count that way (the ZeRO paper's "120 GB").
 */
export function formatBytes(n: number, opts: { si?: boolean } = {}): string {
  if (!Number.isFinite(n)) return DASH;
  const base = opts.si ? 1000 : 1024;
  const units = opts.si ? ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] : ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  const sign = n < 0 ? '-' : '';
  let v = Math.abs(n);
  let u = 0;
  while (v >= base && u < units.length - 1) {
    v /= base;
    u++;
  }
  if (u === 0) return `${sign}${Math.round(v)} B`;
  // 1023.96 KiB rounds to "1024.0 KiB": carry into the next unit instead.
  if (Number(v.toFixed(1)) >= base && u < units.length - 1) {
    v /= base;
    u++;
  }
  return `${sign}${v.toFixed(1)} ${units[u]}`;
}

/** Milliseconds as a reader wants them: "0.42 ms", "38 ms", "3.2 s", "1 min 05 s", "2 h 03 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return DASH;
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const totalS = Math.round(s);
  if (totalS < 3600) return `${Math.floor(totalS / 60)} min ${String(totalS % 60).padStart(2, '0')} s`;
  const totalMin = Math.round(totalS / 60);
  return `${Math.floor(totalMin / 60)} h ${String(totalMin % 60).padStart(2, '0')} min`;
}

/** A fraction as a percentage: pct(0.8553) → "85.5%". */
export function pct(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : DASH;
}

/** A number with a fixed number of decimals: fixed(0.12345, 3) → "0.123". */
export function fixed(x: number, digits = 3): string {
  return Number.isFinite(x) ? x.toFixed(digits) : DASH;
}

/** A count with thousands separators: 12345 → "12,345". */
export function count(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en') : DASH;
}

/** "1 run", "2 runs", "0 days"; `pluralForm` for words that do not just take an s. */
export function plural(n: number, word: string, pluralForm = `${word}s`): string {
  return `${count(n)} ${n === 1 ? word : pluralForm}`;
}

/** The noun alone, singular for 1: noun(3, 'run') → "runs" (for a count shown separately). */
export function noun(n: number, word: string, pluralForm = `${word}s`): string {
  return n === 1 ? word : pluralForm;
}

/** A rate per second with a unit: rate(17059.2, 'samples') → "17,059 samples/s". */
export function rate(perSecond: number, unit: string): string {
  return `${count(perSecond)} ${unit}/s`;
}
