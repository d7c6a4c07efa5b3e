import { DEFAULTS, type TrainConfig } from '../../src/lib/ml/config';
import type { RunRecord } from '../../src/lib/store/types';
import { pct, plural, noun } from '../../src/lib/core/format';
import { diverged } from './lab';

const p = (r: RunRecord) => r.params as unknown as TrainConfig;

/** Plain sentences about the learner's runs: what the numbers showed, computed from the runs themselves. */
export function summarize(runs: RunRecord[]): string[] {
  const out: string[] = [];
  const done = runs.filter((r) => r.status === 'done' && r.final);
  if (done.length) {
    const best = done.reduce((a, b) => (a.final!.testAcc >= b.final!.testAcc ? a : b));
    out.push(`Best test accuracy: ${pct(best.final!.testAcc)} (${p(best).model}, ${p(best).optimizer}, lr ${p(best).learningRate}, ${p(best).epochs} epochs, ${best.backend}).`);
    const gaps = done.map((r) => ({ r, gap: r.metrics.trainAcc.slice(-10).reduce((s, v) => s + v, 0) / Math.min(10, r.metrics.trainAcc.length) - r.final!.testAcc }));
    const over = gaps.filter((g) => g.gap > 0.05);
    const withRob = done.filter((r) => r.final!.robustness);
    if (withRob.length) {
      const byModel = (m: string) => withRob.filter((r) => p(r).model === m).map((r) => r.final!.robustness!.shift);
      const mlp = byModel('mlp');
      const cnn = byModel('cnn');
      const best = (xs: number[]) => pct(Math.max(...xs));
      if (mlp.length && cnn.length) out.push(`Shifted 3 pixels, the best MLP keeps ${best(mlp)} test accuracy and the best CNN ${best(cnn)}.`);
      const cal = withRob.filter((r) => r.final!.calibration).map((r) => r.final!.calibration!);
      if (cal.length) {
        const { eceBefore, eceAfter, temperature } = cal[0];
        const T = `T = ${temperature.toFixed(2)}`;
        out.push(
          pct(eceBefore) === pct(eceAfter)
            ? `Temperature scaling left the calibration error at ${pct(eceAfter)} in your latest run (${T}): it was already as calibrated as one temperature can make it.`
            : `Temperature scaling ${eceAfter < eceBefore ? 'lowered' : 'raised'} the calibration error from ${pct(eceBefore)} to ${pct(eceAfter)} in your latest run (${T}).`,
        );
      }
    }
    if (over.length) out.push(`${plural(over.length, 'run')} ${over.length === 1 ? 'scores' : 'score'} over 5 points better on training batches than on the test set: the model is starting to memorise its training images.`);
  }
  const speeds = new Map<string, number[]>();
  for (const r of done) {
    const sps = (r.stepsDone * p(r).batchSize * p(r).accumSteps) / (r.durationMs / 1000);
    const key = `${p(r).model} on ${r.backend}`;
    speeds.set(key, [...(speeds.get(key) ?? []), sps]);
  }
  if (speeds.size > 1) {
    const med = [...speeds].map(([k, v]) => [k, v.sort((a, b) => a - b)[Math.floor(v.length / 2)]] as const).sort((a, b) => b[1] - a[1]);
    out.push(`Throughput including evaluation: ${med.map(([k, v]) => `${k} ${Math.round(v).toLocaleString()} samples/s`).join(', ')}.`);
  }
  const div = runs.filter(diverged);
  if (div.length) out.push(`${div.length} ${noun(div.length, 'run')} diverged; the smallest diverging learning rate was ${Math.min(...div.map((r) => p(r).learningRate))}.`);
  const seeds = new Map<string, RunRecord[]>();
  for (const r of done) {
    const key = JSON.stringify({ ...p(r), name: undefined }) + r.backend;
    seeds.set(key, [...(seeds.get(key) ?? []), r]);
  }
  for (const group of seeds.values()) {
    if (group.length < 2) continue;
    const same = group.every((r) => JSON.stringify(r.metrics.trainLoss) === JSON.stringify(group[0].metrics.trainLoss));
    out.push(`${group.length} runs with identical settings and seed on ${group[0].backend}: their curves are ${same ? 'bit-identical' : 'not bit-identical (expected on webgpu, where reductions may run in varying order)'}.`);
    break;
  }
  return out;
}

/**
 * A stored run whose settings are not a training config's (a hand-edited or damaged import: an
 * object where the batch size belongs) cannot be drawn in the table, compared or resumed: it is
 * marked damaged, with the reason, and listed apart with Delete. Settings a run lacks are fine
 * (older runs); only present ones of the wrong type count.
 */
export function withReadableSettings(run: RunRecord): RunRecord {
  if (run.status === 'damaged') return run;
  const params = run.params as Record<string, unknown>;
  const wrong = (Object.keys(DEFAULTS) as (keyof TrainConfig)[]).filter((k) => {
    const v = params[k];
    if (v === undefined) return false;
    const want = typeof DEFAULTS[k];
    return typeof v !== want || (want === 'number' && !Number.isFinite(v));
  });
  if (wrong.length === 0) return run;
  return { ...run, status: 'damaged', statusMessage: `Its settings cannot be read: ${wrong.map((k) => `${k} should be a ${typeof DEFAULTS[k]}`).join(', ')}.` };
}

/** What an import did, in a sentence or three: runs added, then (the first few) fields repaired and records refused. */
export function importSentence(added: number, repairs: readonly string[], refused: readonly string[]): string {
  const some = (lines: readonly string[]) => lines.slice(0, 3).join(' ') + (lines.length > 3 ? ` (and ${lines.length - 3} more)` : '');
  let out = `Imported ${added} run${added === 1 ? '' : 's'}.`;
  if (repairs.length) out += ` Repaired: ${some(repairs)}`;
  if (refused.length) out += ` ${some(refused)}`;
  return out;
}
