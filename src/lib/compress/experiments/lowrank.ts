/** The low-rank lab's experiment: SVD of Dense layers, a rank sweep before and after a short fine-tune. */
import type * as tfl from '@tensorflow/tfjs-layers';
import { chain, specOf } from '../../ml/layers';
import { factorizeDenseLayers, lowRankFactorize, type FactorPlan, type LowRank } from '../lowrank';
import type { ExperimentContext } from '../service';
import { baseRow, curveOf, fineTune, row, type ModelRow } from './common';
import type { TrainReport } from '../kit';
import { parseRanks, validateLowRank, type LowRankSettings } from './lowrank-settings';

export interface RankPoint {
  rank: number;
  params: number;
  accuracyBefore: number;
  accuracyAfter: number;
  /** ‖W − W_k‖_F / ‖W‖_F of each factorized layer, from the singular values: √(Σ_{i>k} σ²/Σ σ²). */
  relError: Record<string, number>;
  batch1Ms: number;
  batch32Ms: number;
  runId: string;
}

export interface LowRankOutcome {
  /** Singular values of each factorized layer's kernel, descending. */
  spectra: { layer: string; rows: number; cols: number; singularValues: number[] }[];
  points: RankPoint[];
  rows: ModelRow[];
  /** Ranks asked for but skipped: at or above the rank where factorizing stops saving parameters. */
  skipped: { rank: number; reason: string }[];
}

/** The Dense layers to factorize: every one but the last (the output), or just the first. */
export function targetLayers(model: tfl.LayersModel, which: LowRankSettings['target']): string[] {
  const dense = chain(model).filter((l) => l.getClassName() === 'Dense').slice(0, -1).map((l) => l.name);
  if (dense.length === 0) throw new Error(`Model '${model.name}' has no hidden Dense layer to factorize.`);
  return which === 'first' ? dense.slice(0, 1) : dense;
}

export async function runLowRank(ctx: ExperimentContext, s: LowRankSettings): Promise<LowRankOutcome> {
  validateLowRank(s);
  const base = ctx.base.model;
  const names = targetLayers(base, s.target);
  const svd: Record<string, { f: LowRank; rows: number; cols: number }> = {};
  for (const [i, name] of names.entries()) {
    ctx.checkStop();
    ctx.progress((0.1 * i) / names.length, `SVD of ${name}`);
    const [kernel] = specOf(base.getLayer(name)).weights;
    const [rows, cols] = kernel.shape;
    svd[name] = { f: lowRankFactorize(kernel.data, rows, cols, Math.min(rows, cols)), rows, cols };
  }
  // The layer whose spectrum falls off fastest: the smallest share of its full rank that keeps 90% of
  // the squared singular values (saved with each variant, so the spectrum exercise can read it).
  const rank90Share = (sv: ArrayLike<number>) => {
    const e = Array.from(sv, (v) => v * v);
    const total = e.reduce((a, b) => a + b, 0);
    let acc = 0;
    for (let i = 0; i < e.length; i++) if ((acc += e[i]) >= 0.9 * total) return (i + 1) / e.length;
    return 1;
  };
  const fastestLayer = names.reduce((best, n) => (rank90Share(svd[n].f.singularValues) < rank90Share(svd[best].f.singularValues) ? n : best), names[0]);
  const skipped: LowRankOutcome['skipped'] = [];
  const ranks = parseRanks(s.ranks).filter((k) => {
    // A layer keeps min(k, its full rank); past in·out/(in+out) the two layers hold more than the one.
    const saves = names.some((n) => k < (svd[n].rows * svd[n].cols) / (svd[n].rows + svd[n].cols));
    if (!saves) skipped.push({ rank: k, reason: 'at this rank the two factors hold more weights than the layer they replace' });
    return saves;
  });
  const made: { k: number; model: tfl.LayersModel; accuracyBefore: number; report?: TrainReport; plan: Record<string, FactorPlan> }[] = [];
  try {
    for (const [i, k] of ranks.entries()) {
      ctx.checkStop();
      const span = 0.8 / ranks.length;
      const from = 0.1 + i * span;
      ctx.progress(from, `rank ${k}: factorizing and evaluating`);
      const plan: Record<string, FactorPlan> = Object.fromEntries(names.map((n) => [n, { rank: Math.min(k, svd[n].f.singularValues.length), factors: svd[n].f }]));
      const model = factorizeDenseLayers(base, plan);
      made.push({ k, model, plan, accuracyBefore: 0 });
      made[made.length - 1].accuracyBefore = (await ctx.kit.evaluate(model)).accuracy;
      made[made.length - 1].report = await fineTune(ctx, model, s, `rank ${k}: fine-tuning`, [from + 0.1 * span, from + span]);
    }
    ctx.progress(0.9, 'measuring accuracy and latency');
    const [baseM, ...measured] = await ctx.measureAll([base, ...made.map((m) => m.model)]);
    const points: RankPoint[] = [];
    const rows: ModelRow[] = [baseRow(ctx, baseM)];
    const ft = s.epochs > 0 ? `, fine-tuned ${s.epochs} epoch${s.epochs > 1 ? 's' : ''}` : '';
    for (const [i, { k, model, plan, accuracyBefore, report }] of made.entries()) {
      const after = measured[i];
      const runId = await ctx.save(model, after, { technique: 'lowrank', description: `rank-${k} SVD of ${names.join(', ')}${ft}` }, { curve: curveOf(report), settings: { rank: k, accuracyBefore, fastestLayer, fastestRank90Share: rank90Share(svd[fastestLayer].f.singularValues) } });
      points.push({
        rank: k, params: after.params, accuracyBefore, accuracyAfter: after.accuracy, batch1Ms: after.latency.batch1Ms, batch32Ms: after.latency.batch32Ms, runId,
        relError: Object.fromEntries(names.map((n) => [n, truncationError(svd[n].f.singularValues, plan[n].rank)])),
      });
      rows.push(row(`rank ${k}${ft}`, after, runId));
    }
    return { spectra: names.map((n) => ({ layer: n, rows: svd[n].rows, cols: svd[n].cols, singularValues: Array.from(svd[n].f.singularValues) })), points, rows, skipped };
  } finally {
    made.forEach((m) => m.model.dispose());
  }
}
/** Eckart–Young: the rank-k truncation's Frobenius error relative to ‖W‖_F is √(Σ_{i>k} σ_i² / Σ σ_i²). */
export function truncationError(sv: ArrayLike<number>, k: number): number {
  let tail = 0;
  let all = 0;
  for (let i = 0; i < sv.length; i++) {
    all += sv[i] * sv[i];
    if (i >= k) tail += sv[i] * sv[i];
  }
  return all === 0 ? 0 : Math.sqrt(tail / all);
}
