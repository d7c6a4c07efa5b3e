/**
 * Lab "Hyperparameter search": the same budget spent by grid, random and TPE search on one
 * objective (a small real training job: a network separating two spirals, or a standard test
 * function), what each hyperparameter
 * explains (fANOVA on the random-search trials), and, for the training job, what early stopping
 * saves: full-budget random search against the median stopping rule and Hyperband, in epochs.
 *
 * Phase 1 trains mlpObjective (pure TypeScript, src/lib/mlops/trainable.ts); phase 2 passes the
 * training lab's model through `deps.objective` (the tf engine's trainTrial), with the same code.
 */
import { SettingsError, type Field } from '../core/fields';
import { deriveSeed } from '../core/rng';
import { quietContext, sliceContext, type TaskContext } from '../core/task';
import { hashValue } from '../mlops/hash';
import { hyperband, runBudgetStudy, type BudgetObjective, type BudgetResult } from '../mlops/hyperband';
import { paramImportance, type ParamImportance } from '../mlops/importance';
import type { Params, SearchSpace } from '../mlops/space';
import { runStudy, type Objective, type SamplerKind } from '../mlops/study';
import { TEST_FUNCTIONS } from '../mlops/testfns';
import { MLP_SPACE, mlpData, mlpObjective } from '../mlops/trainable';
import { fail } from '../mlops/errors';

export type HpoObjective = 'mlp' | 'branin' | 'hartmann6' | 'quadratic';

export interface HpoSettings {
  /** What to minimise: the small network's validation loss, or a test function with a known minimum. */
  objective: HpoObjective;
  /** Trials each sampler gets (the same budget for grid, random and TPE). */
  trials: number;
  /** Full training budget R in epochs (the training job only). */
  maxEpochs: number;
  /** Hyperband's halving rate η: each rung keeps 1/η of the configurations. */
  eta: number;
  /** Points of the two spirals the network trains on (two thirds) and is scored on (one third). */
  rows: number;
  /** Noise on each point's coordinates: more noise, a higher floor on the validation loss. */
  noise: number;
  seed: number;
}

export const defaults: HpoSettings = { objective: 'mlp', trials: 30, maxEpochs: 27, eta: 3, rows: 2000, noise: 0.08, seed: 1 };

export const fields: Field[] = [
  { key: 'objective', label: 'Objective', kind: 'choice', options: [
    { value: 'mlp', label: 'train a small network on two spirals (validation loss)' },
    { value: 'branin', label: 'Branin (2 parameters)' },
    { value: 'hartmann6', label: 'Hartmann-6 (6 parameters)' },
    { value: 'quadratic', label: 'noisy quadratic with a categorical' },
  ], explain: 'The training job has a learning curve, so early stopping applies; the test functions have known minima.' },
  { key: 'trials', label: 'Trials per search', kind: 'number', min: 5, max: 200, step: 1, integer: true, explain: 'Each of grid, random and TPE gets this many trials: the comparison is at equal cost.' },
  { key: 'maxEpochs', label: 'Full budget (epochs)', kind: 'number', min: 3, max: 81, step: 1, integer: true, group: 'Early stopping', explain: 'How long a full training run is. Hyperband starts many runs short and trains only the best to this.' },
  { key: 'eta', label: 'Halving rate η', kind: 'number', min: 2, max: 5, step: 1, integer: true, explain: 'Hyperband keeps the best 1/η of the runs at each rung and trains them η times longer.' },
  { key: 'rows', label: 'Data points', kind: 'number', min: 300, max: 10000, step: 100, integer: true, advanced: true, explain: 'Points on the two spirals; two thirds train the network, one third scores it. More points, slower epochs.' },
  { key: 'noise', label: 'Noise', kind: 'number', min: 0, max: 0.5, step: 0.01, advanced: true, explain: 'Spread of each point around its spiral: with more noise the spirals overlap and no setting gets the loss near 0.' },
  { key: 'seed', label: 'Seed', kind: 'number', min: 0, max: 2 ** 31 - 1, step: 1, integer: true, advanced: true, explain: 'Fixes the data, every sampler and every initialisation: the same seed gives the same study.' },
];

/** Epochs the whole default run trains (three 30-trial searches plus three early-stopping runs); keeps it under a minute. */
export const MAX_EPOCHS_TRAINED = 12_000;

export function validate(s: HpoSettings): void {
  if (s.objective === 'mlp') {
    const estimate = 4 * s.trials * s.maxEpochs * (s.rows / 2000);
    if (estimate > MAX_EPOCHS_TRAINED) throw new SettingsError('trials', `Trials × full budget × data is too much for one run (about ${Math.round(estimate).toLocaleString('en')} epoch-equivalents; the limit is ${MAX_EPOCHS_TRAINED.toLocaleString('en')}). Lower the trials or the full budget.`);
  }
}

export interface SamplerRun {
  sampler: SamplerKind;
  /** Each trial's value (NaN for a failed trial) and the best so far. */
  values: Float64Array;
  bestSoFar: Float64Array;
  best: { params: Params; value: number; trial: number };
  /** Different values tried per parameter: grid tries few of each, random as many as trials. */
  distinct: Record<string, number>;
  failed: number;
  /** Each trial's parameters, for the parameter-vs-value scatter. */
  params: Params[];
}

export interface EarlyRun {
  kind: 'full' | 'median' | 'hyperband';
  best: number;
  /** Epochs trained in all. */
  epochs: number;
  trials: number;
  pruned: number;
  failed: number;
  /** Full-budget results as they came: epochs spent so far and the best value so far. */
  curve: { epochs: Float64Array; best: Float64Array };
}

export interface HpoResult {
  dataHash: string;
  space: SearchSpace;
  /** The known minimum of a test function (NaN for the training job). */
  minimum: number;
  searches: SamplerRun[];
  importance: ParamImportance[];
  /** Training job only: full-budget random search, median stopping and Hyperband. */
  early?: {
    runs: EarlyRun[];
    /** Epochs Hyperband had spent when its best full-budget value first reached random search's final best (NaN: never). */
    hyperbandReachEpochs: number;
    medianReachEpochs: number;
  };
}

/** The objective: fresh instances for each search (a training objective keeps each trial's model by trial number). */
function objectiveOf(s: HpoSettings): { space: SearchSpace; study: () => Objective; budget?: () => BudgetObjective; minimum: number; dataHash: string } {
  if (s.objective === 'mlp') {
    const task = { rows: s.rows, noise: s.noise, seed: s.seed };
    const d = mlpData(task);
    const dataHash = hashValue({ X: d.train.X, y: d.train.y, vX: d.val.X, vy: d.val.y });
    const study = () => {
      const f = mlpObjective(task);
      return (p: Params, t: number) => f(p, s.maxEpochs, t);
    };
    return { space: MLP_SPACE, budget: () => mlpObjective(task), study, minimum: NaN, dataHash };
  }
  const f = TEST_FUNCTIONS[s.objective];
  if (!f) fail('objective', `Unknown objective "${s.objective}".`);
  return { space: f.space, study: () => f.objective(s.seed), minimum: f.minimum, dataHash: `testfn:${s.objective}` };
}

const distinct = (ps: Params[], space: SearchSpace) => Object.fromEntries(Object.keys(space).map((k) => [k, new Set(ps.map((p) => p[k])).size]));

/** The first spend at which a curve's best reached `target` (NaN if it never did). */
function reach(curve: { resource: Float64Array; best: Float64Array }, target: number): number {
  for (let i = 0; i < curve.best.length; i++) if (curve.best[i] <= target + 1e-12) return curve.resource[i];
  return NaN;
}

export async function run(ctx: TaskContext = quietContext, s: HpoSettings = defaults, deps: { objective?: BudgetObjective } = {}): Promise<HpoResult> {
  validate(s);
  const o = objectiveOf(s);
  const phases = o.budget ? 6 : 3;
  let phase = 0;
  const sub = (stage: string): TaskContext => {
    const k = phase++;
    return sliceContext(ctx, k / phases, (k + 1) / phases, stage);
  };
  const searches: SamplerRun[] = [];
  for (const [k, sampler] of (['grid', 'random', 'tpe'] as const).entries()) {
    const objective: Objective = deps.objective ? (p, t) => deps.objective!(p, s.maxEpochs, t) : o.study();
    // Each sampler its own stream: TPE's 10 random start-up trials would otherwise repeat random search's first 10.
    const r = await runStudy({ objective, space: o.space, sampler, trials: s.trials, seed: deriveSeed(s.seed, k), ctx: sub(`${sampler} search`) });
    const params = r.trials.map((t) => t.params);
    searches.push({
      sampler, values: Float64Array.from(r.trials, (t) => t.value), bestSoFar: r.bestSoFar, best: r.best, distinct: distinct(params, o.space),
      failed: r.trials.filter((t) => t.state === 'failed').length, params,
    });
  }
  const random = searches[1];
  const importance = paramImportance(random.params.map((params, i) => ({ params, value: random.values[i] })), o.space, { seed: s.seed, trees: 32 });
  if (!o.budget) return { dataHash: o.dataHash, space: o.space, minimum: o.minimum, searches, importance };

  const budgetObjective = () => deps.objective ?? o.budget!();
  const base = { space: o.space, seed: s.seed, maxResource: s.maxEpochs };
  const early: EarlyRun[] = [];
  const summarise = (kind: EarlyRun['kind'], r: BudgetResult): EarlyRun => ({
    kind, best: r.best.value, epochs: r.resource, trials: r.trials.length, pruned: r.trials.filter((t) => t.state === 'pruned').length,
    failed: r.trials.filter((t) => t.state === 'failed').length, curve: { epochs: r.curve.resource, best: r.curve.best },
  });
  const full = await runBudgetStudy({ ...base, objective: budgetObjective(), sampler: 'random', trials: s.trials, pruner: 'none', ctx: sub('full-budget random search') });
  early.push(summarise('full', full));
  const med = await runBudgetStudy({ ...base, objective: budgetObjective(), sampler: 'random', trials: s.trials, pruner: { kind: 'median' }, ctx: sub('median stopping') });
  early.push(summarise('median', med));
  const hb = await hyperband({ ...base, objective: budgetObjective(), eta: s.eta, ctx: sub('Hyperband') });
  early.push(summarise('hyperband', hb));
  ctx.progress(1, 'done');
  return {
    dataHash: o.dataHash, space: o.space, minimum: o.minimum, searches, importance,
    early: { runs: early, hyperbandReachEpochs: reach(hb.curve, full.best.value), medianReachEpochs: reach(med.curve, full.best.value) },
  };
}

/** The numbers a saved run keeps (params.result): what the run table, exercises and summary read. */
export function summary(r: HpoResult): Record<string, number | string> {
  const by = (k: SamplerKind) => r.searches.find((x) => x.sampler === k)!;
  const top = r.importance[0];
  const out: Record<string, number | string> = {
    bestGrid: by('grid').best.value, bestRandom: by('random').best.value, bestTpe: by('tpe').best.value,
    trialsGrid: by('grid').values.length,
    topParam: top?.name ?? '', topImportance: top?.importance ?? NaN,
    distinctTopGrid: top ? by('grid').distinct[top.name] : NaN, distinctTopRandom: top ? by('random').distinct[top.name] : NaN,
  };
  if (Number.isFinite(r.minimum)) out.minimum = r.minimum;
  if (r.early) {
    const [full, med, hb] = r.early.runs;
    Object.assign(out, {
      epochsFull: full.epochs, epochsMedian: med.epochs, epochsHyperband: hb.epochs,
      bestFull: full.best, bestMedian: med.best, bestHyperband: hb.best, pruned: med.pruned,
      hyperbandReachEpochs: r.early.hyperbandReachEpochs, medianReachEpochs: r.early.medianReachEpochs,
    });
  }
  return out;
}
