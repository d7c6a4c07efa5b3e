/**
 * Lab "Drift and monitoring": its settings (the stream, and the thresholds the page re-scores
 * alarms with at once), and its two tasks for the sim engine: the production stream written as one
 * Parquet file per day plus the reference (the page loads them into DuckDB and runs the drift SQL),
 * and the retraining policies simulated over the same stream (kept between the two calls, so a
 * policy run does not generate it again).
 */
import type { Field } from '../core/fields';
import { quietContext, type TaskContext } from '../core/task';
import { makeStream, streamToParquet, type DriftEvent, type ProductionStream, type StreamOptions } from '../data/stream.ts';
import { simulateRetraining, type RetrainOptions, type RetrainResult } from '../drift/retrain.ts';

export interface DriftSettings {
  seed: number;
  rowsPerDay: number;
  refDays: number;
  statistic: string;
  psi: number;
  ksPValue: number;
  chi2PValue: number;
  js: number;
  wasserstein: number;
  excessLogLoss: number;
  [key: string]: number | string;
}

export const defaults: DriftSettings = { seed: 7, rowsPerDay: 2000, refDays: 0, statistic: 'psi', psi: 0.2, ksPValue: 0.001, chi2PValue: 0.0001, js: 0.1, wasserstein: 0.25, excessLogLoss: 0.05 };

/** Settings that need new data (a new run); the others only re-score the alarms. */
export const DATA_KEYS = ['seed', 'rowsPerDay', 'refDays'];

export const fields: Field[] = [
  { key: 'seed', label: 'Seed', kind: 'number', integer: true, min: 0, max: 2 ** 31 - 1, step: 1, explain: 'Same seed, same 90 days: a link reproduces the run.' },
  { key: 'rowsPerDay', label: 'Rows per day', kind: 'number', integer: true, min: 200, max: 50000, step: 100, explain: 'Sample size: p-value tests flag ever smaller shifts as it grows; PSI and distances barely move.' },
  { key: 'refDays', label: 'Reference window (days)', kind: 'number', integer: true, min: 0, max: 19, step: 1, explain: '0: compare with the training sample. k: with the first k production days (monitoring starts on day k).' },
  {
    key: 'statistic', label: 'Drift statistic', kind: 'choice', explain: 'Which statistic raises drift alarms. KS and Wasserstein need numbers: categories use chi-square then.',
    options: [
      { value: 'psi', label: 'PSI (reference deciles)' },
      { value: 'ks', label: 'Kolmogorov–Smirnov p-value' },
      { value: 'chi2', label: 'chi-square p-value' },
      { value: 'js', label: 'Jensen–Shannon distance' },
      { value: 'wasserstein', label: 'Wasserstein-1 (in sds)' },
    ],
  },
  { key: 'psi', label: 'PSI threshold', kind: 'number', min: 0.001, max: 5, step: 0.01, explain: 'Alarm when PSI ≥ this. 0.1 is "watch", 0.2–0.25 "major shift" by custom.' },
  { key: 'ksPValue', label: 'KS p-value threshold', kind: 'number', min: 1e-300, max: 0.5, explain: 'Alarm when p < this. Lower it to keep false alarms rare over 90 days × 8 features.' },
  { key: 'chi2PValue', label: 'Chi-square p-value threshold', kind: 'number', min: 1e-300, max: 0.5, explain: 'Alarm when p < this (decile bins for numbers, categories otherwise).' },
  { key: 'js', label: 'Jensen–Shannon threshold', kind: 'number', min: 0.001, max: 0.83, step: 0.01, explain: 'Alarm when the distance (natural log, at most √ln 2 ≈ 0.83) reaches this.' },
  { key: 'wasserstein', label: 'Wasserstein threshold (sds)', kind: 'number', min: 0.001, max: 10, step: 0.05, explain: 'Alarm when the earth mover’s distance, in reference standard deviations, reaches this.' },
  { key: 'excessLogLoss', label: 'Excess log loss threshold', kind: 'number', min: 0.001, max: 2, step: 0.01, explain: 'Alarm when the arriving labels’ log loss beats what the model expects of itself by this: catches P(y|x) changes.' },
];

export interface PartitionsResult {
  /** reference.parquet, then day_000.parquet … */
  files: { name: string; bytes: Uint8Array }[];
  events: DriftEvent[];
  ms: number;
}

let cached: { key: string; stream: ProductionStream } | undefined;

/** The seeded stream for these options: made once, kept for the retraining call that follows. */
function stream(opts: StreamOptions): ProductionStream {
  const key = JSON.stringify(opts);
  if (cached?.key !== key) cached = { key, stream: makeStream(opts) };
  return cached.stream;
}

/** Generate the stream (seeded) and write it as one Parquet file per day plus the reference. */
export async function run(ctx: TaskContext, opts: StreamOptions): Promise<PartitionsResult> {
  const t0 = performance.now();
  ctx.progress(0, 'generating 90 days and writing them as Parquet');
  const s = stream(opts);
  ctx.checkStop();
  return { files: await streamToParquet(s), events: s.events, ms: performance.now() - t0 };
}

export interface RetrainInput {
  /** The stream of the monitoring run (same options). */
  stream: StreamOptions;
  policies: RetrainOptions[];
}

/** The retraining policies over the stream, one after another. */
export async function retrain(ctx: TaskContext, input: RetrainInput): Promise<RetrainResult[]> {
  const s = stream(input.stream);
  const out: RetrainResult[] = [];
  for (const [i, p] of input.policies.entries()) {
    await ctx.tick(i / input.policies.length, `retraining policy: ${p.policy}`);
    out.push(simulateRetraining(s, p));
  }
  return out;
}

/** The drift worker's earlier API (partitions, then retrain over the same stream), kept for src/lib/index.ts. */
export interface DriftServiceApi {
  partitions(opts: StreamOptions): Promise<PartitionsResult>;
  retrain(opts: StreamOptions, policies: RetrainOptions[]): Promise<RetrainResult[]>;
}

/** The two drift tasks as one object, without a context (Node scripts, the earlier API). */
export class DriftService implements DriftServiceApi {
  partitions(opts: StreamOptions): Promise<PartitionsResult> {
    return run(quietContext, opts);
  }

  retrain(opts: StreamOptions, policies: RetrainOptions[]): Promise<RetrainResult[]> {
    return retrain(quietContext, { stream: opts, policies });
  }
}
