/** The pruning lab's experiments, composed from the kit: one-shot, structured, iterative, lottery ticket. */
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildModel } from '../../ml/models';
import { deriveSeed } from '../../core/rng';
import { cloneModel } from '../../ml/layers';
import { pruneModel, type LayerMask } from '../prune';
import { structuredPrune } from '../structured';
import { countParams, rewindToInit } from '../kit';
import type { ExperimentContext } from '../service';
import { baseRow, curveOf, fineTune, pct, row, type Curve, type ModelRow } from './common';
import { iterativeSchedule, validatePrune, type PruneExperiment, type PruneSettings } from './prune-settings';

export interface PruneOutcome {
  experiment: PruneExperiment;
  /** Accuracy (y) against the share of weights removed (x). */
  curves: Curve[];
  rows: ModelRow[];
  /** Per layer: the share of its kernel pruned, and for structured pruning the units kept. */
  layers: { layer: string; sparsity: number; units?: string }[];
  /** Loss per update of models trained in the experiment (the lottery ticket and its control). */
  training: { label: string; epochs: number[]; losses: number[] }[];
}

/** Sparsities of the accuracy sweeps (no fine-tuning: each point is one prune and one evaluation). */
export const SWEEP = [0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98];

const withTarget = (xs: number[], t: number) => [...new Set([...xs, t])].sort((a, b) => a - b);

async function sweepAccuracy(ctx: ExperimentContext, sparsities: number[], scope: 'layer' | 'global', range: [number, number]): Promise<number[]> {
  const out: number[] = [];
  for (const [i, s] of sparsities.entries()) {
    ctx.checkStop();
    ctx.progress(range[0] + ((range[1] - range[0]) * i) / sparsities.length, `pruning ${pct(s)} of the weights (${scope}) and evaluating`);
    const m = cloneModel(ctx.base.model);
    try {
      pruneModel(m, { sparsity: s, scope });
      out.push((await ctx.kit.evaluate(m)).accuracy);
    } finally {
      m.dispose();
    }
  }
  return out;
}

const layerRows = (masks: LayerMask[]) => masks.map((m) => ({ layer: m.layer, sparsity: m.sparsity }));

async function oneShot(ctx: ExperimentContext, s: PruneSettings): Promise<PruneOutcome> {
  const xs = withTarget(SWEEP, s.sparsity);
  const layerAcc = await sweepAccuracy(ctx, xs, 'layer', [0, 0.25]);
  const globalAcc = await sweepAccuracy(ctx, xs, 'global', [0.25, 0.5]);
  const m = cloneModel(ctx.base.model);
  let before: tfl.LayersModel | undefined;
  try {
    const masks = pruneModel(m, { sparsity: s.sparsity, scope: s.scope });
    before = cloneModel(m);
    const report = await fineTune(ctx, m, s, 'fine-tuning the pruned model', [0.55, 0.9], masks);
    ctx.progress(0.9, 'measuring accuracy and latency');
    const [baseM, beforeM, after] = await ctx.measureAll([ctx.base.model, before, m]);
    const what = `${s.scope} magnitude pruning, ${pct(s.sparsity)} of kernel weights`;
    const ft = report ? `fine-tuned ${s.epochs} epoch${s.epochs > 1 ? 's' : ''}` : 'not fine-tuned';
    const runId = await ctx.save(m, after, { technique: 'prune', description: `${what}, ${ft}` }, { curve: curveOf(report), settings: { role: 'pruned' } });
    const rows = [baseRow(ctx, baseM)];
    if (report) rows.push(row(`pruned ${pct(s.sparsity)} (${s.scope}), before fine-tuning`, beforeM));
    rows.push(row(`pruned ${pct(s.sparsity)} (${s.scope}), ${ft}`, after, runId));
    const curves: Curve[] = [
      { label: 'same share per layer', x: xs, y: layerAcc },
      { label: 'global threshold', x: xs, y: globalAcc },
    ];
    if (report) curves.push({ label: 'after fine-tuning', x: [s.sparsity], y: [after.accuracy], points: true });
    return { experiment: 'oneshot', curves, rows, layers: layerRows(masks), training: report ? [{ label: 'fine-tuning', ...curveOf(report)! }] : [] };
  } finally {
    m.dispose();
    before?.dispose();
  }
}

/** Weights pruned by structured pruning of `fraction` of the units, as a share of the base's parameters. */
function removedShare(base: tfl.LayersModel, compact: tfl.LayersModel): number {
  return 1 - countParams(compact).params / countParams(base).params;
}

async function structured(ctx: ExperimentContext, s: PruneSettings): Promise<PruneOutcome> {
  const fractions = withTarget([0, 0.25, 0.5, 0.75, 0.9], Math.min(s.sparsity, 0.95));
  const removed: number[] = [];
  const structAcc: number[] = [];
  for (const [i, f] of fractions.entries()) {
    ctx.checkStop();
    ctx.progress((0.3 * i) / fractions.length, `removing ${pct(f)} of the units and evaluating`);
    const { model } = structuredPrune(ctx.base.model, { fraction: f });
    try {
      removed.push(removedShare(ctx.base.model, model));
      structAcc.push((await ctx.kit.evaluate(model)).accuracy);
    } finally {
      model.dispose();
    }
  }
  const unstructAcc = await sweepAccuracy(ctx, removed.map((r) => Math.min(0.99, r)), 'global', [0.3, 0.45]);
  const fraction = Math.min(s.sparsity, 0.95);
  const { model: compact, keep } = structuredPrune(ctx.base.model, { fraction });
  const before = cloneModel(compact);
  const dense = cloneModel(ctx.base.model);
  try {
    const share = removedShare(ctx.base.model, compact);
    const report = await fineTune(ctx, compact, s, 'fine-tuning the compacted model', [0.5, 0.7]);
    // The unstructured control: as many weights zeroed, by global magnitude, in the dense layout.
    const base = countParams(ctx.base.model).params;
    const kernels = base - biasCount(ctx.base.model);
    const masks = pruneModel(dense, { sparsity: Math.min(0.99, (base - countParams(compact).params) / kernels), scope: 'global' });
    const report2 = await fineTune(ctx, dense, s, 'fine-tuning the unstructured control', [0.7, 0.9], masks);
    ctx.progress(0.9, 'measuring accuracy and latency');
    const [baseM, beforeM, after, sparse] = await ctx.measureAll([ctx.base.model, before, compact, dense]);
    const ft = report ? `, fine-tuned ${s.epochs} epoch${s.epochs > 1 ? 's' : ''}` : '';
    const compactId = await ctx.save(compact, after, { technique: 'prune', description: `structured: ${pct(fraction)} of hidden units removed by L2 norm and compacted (${pct(share)} fewer parameters)${ft}` }, { curve: curveOf(report), settings: { role: 'compact' } });
    const sparseId = await ctx.save(dense, sparse, { technique: 'prune', description: `unstructured control: global magnitude pruning to the compacted model's parameter count (${pct(1 - sparse.nonzero / sparse.params)} zeros)${ft}` }, { curve: curveOf(report2), settings: { role: 'control' } });
    const layers = Object.entries(keep).map(([layer, units]) => ({ layer, sparsity: 1 - units.length / unitCount(ctx.base.model, layer), units: `${units.length} of ${unitCount(ctx.base.model, layer)}` }));
    const curves: Curve[] = [
      { label: 'structured (units removed)', x: removed, y: structAcc },
      { label: 'unstructured, same share', x: removed, y: unstructAcc },
    ];
    if (report) curves.push({ label: 'structured, fine-tuned', x: [share], y: [after.accuracy], points: true });
    return {
      experiment: 'structured', curves, layers, training: [],
      rows: [
        baseRow(ctx, baseM),
        ...(report ? [row(`structured ${pct(fraction)} of units, compacted, before fine-tuning`, beforeM)] : []),
        row(`structured ${pct(fraction)} of units, compacted${ft}`, after, compactId),
        row(`unstructured, same nonzero count${ft}`, sparse, sparseId),
      ],
    };
  } finally {
    compact.dispose();
    before.dispose();
    dense.dispose();
  }
}

function biasCount(model: tfl.LayersModel): number {
  return model.layers.reduce((n, l) => n + l.getWeights().slice(1).reduce((k, w) => k + w.size, 0), 0);
}

function unitCount(model: tfl.LayersModel, layer: string): number {
  const shape = model.getLayer(layer).getWeights()[0].shape;
  return shape[shape.length - 1];
}

async function iterative(ctx: ExperimentContext, s: PruneSettings): Promise<PruneOutcome> {
  const schedule = iterativeSchedule(s.sparsity, s.steps);
  const m = cloneModel(ctx.base.model);
  const o = cloneModel(ctx.base.model);
  try {
    const before: number[] = [];
    const after: number[] = [];
    let masks: LayerMask[] = [];
    const losses: { epochs: number[]; losses: number[] } = { epochs: [], losses: [] };
    for (const [i, target] of schedule.entries()) {
      ctx.checkStop();
      // Weights pruned in earlier rounds are zero, the smallest magnitudes: they stay pruned.
      masks = pruneModel(m, { sparsity: target, scope: s.scope });
      before.push((await ctx.kit.evaluate(m)).accuracy);
      const r = await fineTune(ctx, m, s, `round ${i + 1} of ${s.steps} (${pct(target)} sparse)`, [(0.6 * i) / s.steps, (0.6 * (i + 1)) / s.steps], masks);
      if (r) r.epochs.forEach((e, k) => (losses.epochs.push(i * s.epochs + e), losses.losses.push(r.losses[k])));
      after.push(r ? (await ctx.kit.evaluate(m)).accuracy : before[before.length - 1]);
    }
    // One-shot control: the same target at once, with the same total fine-tuning.
    const oMasks = pruneModel(o, { sparsity: s.sparsity, scope: s.scope });
    const total = { ...s, epochs: s.epochs * s.steps };
    const r = await fineTune(ctx, o, total, 'one-shot control, same total fine-tuning', [0.65, 0.92], oMasks);
    ctx.progress(0.92, 'measuring accuracy and latency');
    const [baseM, itMeasured, oMeasured] = await ctx.measureAll([ctx.base.model, m, o]);
    const ft = s.epochs > 0 ? `, ${s.epochs} fine-tune epoch${s.epochs > 1 ? 's' : ''} per round` : '';
    const itId = await ctx.save(m, itMeasured, { technique: 'prune', description: `iterative ${s.scope} magnitude pruning, ${s.steps} rounds to ${pct(s.sparsity)}${ft}` }, { curve: losses.losses.length ? losses : undefined, settings: { role: 'iterative' } });
    const oId = await ctx.save(o, oMeasured, { technique: 'prune', description: `one-shot ${s.scope} magnitude pruning to ${pct(s.sparsity)}${r ? `, fine-tuned ${total.epochs} epochs` : ''}` }, { curve: curveOf(r), settings: { role: 'oneshot' } });
    return {
      experiment: 'iterative',
      curves: [
        { label: 'iterative, before each fine-tune', x: schedule, y: before, points: true },
        { label: 'iterative, after each fine-tune', x: schedule, y: after, points: true },
        { label: 'one-shot, same total fine-tuning', x: [s.sparsity], y: [oMeasured.accuracy], points: true },
      ],
      rows: [baseRow(ctx, baseM), row(`iterative, ${s.steps} rounds`, itMeasured, itId), row(`one-shot${r ? `, fine-tuned ${total.epochs} epochs` : ''}`, oMeasured, oId)],
      layers: layerRows(masks),
      training: losses.losses.length ? [{ label: 'iterative fine-tuning', ...losses }] : [],
    };
  } finally {
    m.dispose();
    o.dispose();
  }
}

async function lottery(ctx: ExperimentContext, s: PruneSettings): Promise<PruneOutcome> {
  const info = ctx.base.info;
  const epochs = Math.max(1, s.epochs);
  const pruned = cloneModel(ctx.base.model);
  const ticket = cloneModel(ctx.base.model);
  const random = cloneModel(ctx.base.model);
  // The base run started from buildModel(kind, seed): the exact initial weights, rebuilt.
  const init = buildModel(info.model, info.seed);
  const other = buildModel(info.model, deriveSeed(info.seed, 4242));
  try {
    const masks = pruneModel(pruned, { sparsity: s.sparsity, scope: s.scope });
    rewindToInit(ticket, init, masks);
    rewindToInit(random, other, masks);
    const settings = { ...s, epochs };
    const rt = (await fineTune(ctx, ticket, settings, 'training the winning ticket (initial weights, mask)', [0.05, 0.48], masks))!;
    const rr = (await fineTune(ctx, random, settings, 'training the random re-init (same mask)', [0.48, 0.9], masks))!;
    ctx.progress(0.9, 'measuring accuracy and latency');
    const [baseM, prunedM, ticketM, randomM] = await ctx.measureAll([ctx.base.model, pruned, ticket, random]);
    const ep = `${epochs} epoch${epochs > 1 ? 's' : ''}`;
    const ticketId = await ctx.save(ticket, ticketM, { technique: 'prune', description: `lottery ticket: ${pct(s.sparsity)} ${s.scope} mask, rewound to the initial weights, retrained ${ep}` }, { curve: curveOf(rt), settings: { role: 'ticket' } });
    const randomId = await ctx.save(random, randomM, { technique: 'prune', description: `random re-init control: same ${pct(s.sparsity)} mask, fresh random weights, retrained ${ep}` }, { curve: curveOf(rr), settings: { role: 'random' } });
    return {
      experiment: 'lottery',
      curves: [
        { label: 'winning ticket', x: [s.sparsity], y: [ticketM.accuracy], points: true },
        { label: 'random re-init', x: [s.sparsity], y: [randomM.accuracy], points: true },
        { label: 'pruned, not retrained', x: [s.sparsity], y: [prunedM.accuracy], points: true },
      ],
      rows: [
        baseRow(ctx, baseM),
        row(`pruned ${pct(s.sparsity)}, trained weights, not retrained`, prunedM),
        row(`winning ticket (rewound to init), retrained ${epochs} ep.`, ticketM, ticketId),
        row(`random re-init, same mask, retrained ${epochs} ep.`, randomM, randomId),
      ],
      layers: layerRows(masks),
      training: [
        { label: 'winning ticket', epochs: rt.epochs, losses: rt.losses },
        { label: 'random re-init', epochs: rr.epochs, losses: rr.losses },
      ],
    };
  } finally {
    [pruned, ticket, random, init, other].forEach((m) => m.dispose());
  }
}

export async function runPrune(ctx: ExperimentContext, s: PruneSettings): Promise<PruneOutcome> {
  validatePrune(s);
  switch (s.experiment) {
    case 'oneshot': return oneShot(ctx, s);
    case 'structured': return structured(ctx, s);
    case 'iterative': return iterative(ctx, s);
    case 'lottery': return lottery(ctx, s);
  }
}
