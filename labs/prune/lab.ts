import type { CheckResult, Exercise, LabMeta } from '../types';
import { byExperiment, variantRuns } from '../compress-kit/runs';
import { pct } from '../compress-kit/format';
import { statesNumber } from '../kit/answer';

const keepAccuracy: Exercise = {
  id: 'prune-80',
  title: 'Remove 80% of the weights and lose at most 1 point of accuracy',
  task: 'Prune at least 80% of the kernel weights (one-shot or iterative) and fine-tune until test accuracy is within 1 percentage point of the base model\'s.',
  check({ runs }): CheckResult {
    const vs = variantRuns(runs).filter((v) => (v.p.experiment === 'oneshot' || v.p.experiment === 'iterative') && Number(v.p.sparsity) >= 0.8 && typeof v.p.baseAccuracy === 'number');
    if (vs.length === 0) return { passed: false, detail: 'No one-shot or iterative model pruned to 80% or more yet.' };
    const best = vs.reduce((a, b) => (a.variant.accuracy - a.p.baseAccuracy! >= b.variant.accuracy - b.p.baseAccuracy! ? a : b));
    const drop = best.p.baseAccuracy! - best.variant.accuracy;
    const detail = `Best: ${best.variant.description}: ${pct(best.variant.accuracy)} against the base's ${pct(best.p.baseAccuracy!)} (${drop >= 0 ? `${(100 * drop).toFixed(1)} points lost` : `${(-100 * drop).toFixed(1)} points gained: fine-tuning trained it further`}).`;
    return { passed: drop <= 0.01, runId: best.run.id, detail: drop <= 0.01 ? detail : `${detail} Fine-tune longer, on more images, or prune in rounds.` };
  },
};

const compaction: Exercise = {
  id: 'compaction',
  title: 'See why zeros alone do not make a model faster',
  task: 'Run the structured experiment with at least 50% of the units removed, compare the latencies of the compacted model and its unstructured control, and explain the difference.',
  answerPrompt: 'State the two latencies of your run (ms). The unstructured control has as many nonzero weights as the compacted model: why is it not faster?',
  check({ runs, answers }): CheckResult {
    const pair = [...byExperiment(variantRuns(runs)).values()].find((m) => m.has('compact') && m.has('control') && Number(m.get('compact')!.p.sparsity) >= 0.5);
    if (!pair) return { passed: false, detail: 'No structured run with at least 50% of units removed yet.' };
    const c = pair.get('compact')!.variant;
    const u = pair.get('control')!.variant;
    const found = `Compacted: ${c.latencyMs.toFixed(3)} ms with ${c.params.toLocaleString('en')} parameters; unstructured control: ${u.latencyMs.toFixed(3)} ms with ${u.params.toLocaleString('en')} (${(u.nonzero ?? 0).toLocaleString('en')} nonzero).`;
    const a = (answers['compaction'] ?? '').trim();
    const states = (ms: number) => statesNumber(a, ms, Math.max(0.0005, 0.02 * ms));
    const explains = states(c.latencyMs) && states(u.latencyMs) && /(dense|zero|same (shape|size)|multipl|matmul|matrix|skip|sparse kernel|every weight)/i.test(a);
    return { passed: explains, runId: pair.get('compact')!.run.id, detail: explains ? found : `${found} Now state both latencies and say why, in a sentence or two.` };
  },
};

const ticket: Exercise = {
  id: 'lottery',
  title: 'Find a winning ticket',
  task: 'Run the lottery-ticket experiment at 80% sparsity or more until the ticket (the mask on the original initial weights) trains to a higher accuracy than the same mask on fresh random weights.',
  check({ runs }): CheckResult {
    const pairs = [...byExperiment(variantRuns(runs)).values()].filter((m) => m.has('ticket') && m.has('random') && Number(m.get('ticket')!.p.sparsity) >= 0.8);
    if (pairs.length === 0) return { passed: false, detail: 'No lottery-ticket run at 80% sparsity or more yet.' };
    const gap = (m: Map<string, ReturnType<typeof variantRuns>[number]>) => m.get('ticket')!.variant.accuracy - m.get('random')!.variant.accuracy;
    const best = pairs.reduce((a, b) => (gap(a) >= gap(b) ? a : b));
    const t = best.get('ticket')!;
    const detail = `Ticket ${pct(t.variant.accuracy)} vs random re-init ${pct(best.get('random')!.variant.accuracy)} at ${pct(Number(t.p.sparsity), 0)} sparsity.`;
    return { passed: gap(best) > 0, runId: t.run.id, detail: gap(best) > 0 ? detail : `${detail} Try higher sparsity, where the initial values matter most.` };
  },
};

const iterative: Exercise = {
  id: 'iterative',
  title: 'Iterative beats one-shot at 90%',
  task: 'At 90% sparsity or more, find settings where pruning in rounds ends more accurate than pruning at once with the same total fine-tuning.',
  check({ runs }): CheckResult {
    const pairs = [...byExperiment(variantRuns(runs)).values()].filter((m) => m.has('iterative') && m.has('oneshot') && Number(m.get('iterative')!.p.sparsity) >= 0.9);
    if (pairs.length === 0) return { passed: false, detail: 'No iterative run at 90% sparsity or more yet.' };
    const win = pairs.find((m) => m.get('iterative')!.variant.accuracy > m.get('oneshot')!.variant.accuracy);
    const m = win ?? pairs[0];
    const detail = `Iterative ${pct(m.get('iterative')!.variant.accuracy)} vs one-shot ${pct(m.get('oneshot')!.variant.accuracy)}.`;
    return { passed: !!win, runId: m.get('iterative')!.run.id, detail };
  },
};

export const meta: LabMeta = {
  id: 'prune',
  title: 'Pruning: smaller networks from trained ones',
  summary: 'Zero the smallest weights, remove whole neurons and filters, prune in rounds, and test the lottery-ticket hypothesis on your own classifier.',
  learn: [
    'magnitude pruning per layer and with one global threshold',
    'why unstructured sparsity does not speed up dense kernels, and structured pruning does',
    'fine-tuning after pruning, and pruning in rounds',
    'the lottery ticket: a sparse subnetwork that trains from its original initialisation',
  ],
  minutes: 25,
  exercises: [keepAccuracy, compaction, ticket, iterative],
};
