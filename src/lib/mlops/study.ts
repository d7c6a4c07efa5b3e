/**
 * runStudy: minimise an objective over a search space with grid, random or TPE sampling, seeded and
 * reproducible (same seed and objective, same trials). A trial whose objective throws or returns a
 * non-finite value is recorded as failed and never becomes the best; Stop (a StoppedError from the
 * context or the objective) ends the study at once.
 */
import { mulberry32, shuffleInPlace } from '../core/rng';
import { isStopped, quietContext, type TaskContext } from '../core/task';
import { checkInt, fail } from './errors';
import { gridPoints } from './grid';
import { checkSpace, sampleParams, type Params, type SearchSpace } from './space';
import { tpePropose, type Observation, type TpeOptions } from './tpe';

export type SamplerKind = 'grid' | 'random' | 'tpe';
export const SAMPLERS: readonly SamplerKind[] = ['grid', 'random', 'tpe'];

/** The value to minimise for one set of parameters (trial is the 0-based trial number). */
export type Objective = (params: Params, trial: number) => number | Promise<number>;

export interface StudyOptions {
  objective: Objective;
  space: SearchSpace;
  sampler: SamplerKind;
  /** Number of trials; grid search stops earlier when its grid has fewer points. */
  trials: number;
  /** Seed of every random choice (random draws, TPE's candidates, the grid's order). */
  seed: number;
  /** Progress and Stop (default: quiet, never stops). */
  ctx?: TaskContext;
  /** TPE settings other than Optuna's defaults. */
  tpe?: Partial<TpeOptions>;
  /** Told of each finished trial, in order (a page streams them). */
  onTrial?: (trial: Trial) => void;
}

export type TrialState = 'complete' | 'pruned' | 'failed';

export interface Trial {
  /** 0-based trial number. */
  id: number;
  params: Params;
  /** The objective's value (NaN for a failed trial). */
  value: number;
  state: TrialState;
  /** Why a failed trial failed. */
  error?: string;
}

export interface StudyResult {
  best: { params: Params; value: number; trial: number };
  trials: Trial[];
  /** Best value after each trial (NaN until a trial completes): the curve a learner compares samplers by. */
  bestSoFar: Float64Array;
}

export const MAX_TRIALS = 100_000;

export function checkSampler(sampler: string): asserts sampler is SamplerKind {
  if (!SAMPLERS.includes(sampler as SamplerKind)) fail('sampler', `sampler must be one of ${SAMPLERS.join(', ')}; it is ${JSON.stringify(sampler)}.`);
}

/** Run the objective once, turning a throw or a non-finite value into a failed trial (Stop passes through). */
export async function evaluate<T>(f: () => number | Promise<number>, onFail: (error: string) => T, onOk: (value: number) => T): Promise<T> {
  let v: number;
  try {
    v = await f();
  } catch (e) {
    if (isStopped(e)) throw e;
    return onFail(e instanceof Error ? e.message : String(e));
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) return onFail(`the objective returned ${String(v)}`);
  return onOk(v);
}

export async function runStudy(opts: StudyOptions): Promise<StudyResult> {
  const { objective, space, sampler, trials: n, seed } = opts;
  if (typeof objective !== 'function') fail('objective', 'objective must be a function of the parameters.');
  checkSpace(space);
  checkSampler(sampler);
  checkInt('trials', n, 1, MAX_TRIALS);
  checkInt('seed', seed, -(2 ** 31), 2 ** 32 - 1);
  const ctx = opts.ctx ?? quietContext;
  const rng = mulberry32(seed);
  const grid = sampler === 'grid' ? shuffleInPlace(gridPoints(space, n), rng) : [];
  const total = sampler === 'grid' ? Math.min(n, grid.length) : n;
  const trials: Trial[] = [];
  const bestSoFar = new Float64Array(total).fill(NaN);
  let best: Trial | undefined;
  for (let i = 0; i < total; i++) {
    ctx.checkStop();
    const params =
      sampler === 'grid' ? grid[i] : sampler === 'random' ? sampleParams(space, rng) : tpePropose(space, trials.filter(done) as Observation[], rng, opts.tpe);
    const trial = await evaluate<Trial>(
      () => objective(params, i),
      (error) => ({ id: i, params, value: NaN, state: 'failed', error }),
      (value) => ({ id: i, params, value, state: 'complete' }),
    );
    trials.push(trial);
    if (trial.state === 'complete' && (!best || trial.value < best.value)) best = trial;
    bestSoFar[i] = best?.value ?? NaN;
    opts.onTrial?.(trial);
    ctx.progress((i + 1) / total, `trial ${i + 1} of ${total}`);
  }
  if (!best) fail('objective', `All ${total} trials failed; the first: ${trials[0].error}.`);
  return { best: { params: best.params, value: best.value, trial: best.id }, trials, bestSoFar };
}

const done = (t: Trial) => t.state === 'complete';
