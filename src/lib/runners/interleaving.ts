/** Lab "Interleaving": team-draft interleaving against an A/B test of two rankers, power by number of queries. */
import type { Field } from '../core/fields';
import { runStage } from '../core/task';
import { simulateInterleaving, validateInterleaving, type InterleavingSettings, type InterleavingResult } from '../stats/interleaving';
import { sizeForPower } from '../stats/sim-stats';

export const defaults: InterleavingSettings = { noiseA: 1.5, noiseB: 1, positionBias: 1, maxQueries: 2000, replicates: 60, alpha: 0.05, seed: 1 };

export const fields: Field[] = [
  { key: 'noiseA', label: 'Ranker A noise', kind: 'number', explain: 'Score noise added to true relevance; more noise, worse ranking.', min: 0, max: 20 },
  { key: 'noiseB', label: 'Ranker B noise', kind: 'number', explain: 'Make it smaller than A’s for B to be the better ranker; equal = A/A.', min: 0, max: 20 },
  { key: 'positionBias', label: 'Position bias', kind: 'number', explain: 'Users examine rank r with probability r^(−bias); 0 = they read all 10 results.', min: 0, max: 5 },
  { key: 'maxQueries', label: 'Most queries', kind: 'number', explain: 'The power curve is simulated at 50, 100, 200, … up to this many queries.', min: 50, max: 20000, integer: true },
  { key: 'replicates', label: 'Repetitions per size', kind: 'number', explain: 'Simulated experiments at each size; power is the share that detect a difference.', min: 10, max: 2000, integer: true },
  { key: 'alpha', label: 'Alpha', kind: 'number', explain: 'Significance level of both tests.', min: 0.0001, max: 0.5 },
  { key: 'seed', label: 'Seed', kind: 'number', explain: 'Same seed, same simulated queries and clicks.', min: 0, max: 4294967295, integer: true },
];

/** Cross-field rules beyond each field's bounds (the library's own check). */
export const validate = (s: InterleavingSettings): void => void validateInterleaving(s);

export const run = runStage('simulating queries and clicks', simulateInterleaving);

/** The few numbers kept with a saved run: what the run table, exercises and summary read. */
export interface InterleavingDigest {
  maxQueries: number;
  abPowerMax: number;
  interleavingPowerMax: number;
  /** Queries each method needs for 80% power (interpolated), 0 if not reached. */
  abQueries80: number;
  interleavingQueries80: number;
  winShareB: number;
  tieShare: number;
}

export function digest(r: InterleavingResult): InterleavingDigest {
  const L = r.queries.length;
  return {
    maxQueries: r.queries[L - 1],
    abPowerMax: r.abPower[L - 1],
    interleavingPowerMax: r.interleavingPower[L - 1],
    abQueries80: sizeForPower(r.queries, r.abPower),
    interleavingQueries80: sizeForPower(r.queries, r.interleavingPower),
    winShareB: r.winShareB,
    tieShare: r.tieShare,
  };
}
