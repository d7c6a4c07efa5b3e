import type { AbDigest } from '../../src/lib/runners/ab-test';
import type { Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns, type LabRun } from '../kit/runs';
import { statesShare } from '../kit/answer';
import { pct } from '../../src/lib/core/format';

/** Settings as saved with a run (read by key). */
type Settings = Record<string, number | string>;





type Run = LabRun<Settings, AbDigest>;
const n = (r: Run, k: string) => Number(r.settings[k]);

const underpowered: Exercise = {
  id: 'underpowered',
  title: 'An effect half the size you planned for',
  task: 'Keep the design, but set the true effect to half the minimum detectable effect (same sign) and run at least 500 experiments. How much of the planned power is left?',
  check({ runs }) {
    const ok = labRuns<Settings, AbDigest>(runs).filter((r) => n(r, 'experiments') >= 500 && n(r, 'minDetectableEffect') !== 0 && n(r, 'trueEffect') / n(r, 'minDetectableEffect') > 0 && n(r, 'trueEffect') / n(r, 'minDetectableEffect') <= 0.5 + 1e-9);
    if (!ok.length) return { passed: false, detail: 'No run yet with a true effect at most half the MDE (and ≥ 500 experiments).' };
    const r = ok[0];
    return { passed: true, runId: r.id, detail: `Run ${r.label}: planned power ${pct(n(r, 'power'), 0)}, simulated power ${pct(r.result.conversionPower)} with ${r.result.usersPerArm.toLocaleString('en')} users per arm. A test sized for one effect is weak against a smaller one.` };
  },
};

const uniform: Exercise = {
  id: 'uniform-p',
  title: 'What a p-value is, by simulation',
  task: 'In the p-value chart, read what share of the A/A p-values (no effect at all) fell below 0.2 in your latest run.',
  answerPrompt: 'Share of A/A p-values below 0.2 (a number like 0.21):',
  check({ runs, answers }) {
    const latest = labRuns<Settings, AbDigest>(runs)[0];
    if (!latest) return { passed: false, detail: 'Run a simulation first.' };
    const a = Number((answers['uniform-p'] ?? '').replace('%', '').trim());
    const v = (answers['uniform-p'] ?? '').includes('%') ? a / 100 : a;
    if (!Number.isFinite(v) || (answers['uniform-p'] ?? '').trim() === '') return { passed: false, detail: 'Type the share you read off the chart.' };
    const ok = Math.abs(v - latest.result.aaBelow20) <= 0.03;
    return ok
      ? { passed: true, runId: latest.id, detail: `Yes: ${pct(latest.result.aaBelow20)} of the A/A p-values in run ${latest.label} are below 0.2. Under no effect p is uniform, so a share x falls below x.` }
      : { passed: false, detail: `Not quite: your latest run (${latest.label}) has a different share. Under no effect, what share of uniform values is below 0.2?` };
  },
};

const manyMetrics: Exercise = {
  id: 'many-metrics',
  title: 'Twenty metrics, one false discovery',
  task: 'Read 20 or more metrics (19+ extra) in A/A experiments. Show that without correction most experiments “find” something, while Bonferroni and Benjamini-Hochberg keep it near alpha.',
  check({ runs }) {
    const rs = labRuns<Settings, AbDigest>(runs).filter((r) => r.result.metrics >= 20);
    const ok = rs.find((r) => r.result.fwerUncorrected > 0.5 && r.result.fwerBonferroni <= n(r, 'alpha') + 0.02 && r.result.fwerBH <= n(r, 'alpha') + 0.02);
    if (ok) return { passed: true, runId: ok.id, detail: `Run ${ok.label} with ${ok.result.metrics} metrics: at least one false discovery in ${pct(ok.result.fwerUncorrected)} of A/A tests uncorrected, ${pct(ok.result.fwerBonferroni)} with Bonferroni, ${pct(ok.result.fwerBH)} with BH.` };
    return { passed: false, detail: rs.length ? 'A run with 20+ metrics exists but not all three conditions hold: try the default alpha (0.05).' : 'No run with 20 or more metrics yet.' };
  },
};

const skew: Exercise = {
  id: 'skew',
  title: 'Revenue is harder to move than conversion',
  task: 'Run with revenue skew σ ≥ 2 and compare the power on revenue per user with the power on conversion. Then say why.',
  answerPrompt: 'State your run’s power on revenue (e.g. 31%), and say why the revenue metric detects the same change less often:',
  check({ runs, answers }) {
    const r = labRuns<Settings, AbDigest>(runs).find((x) => n(x, 'revenueSigma') >= 2 && n(x, 'trueEffect') !== 0);
    if (!r) return { passed: false, detail: 'No run with σ ≥ 2 and a non-zero true effect yet.' };
    const found = `Run ${r.label}: power ${pct(r.result.conversionPower)} on conversion, ${pct(r.result.revenuePower)} on revenue.`;
    const a = (answers['skew'] ?? '').trim();
    const explains = statesShare(a, r.result.revenuePower, 0.01) && /(varian|outlier|whale|skew|heavy|noise|spread|standard dev)/i.test(a);
    return explains ? { passed: true, runId: r.id, detail: found } : { passed: false, runId: r.id, detail: `${found} Now state the revenue power and explain it in a sentence.` };
  },
};

export const meta: LabMeta = {
  id: 'ab-test',
  title: 'Design and read an A/B test',
  summary: 'Size a test from baseline, MDE, alpha and power, then run it a thousand times to see what p-values, power, intervals, guardrails and many metrics really do.',
  learn: [
    'sample size from baseline rate, minimum detectable effect, alpha and power',
    'the z-test for conversion and Welch’s t-test for a skewed revenue metric',
    'what a p-value is: its distribution with no effect and with a real one',
    'confidence intervals and how often they cover the truth',
    'guardrail metrics, and the false discoveries many metrics bring (Bonferroni, Benjamini-Hochberg)',
  ],
  minutes: 25,
  exercises: [underpowered, uniform, manyMetrics, skew],
};

export function summarize(records: RunRecord[]): string[] {
  const runs = labRuns<Settings, AbDigest>(records);
  const out: string[] = [];
  if (!runs.length) return out;
  const r = runs[0];
  out.push(`Latest run (${r.label}): ${r.result.usersPerArm.toLocaleString('en')} users per arm; simulated power ${pct(r.result.conversionPower)} against a plan of ${pct(n(r, 'power'), 0)}; A/A false positives ${pct(r.result.aaFpr)} against alpha ${n(r, 'alpha')}; intervals covered the true effect in ${pct(r.result.ciCoverage)} of experiments.`);
  out.push(`Revenue per user detected the same change in ${pct(r.result.revenuePower)} of experiments (σ = ${n(r, 'revenueSigma')}), conversion in ${pct(r.result.conversionPower)}.`);
  if (r.result.metrics > 1) out.push(`With ${r.result.metrics} metrics and no real effect, ${pct(r.result.fwerUncorrected)} of experiments showed at least one “significant” metric; Bonferroni ${pct(r.result.fwerBonferroni)}, BH ${pct(r.result.fwerBH)}. Bonferroni cost the primary metric power: ${pct(r.result.primaryPowerBonferroni)} instead of ${pct(r.result.conversionPower)}.`);
  const under = runs.filter((x) => n(x, 'trueEffect') !== 0 && n(x, 'trueEffect') / n(x, 'minDetectableEffect') <= 0.5 && n(x, 'trueEffect') / n(x, 'minDetectableEffect') > 0);
  if (under.length) out.push(`At half the planned effect your power fell to ${pct(under[0].result.conversionPower)}.`);
  return out;
}
