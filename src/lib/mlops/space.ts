/**
 * Search spaces for hyperparameter studies: each parameter is a float (optionally on a log scale),
 * an integer or a categorical choice, as in Optuna's distributions. A parameter's *internal* value is
 * what the samplers model: ln x for a log-scale number, x for a linear one, the index of a choice.
 */
import type { Rng } from '../core/rng';
import { fail } from './errors';

export type Choice = string | number | boolean;

export interface FloatDimension {
  type: 'float';
  low: number;
  high: number;
  /** Sample ln x uniformly (learning rates, weight decay): every decade gets the same share. */
  log?: boolean;
}

export interface IntDimension {
  type: 'int';
  low: number;
  high: number;
  /** Sample on a log scale (batch sizes, widths); Optuna's IntDistribution(log=True). */
  log?: boolean;
}

export interface CategoricalDimension {
  type: 'categorical';
  choices: readonly Choice[];
}

export type Dimension = FloatDimension | IntDimension | CategoricalDimension;
export type SearchSpace = Record<string, Dimension>;
export type ParamValue = Choice;
export type Params = Record<string, ParamValue>;

const show = (x: unknown) => (typeof x === 'string' ? JSON.stringify(x) : String(x));

/** Throws MlopsInputError naming the first parameter that is not a valid dimension (low > high, empty choices, ...). */
export function checkSpace(space: SearchSpace): void {
  if (!space || typeof space !== 'object') fail('space', 'The search space must map parameter names to dimensions.');
  const names = Object.keys(space);
  if (names.length === 0) fail('space', 'The search space has no parameters.');
  for (const name of names) checkDimension(name, space[name]);
}

function checkDimension(name: string, d: Dimension): void {
  const where = `Search space parameter "${name}"`;
  if (!d || typeof d !== 'object') fail(name, `${where} is not a dimension.`);
  if (d.type === 'categorical') {
    if (!Array.isArray(d.choices) || d.choices.length === 0) fail(name, `${where} has no choices.`);
    const seen = new Set<Choice>();
    for (const c of d.choices) {
      if (!['string', 'number', 'boolean'].includes(typeof c)) fail(name, `${where} has a choice that is not a string, number or boolean: ${show(c)}.`);
      if (seen.has(c)) fail(name, `${where} lists the choice ${show(c)} twice.`);
      seen.add(c);
    }
    return;
  }
  if (d.type !== 'float' && d.type !== 'int') fail(name, `${where} has unknown type ${show((d as { type: unknown }).type)} (use 'float', 'int' or 'categorical').`);
  const { low, high } = d;
  if (typeof low !== 'number' || !Number.isFinite(low)) fail(name, `${where}: low must be a finite number; it is ${show(low)}.`);
  if (typeof high !== 'number' || !Number.isFinite(high)) fail(name, `${where}: high must be a finite number; it is ${show(high)}.`);
  if (low > high) fail(name, `${where}: low (${low}) > high (${high}).`);
  if (d.type === 'int' && (!Number.isInteger(low) || !Number.isInteger(high))) fail(name, `${where} is an int, but its bounds are ${low} and ${high}.`);
  if (d.log && low <= 0) fail(name, `${where} is on a log scale, so low must be > 0; it is ${low}.`);
}

/** One value drawn uniformly (log-uniformly when log) from the dimension, as Optuna's RandomSampler does. */
export function sampleDimension(d: Dimension, rng: Rng): ParamValue {
  const u = rng();
  switch (d.type) {
    case 'categorical':
      return d.choices[Math.min(d.choices.length - 1, Math.floor(u * d.choices.length))];
    case 'float':
      return d.log ? Math.exp(Math.log(d.low) + u * (Math.log(d.high) - Math.log(d.low))) : d.low + u * (d.high - d.low);
    case 'int': {
      if (!d.log) return Math.min(d.high, d.low + Math.floor(u * (d.high - d.low + 1)));
      // ln x uniform on [ln(low − ½), ln(high + ½)], then rounded: each integer gets its log-width share.
      const lo = Math.log(d.low - 0.5);
      const hi = Math.log(d.high + 0.5);
      return clamp(Math.round(Math.exp(lo + u * (hi - lo))), d.low, d.high);
    }
  }
}

export function sampleParams(space: SearchSpace, rng: Rng): Params {
  const out: Params = {};
  for (const [name, d] of Object.entries(space)) out[name] = sampleDimension(d, rng);
  return out;
}

/** The internal value the samplers model: ln x on a log scale, x otherwise, the index of a choice. */
export function toInternal(d: Dimension, v: ParamValue): number {
  if (d.type === 'categorical') return d.choices.indexOf(v);
  return d.log ? Math.log(v as number) : (v as number);
}

/**
 * The value's position in the unit interval under the dimension's own measure: log-scale numbers by
 * ln x, integers as the centre of their 1/(high − low + 1) cell, choice k of K at (k + ½)/K. The
 * importance surrogate works in this cube, so "uniform over the space" is uniform over [0, 1]^d.
 */
export function toUnit(d: Dimension, v: ParamValue): number {
  switch (d.type) {
    case 'categorical':
      return (d.choices.indexOf(v) + 0.5) / d.choices.length;
    case 'float': {
      const [lo, hi, x] = d.log ? [Math.log(d.low), Math.log(d.high), Math.log(v as number)] : [d.low, d.high, v as number];
      return hi > lo ? clamp((x - lo) / (hi - lo), 0, 1) : 0.5;
    }
    case 'int': {
      if (!d.log) return (Math.round(v as number) - d.low + 0.5) / (d.high - d.low + 1);
      const lo = Math.log(d.low - 0.5);
      const hi = Math.log(d.high + 0.5);
      return clamp((Math.log(v as number) - lo) / (hi - lo), 0, 1);
    }
  }
}

/** Whether `v` lies in the dimension (a choice it lists, a number within bounds, a whole number for ints). */
export function inDimension(d: Dimension, v: ParamValue): boolean {
  if (d.type === 'categorical') return d.choices.includes(v);
  if (typeof v !== 'number' || !(v >= d.low && v <= d.high)) return false;
  return d.type === 'float' || Number.isInteger(v);
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
