/**
 * Early stopping for hyperparameter search, where a trial's value can be read at any budget (epochs):
 *
 * - hyperbandBrackets(R, η): the brackets of Hyperband (Li et al. 2018, Algorithm 1). With
 *   s_max = ⌊log_η R⌋ and B = (s_max + 1)·R, bracket s starts n = ⌈(B/R)·η^s/(s + 1)⌉ configurations
 *   at r = R·η^−s and keeps the best ⌊n_i/η⌋ at each rung, whose budget grows η-fold to R.
 * - successiveHalving: one bracket (Jamieson and Talwalkar 2016).
 * - hyperband: every bracket, most aggressive first, configurations drawn at random.
 * - runBudgetStudy: full-budget search trial by trial, optionally with the median stopping rule
 *   (Golovin et al. 2017, as Optuna's MedianPruner: after nStartup completed trials, stop a trial
 *   whose best value so far is worse than the median of the completed trials' values at that budget).
 *
 * The objective is told the budget and the trial id. With resume (the default) it continues the
 * trial's training from where it stopped, so raising a trial from r to r' costs r' − r; without, each
 * evaluation trains from scratch and costs r'. `resource` counts what was spent.
 */
import { mulberry32 } from '../core/rng';
import { quietContext, type TaskContext } from '../core/task';
import { checkInt, checkNumber, fail } from './errors';
import { checkSpace, sampleParams, type Params, type SearchSpace } from './space';
import { evaluate, type TrialState } from './study';
import { tpePropose, type Observation, type TpeOptions } from './tpe';

export interface Rung {
  /** Configurations evaluated at this rung. */
  n: number;
  /** Budget (resource) each gets. */
  r: number;
}

export interface Bracket {
  s: number;
  rungs: Rung[];
}

/** ⌊log_η x⌋ without floating error: 81 is η⁴ for η = 3, not 3.9999. */
function floorLog(x: number, eta: number): number {
  let s = 0;
  while (eta ** (s + 1) <= x * (1 + 1e-12)) s++;
  return s;
}

export function checkEta(eta: number): void {
  if (typeof eta !== 'number' || !Number.isFinite(eta)) fail('eta', `eta must be a finite number; it is ${eta}.`);
  if (eta < 2) fail('eta', `eta must be at least 2 (each rung keeps 1/eta of the configurations); it is ${eta}.`);
}

/** Hyperband's brackets for maximum resource R and halving rate η, largest s first. */
export function hyperbandBrackets(maxResource: number, eta: number): Bracket[] {
  checkNumber('maxResource', maxResource, 1);
  checkEta(eta);
  const sMax = floorLog(maxResource, eta);
  const B = (sMax + 1) * maxResource;
  const out: Bracket[] = [];
  for (let s = sMax; s >= 0; s--) {
    const n = Math.ceil(((B / maxResource) * eta ** s) / (s + 1) - 1e-9);
    const r = maxResource * eta ** -s;
    const rungs: Rung[] = [];
    for (let i = 0; i <= s; i++) rungs.push({ n: Math.floor(n * eta ** -i + 1e-9), r: i === s ? maxResource : r * eta ** i });
    out.push({ s, rungs });
  }
  return out;
}

/** A value at a budget; the objective continues trial `trial`'s training there (see resume). */
export type BudgetObjective = (params: Params, budget: number, trial: number) => number | Promise<number>;

export interface BudgetTrial {
  id: number;
  params: Params;
  state: TrialState;
  /** Value at the largest budget reached (NaN when it failed). */
  value: number;
  /** Largest budget reached. */
  budget: number;
  /** Values per budget reached, in order. */
  values: { budget: number; value: number }[];
  /** Hyperband's bracket (s) the trial belonged to. */
  bracket?: number;
  error?: string;
}

export interface Evaluation {
  trial: number;
  budget: number;
  value: number;
  /** Resource spent on this evaluation, and in all up to and including it. */
  cost: number;
  spent: number;
}

export interface BudgetResult {
  /** The best value read at the full budget (maxResource), and its trial. */
  best: { params: Params; value: number; trial: number };
  trials: BudgetTrial[];
  evaluations: Evaluation[];
  /** Resource spent in all (epochs when the budget is epochs). */
  resource: number;
  /** After each full-budget evaluation: resource spent so far and the best full-budget value so far. */
  curve: { resource: Float64Array; best: Float64Array };
}

interface CommonOptions {
  objective: BudgetObjective;
  space: SearchSpace;
  seed: number;
  /** The full budget R (epochs of a full training run). */
  maxResource: number;
  /** Whether the objective continues a trial from its last budget (default true). */
  resume?: boolean;
  ctx?: TaskContext;
}

/** Bookkeeping shared by the three searches: trials, evaluations, resource, the full-budget curve. */
class Ledger {
  readonly trials: BudgetTrial[] = [];
  readonly evaluations: Evaluation[] = [];
  resource = 0;
  private curveR: number[] = [];
  private curveB: number[] = [];
  private best?: { params: Params; value: number; trial: number };

  constructor(private readonly o: CommonOptions) {}

  add(params: Params, bracket?: number): BudgetTrial {
    const t: BudgetTrial = { id: this.trials.length, params, state: 'complete', value: NaN, budget: 0, values: [], ...(bracket === undefined ? {} : { bracket }) };
    this.trials.push(t);
    return t;
  }

  /** Evaluate t at budget b; false when it failed (it is then marked failed). */
  async run(t: BudgetTrial, b: number): Promise<boolean> {
    this.o.ctx?.checkStop();
    const cost = this.o.resume === false ? b : b - t.budget;
    this.resource += cost;
    return evaluate(
      () => this.o.objective(t.params, b, t.id),
      (error) => {
        Object.assign(t, { state: 'failed', value: NaN, budget: b, error });
        return false;
      },
      (value) => {
        t.values.push({ budget: b, value });
        Object.assign(t, { value, budget: b });
        this.evaluations.push({ trial: t.id, budget: b, value, cost, spent: this.resource });
        if (b >= this.o.maxResource) {
          if (!this.best || value < this.best.value) this.best = { params: t.params, value, trial: t.id };
          this.curveR.push(this.resource);
          this.curveB.push(this.best.value);
        }
        return true;
      },
    );
  }

  result(): BudgetResult {
    if (!this.best) fail('objective', `No trial reached the full budget ${this.o.maxResource}${this.trials[0]?.error ? `; the first error: ${this.trials[0].error}` : ''}.`);
    return { best: this.best, trials: this.trials, evaluations: this.evaluations, resource: this.resource, curve: { resource: Float64Array.from(this.curveR), best: Float64Array.from(this.curveB) } };
  }
}

function checkCommon(o: CommonOptions): void {
  if (typeof o.objective !== 'function') fail('objective', 'objective must be a function of (params, budget, trial).');
  checkSpace(o.space);
  checkInt('seed', o.seed, -(2 ** 31), 2 ** 32 - 1);
  checkNumber('maxResource', o.maxResource, 1);
}

/** Run one bracket's rungs on `configs`; returns when its last rung is done. */
async function halving(ledger: Ledger, trials: BudgetTrial[], rungs: readonly Rung[], eta: number, report: () => void): Promise<void> {
  let alive = trials;
  for (let i = 0; i < rungs.length && alive.length > 0; i++) {
    const ok: BudgetTrial[] = [];
    for (const t of alive) {
      if (await ledger.run(t, rungs[i].r)) ok.push(t);
      report();
    }
    if (i === rungs.length - 1) break;
    const keep = i + 1 < rungs.length ? rungs[i + 1].n : Math.floor(ok.length / eta);
    ok.sort((a, b) => a.value - b.value || a.id - b.id);
    for (const t of ok.slice(keep)) t.state = 'pruned';
    alive = ok.slice(0, keep);
  }
}

export interface SuccessiveHalvingOptions extends CommonOptions {
  /** Configurations to start with. */
  n: number;
  /** Budget of the first rung; each rung multiplies it by eta up to maxResource. */
  minResource: number;
  eta?: number;
}

/** One bracket of successive halving: n random configurations at minResource, the best 1/η promoted η-fold. */
export async function successiveHalving(o: SuccessiveHalvingOptions): Promise<BudgetResult> {
  checkCommon(o);
  const eta = o.eta ?? 3;
  checkEta(eta);
  checkInt('n', o.n, 1, 100_000);
  checkNumber('minResource', o.minResource, Number.MIN_VALUE, o.maxResource);
  // Rungs at minResource·η^i up to maxResource (the last one exactly there), keeping ⌊n·η^−i⌋ ≥ 1.
  const k = floorLog(o.maxResource / o.minResource, eta);
  const rungs: Rung[] = Array.from({ length: k + 1 }, (_, i) => ({ n: Math.max(1, Math.floor(o.n * eta ** -i + 1e-9)), r: i === k ? o.maxResource : o.minResource * eta ** i }));
  const rng = mulberry32(o.seed);
  const ledger = new Ledger(o);
  const trials = Array.from({ length: o.n }, () => ledger.add(sampleParams(o.space, rng)));
  const total = rungs.reduce((s, g) => s + g.n, 0);
  let evals = 0;
  await halving(ledger, trials, rungs, eta, () => o.ctx?.progress(++evals / total, `successive halving: ${evals} of ${total} evaluations`));
  return ledger.result();
}

export interface HyperbandOptions extends CommonOptions {
  /** Halving rate η (default 3). */
  eta?: number;
}

/** Hyperband: every bracket of hyperbandBrackets(maxResource, eta), s = s_max first, random configurations. */
export async function hyperband(o: HyperbandOptions): Promise<BudgetResult & { brackets: Bracket[] }> {
  checkCommon(o);
  const eta = o.eta ?? 3;
  const brackets = hyperbandBrackets(o.maxResource, eta);
  const rng = mulberry32(o.seed);
  const ledger = new Ledger(o);
  const total = brackets.reduce((s, b) => s + b.rungs.reduce((a, g) => a + g.n, 0), 0);
  let evals = 0;
  const ctx = o.ctx ?? quietContext;
  for (const b of brackets) {
    const trials = Array.from({ length: b.rungs[0].n }, () => ledger.add(sampleParams(o.space, rng), b.s));
    await halving(ledger, trials, b.rungs, eta, () => ctx.progress(++evals / total, `Hyperband bracket s = ${b.s}: ${evals} of ${total} evaluations`));
  }
  return { ...ledger.result(), brackets };
}

export interface MedianPruner {
  kind: 'median';
  /** Completed trials needed before any pruning (Optuna: 5). */
  startupTrials?: number;
  /** Budget below which a trial is never pruned (Optuna: 0). */
  warmup?: number;
}

export interface BudgetStudyOptions extends CommonOptions {
  sampler: 'random' | 'tpe';
  trials: number;
  /** Budget between two reports (and pruning decisions); default 1. */
  step?: number;
  /** No pruning (every trial trains to maxResource), or the median stopping rule. */
  pruner: 'none' | MedianPruner;
  tpe?: Partial<TpeOptions>;
}

/** Median of the finite values (NaN when there are none). */
export function median(xs: readonly number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Trials one after another, each reported every `step` up to maxResource and pruned by the median rule if asked. */
export async function runBudgetStudy(o: BudgetStudyOptions): Promise<BudgetResult> {
  checkCommon(o);
  if (o.sampler !== 'random' && o.sampler !== 'tpe') fail('sampler', `sampler must be one of random, tpe for a budgeted study; it is ${JSON.stringify(o.sampler)}.`);
  checkInt('trials', o.trials, 1, 100_000);
  const step = o.step ?? 1;
  checkNumber('step', step, Number.MIN_VALUE, o.maxResource);
  const pruner = o.pruner === 'none' ? undefined : { startupTrials: 5, warmup: 0, ...o.pruner };
  if (o.pruner !== 'none' && o.pruner?.kind !== 'median') fail('pruner', `pruner must be 'none' or { kind: 'median' }; it is ${JSON.stringify(o.pruner)}.`);
  const rng = mulberry32(o.seed);
  const ledger = new Ledger(o);
  const budgets: number[] = [];
  for (let b = step; b < o.maxResource - 1e-9; b += step) budgets.push(b);
  budgets.push(o.maxResource);
  for (let i = 0; i < o.trials; i++) {
    const history: Observation[] = ledger.trials
      .filter((t) => t.state !== 'failed')
      .map((t) => ({ params: t.params, value: t.value, ...(t.state === 'pruned' ? { budget: t.budget } : {}) }));
    const t = ledger.add(o.sampler === 'tpe' ? tpePropose(o.space, history, rng, o.tpe) : sampleParams(o.space, rng));
    const completed = ledger.trials.filter((x) => x.state === 'complete' && x !== t);
    let bestSoFar = Infinity;
    for (const b of budgets) {
      if (!(await ledger.run(t, b))) break;
      bestSoFar = Math.min(bestSoFar, t.value);
      if (!pruner || b >= o.maxResource || b < pruner.warmup || completed.length < pruner.startupTrials) continue;
      const m = median(completed.map((c) => c.values.find((v) => Math.abs(v.budget - b) < 1e-9)?.value ?? NaN));
      if (bestSoFar > m) {
        t.state = 'pruned';
        break;
      }
    }
    o.ctx?.progress((i + 1) / o.trials, `trial ${i + 1} of ${o.trials}`);
  }
  return ledger.result();
}
