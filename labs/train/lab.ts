import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import type { TrainConfig } from '../../src/lib/ml/config';
import { statesNumber } from '../kit/answer';

const params = (r: RunRecord) => r.params as unknown as TrainConfig;
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Mean absolute difference of two loss curves over their common steps. */
export function curveGap(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return Infinity;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(a[i] - b[i]);
  return s / n;
}

/** Two runs whose curves agree this closely (mean |Δ loss| per update) count as the same training. */
export const SAME_CURVE_TOLERANCE = 0.01;

const reach85: Exercise = {
  id: 'reach-85',
  title: 'Reach 85% test accuracy within 3 epochs',
  task: 'Pick a model, optimizer and learning rate that reach at least 85% accuracy on the 2,000 test images in at most 3 epochs.',
  check({ runs }): CheckResult {
    const ok = runs.filter((r) => r.status === 'done' && params(r).epochs <= 3 && (r.final?.testAcc ?? 0) >= 0.85);
    if (ok.length > 0) {
      const best = ok.reduce((a, b) => (a.final!.testAcc >= b.final!.testAcc ? a : b));
      return { passed: true, runId: best.id, detail: `Run ${best.name ?? best.id.slice(-6)} reached ${pct(best.final!.testAcc)} in ${params(best).epochs} epochs (${params(best).model}, ${params(best).optimizer}, lr ${params(best).learningRate}).` };
    }
    const tried = runs.filter((r) => r.status === 'done' && params(r).epochs <= 3);
    const top = tried.reduce<number>((m, r) => Math.max(m, r.final?.testAcc ?? 0), 0);
    const triedCnn = tried.some((r) => params(r).model === 'cnn');
    const hint = top > 0.8 && !triedCnn ? ' Hint: every run so far is an MLP; a CNN shares its filters across the image, so try it (a slightly larger learning rate helps it in 3 epochs).' : '';
    return { passed: false, detail: (tried.length ? `Best so far within 3 epochs: ${pct(top)}.` : 'No finished run with 3 epochs or fewer yet.') + hint };
  },
};

const accumulation: Exercise = {
  id: 'accumulation',
  title: 'Show that 4 x 32 with accumulation matches 128',
  task: 'Finish two runs with the same seed, model, optimizer, learning rate and epochs: one with batch 32 and 4 accumulation steps, one with batch 128 and 1. Then compare their curves.',
  check({ runs }): CheckResult {
    const done = runs.filter((r) => r.status === 'done');
    const acc = done.filter((r) => params(r).batchSize === 32 && params(r).accumSteps === 4);
    const whole = done.filter((r) => params(r).batchSize === 128 && params(r).accumSteps === 1);
    const same = (a: RunRecord, b: RunRecord) => {
      const p = params(a);
      const q = params(b);
      return a.seed === b.seed && p.model === q.model && p.optimizer === q.optimizer && p.learningRate === q.learningRate && p.epochs === q.epochs && p.trainSize === q.trainSize;
    };
    let closest: { gap: number; a: RunRecord; b: RunRecord } | undefined;
    for (const a of acc) for (const b of whole) {
      if (!same(a, b)) continue;
      const gap = curveGap(a.metrics.trainLoss, b.metrics.trainLoss);
      if (!closest || gap < closest.gap) closest = { gap, a, b };
    }
    if (!closest) return { passed: false, detail: `Need a finished 32 x 4 run and a finished 128 x 1 run with otherwise equal settings (have ${acc.length} and ${whole.length}).` };
    const passed = closest.gap < SAME_CURVE_TOLERANCE;
    return {
      passed,
      runId: closest.a.id,
      detail: `Mean |Δ train loss| per update between the two runs: ${closest.gap.toExponential(2)} (${passed ? 'the same training, up to float rounding' : `above ${SAME_CURVE_TOLERANCE}: check the settings match`}).`,
    };
  },
};

/** A run diverged when its loss became non-finite or ended above where it started. */
export function diverged(r: RunRecord): boolean {
  const l = r.metrics.trainLoss;
  if (l.some((v) => !Number.isFinite(v))) return true;
  if (l.length < 10) return false;
  const tail = l.slice(-5).reduce((s, v) => s + v, 0) / 5;
  return tail > l[0];
}

const divergence: Exercise = {
  id: 'diverge',
  title: 'Find a learning rate that diverges, and explain the curve',
  task: 'Raise the learning rate until training fails: the loss shoots up or becomes NaN instead of falling. Then say in your own words why.',
  answerPrompt: 'At what learning rate did your run diverge, and why does the loss curve look like that?',
  check({ runs, answers }): CheckResult {
    const answer = (answers['diverge'] ?? '').trim();
    const lr = (r: RunRecord) => Number(params(r).learningRate);
    const states = (r: RunRecord) => statesNumber(answer, lr(r), 1e-6 * Math.abs(lr(r)));
    const bads = runs.filter((r) => r.status !== 'running' && diverged(r));
    const bad = bads.find(states) ?? bads[0];
    if (!bad) return { passed: false, detail: 'No diverged run yet: try a learning rate 100x or 1000x larger.' };
    const explains = states(bad) && /(step|overshoot|too (big|large|high)|jump|unstable|explod|oscillat|minimum|gradient)/i.test(answer);
    const found = `Run ${bad.name ?? bad.id.slice(-6)} with learning rate ${params(bad).learningRate} diverged.`;
    return explains
      ? { passed: true, runId: bad.id, detail: found }
      : { passed: false, runId: bad.id, detail: `${found} Now state that learning rate and explain it (a sentence or two about what the step size does).` };
  },
};

export const meta: LabMeta = {
  id: 'train',
  title: 'Train an image classifier on your GPU',
  summary: 'Train an MLP and a CNN on Fashion-MNIST in your browser, on WebGPU or WebAssembly, and read what the curves say.',
  learn: [
    'what learning rate, batch size and optimizer do to a loss curve',
    'gradient accumulation: a large batch from small ones',
    'seeds and determinism: reproducing a run exactly',
    'choosing a compute backend by measuring it',
    'checkpoints: surviving a reload or a lost GPU',
  ],
  minutes: 30,
  exercises: [reach85, accumulation, divergence],
};
