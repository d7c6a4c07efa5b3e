/** Reference values from refs/make_refs.py (Optuna 3.1, scipy 1.10 on Debian). */
import { readFileSync } from 'node:fs';
import type { Dimension } from '../../../src/lib/mlops';

export interface Refs {
  versions: Record<string, string>;
  parzen: { name: string; space: Dimension; observations: number[]; points: (number | string)[]; logPdf: number[]; optunaLogPdf: number[] }[];
  mannwhitney: { x: number[]; y: number[]; alternative: 'two-sided' | 'greater' | 'less'; u: number; p: number }[];
  fanova: { points: number[][]; values: number[]; importance: Record<string, number> };
  studies: { trials: number; seeds: number[]; functions: Record<'branin' | 'hartmann6' | 'quadratic', { tpe: number[]; random: number[] }> };
}

export const refs: Refs = JSON.parse(readFileSync(new URL('./refs/refs.json', import.meta.url), 'utf8'));
