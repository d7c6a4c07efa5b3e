/**
 * Reading a learner's written answer against their own run: the numbers it states (a share may be
 * written as 0.21 or 21%), and the choices it names. Pure functions, light enough for lab.ts files.
 */

/** Every number written in a text, in order; "21%" gives 21 and 0.21, "1,234" gives 1234, "4.2×" gives 4.2. */
export function numbersIn(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(/(-?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:e-?\d+)?)\s*(%)?/gi)) {
    const x = Number(m[1].replace(/,/g, ''));
    if (!Number.isFinite(x)) continue;
    out.push(x);
    if (m[2]) out.push(x / 100);
  }
  return out;
}

/** The answer states `value`: some number in it lies within `tolerance` (absolute) of it. */
export function statesNumber(answer: string | undefined, value: number, tolerance: number): boolean {
  return Number.isFinite(value) && numbersIn(answer ?? '').some((x) => Math.abs(x - value) <= tolerance);
}

/**
 * The answer states the share `value` (a fraction in [0, 1]) within `tolerance` (in the same unit),
 * written either as a fraction (0.21) or a percentage (21%, or 21 when the share is above 1%).
 */
export function statesShare(answer: string | undefined, value: number, tolerance: number): boolean {
  if (!Number.isFinite(value)) return false;
  return numbersIn(answer ?? '').some((x) => Math.abs(x - value) <= tolerance || (Math.abs(value) >= 0.01 && Math.abs(x / 100 - value) <= tolerance));
}

/** The answer names `word` as a whole word (case-insensitive). */
export function names(answer: string | undefined, word: string): boolean {
  const w = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}\\p{N}_])${w}($|[^\\p{L}\\p{N}_])`, 'iu').test(answer ?? '');
}
