/**
 * Grid search's points: every choice of each categorical parameter, and for numbers as many evenly
 * spaced levels (geometric on a log scale) as the budget allows, grown one dimension at a time so the
 * grid's size stays within the number of trials. With d numeric parameters and budget B each gets
 * about B^(1/d) levels: 49 trials over two parameters try only 7 values of each, where random
 * search tries 49 of each (Bergstra and Bengio 2012's point).
 */
import type { Dimension, Params, ParamValue, SearchSpace } from './space';

/** How many different values the dimension holds (Infinity for a float range). */
function capacity(d: Dimension): number {
  if (d.type === 'categorical') return d.choices.length;
  if (d.low === d.high) return 1;
  return d.type === 'int' ? d.high - d.low + 1 : Infinity;
}

/** k evenly spaced values of a numeric dimension (the midpoint for k = 1), rounded and deduplicated for ints. */
export function dimensionLevels(d: Dimension, k: number): ParamValue[] {
  if (d.type === 'categorical') return [...d.choices];
  const [lo, hi] = d.log ? [Math.log(d.low), Math.log(d.high)] : [d.low, d.high];
  const raw = k <= 1 ? [(lo + hi) / 2] : Array.from({ length: k }, (_, i) => lo + ((hi - lo) * i) / (k - 1));
  const values = raw.map((x) => (d.log ? Math.exp(x) : x)).map((x) => Math.min(d.high, Math.max(d.low, x)));
  return d.type === 'int' ? [...new Set(values.map(Math.round))] : values;
}

/** Levels per parameter whose product is at most `budget` (unless the categoricals alone exceed it). */
export function gridLevels(space: SearchSpace, budget: number): Record<string, ParamValue[]> {
  const names = Object.keys(space);
  const k: Record<string, number> = {};
  let size = 1;
  for (const n of names) {
    k[n] = space[n].type === 'categorical' ? capacity(space[n]) : 1;
    size *= k[n];
  }
  const numeric = names.filter((n) => space[n].type !== 'categorical');
  for (let grew = true; grew; ) {
    grew = false;
    for (const n of numeric) {
      const next = (size / k[n]) * (k[n] + 1);
      if (k[n] + 1 <= capacity(space[n]) && next <= budget) {
        size = next;
        k[n]++;
        grew = true;
      }
    }
  }
  return Object.fromEntries(names.map((n) => [n, dimensionLevels(space[n], k[n])]));
}

/** Every combination of the levels, the first parameter varying slowest. */
export function gridPoints(space: SearchSpace, budget: number): Params[] {
  const levels = gridLevels(space, budget);
  let out: Params[] = [{}];
  for (const [name, values] of Object.entries(levels)) out = out.flatMap((p) => values.map((v) => ({ ...p, [name]: v })));
  return out;
}
