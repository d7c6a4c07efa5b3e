import { METHOD_KEYS, SAMPLER_KEYS, type SamplingDigest } from '../../src/lib/runners/sampling';
import type { Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns } from '../kit/runs';
import { statesNumber } from '../kit/answer';
import { pct } from '../../src/lib/core/format';

/** Settings as saved with a run (read by key). */
type Settings = Record<string, number | string>;






const all = (runs: Parameters<Exercise['check']>[0]['runs']) => labRuns<Settings, SamplingDigest>(runs);
const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');

const varianceN: Exercise = {
  id: 'variance-n',
  title: 'Variance falls as 1/n, bias does not',
  task: 'Run twice with the same seed and population, the second with a sample size at least 4× the first. Simple random sampling’s variance should fall about in proportion; the convenience sample’s bias should not.',
  check({ runs }) {
    const rs = all(runs);
    for (const a of rs) for (const b of rs) {
      const ratio = Number(b.settings.sampleSize) / Number(a.settings.sampleSize);
      if (ratio < 4 || a.settings.population !== b.settings.population || a.settings.seed !== b.settings.seed) continue;
      const vr = a.result.var_srs / b.result.var_srs;
      const ok = vr > ratio / 2 && vr < ratio * 2;
      const detail = `n = ${a.settings.sampleSize} → ${b.settings.sampleSize} (×${f(ratio, 1)}): SRS variance fell ×${f(vr, 1)}; convenience bias ${f(a.result.bias_convenience)} → ${f(b.result.bias_convenience)}.`;
      if (ok) return { passed: true, runId: b.id, detail };
    }
    return { passed: false, detail: 'Need two runs (same seed and population) whose sample sizes differ by 4× or more, with SRS variance falling by roughly that factor.' };
  },
};

const stratify: Exercise = {
  id: 'stratify',
  title: 'Why stratifying helps here',
  task: 'Compare the RMSE of simple random, stratified and weighted (Horvitz–Thompson) sampling in one of your runs.',
  answerPrompt: 'State the stratified RMSE of your run (e.g. 1.23), why stratifying by segment cuts the variance here, and why the convenience sample is wrong however many draws you make:',
  check({ runs, answers }) {
    const r = all(runs).find((x) => x.result.rmse_stratified < x.result.rmse_srs && Number(x.settings.draws) >= 200);
    if (!r) return { passed: false, detail: 'No run with at least 200 draws where stratified sampling beat simple random on RMSE yet.' };
    const found = `Run ${r.label}: RMSE simple ${f(r.result.rmse_srs)}, stratified ${f(r.result.rmse_stratified)}, weighted ${f(r.result.rmse_ht)}, convenience ${f(r.result.rmse_convenience)} (bias ${f(r.result.bias_convenience)}).`;
    const a = (answers['stratify'] ?? '').trim();
    const ok = statesNumber(a, r.result.rmse_stratified, Math.max(0.006, 0.01 * Math.abs(r.result.rmse_stratified))) && /(segment|strat|group|between)/i.test(a) && /(order|first|early|signup|bias|not random|same)/i.test(a);
    return { passed: ok, runId: r.id, detail: ok ? found : `${found} Now state the stratified RMSE and explain both.` };
  },
};

const accuracyLies: Exercise = {
  id: 'accuracy-lies',
  title: 'At 1% positives, accuracy says nothing',
  task: 'Run with a positive rate of 1% or less. The untreated model is about 99% accurate and misses most positives; find a method with at least twice its recall, and compare PR-AUC across methods.',
  answerPrompt: 'Which method would you ship (as is, under, over, smote, weights or focal) with its recall in your run (e.g. 62%), and why did PR-AUC barely move while recall and precision swung?',
  check({ runs, answers }) {
    const r = all(runs).find((x) => Number(x.settings.positiveRate) <= 0.01 && x.result.accuracy_asis >= 0.97 && METHOD_KEYS.some((k) => x.result[`recall_${k}`] >= 2 * x.result.recall_asis && x.result[`recall_${k}`] > 0));
    if (!r) return { passed: false, detail: 'No run yet at a positive rate ≤ 1% where a method at least doubles the untreated model’s recall.' };
    const best = METHOD_KEYS.reduce((a, b) => (r.result[`f1_${b}`] > r.result[`f1_${a}`] ? b : a));
    const found = `Run ${r.label}: as is, accuracy ${pct(r.result.accuracy_asis)} with recall ${pct(r.result.recall_asis)}; best F1 ${f(r.result[`f1_${best}`], 3)} (${best}); PR-AUC ranges ${f(Math.min(...METHOD_KEYS.map((k) => r.result[`prauc_${k}`])), 3)}–${f(Math.max(...METHOD_KEYS.map((k) => r.result[`prauc_${k}`])), 3)}.`;
    const a = (answers['accuracy-lies'] ?? '').trim();
    // The method the answer names first is its choice; it must state that method's recall in this run.
    const aliases: Record<string, RegExp> = { asis: /\bas[- ]is\b/i, under: /\bunder(-?sampl|\b)/i, over: /\bover(-?sampl|\b)/i, smote: /\bsmote\b/i, weights: /\b(class )?weight/i, focal: /\bfocal\b/i };
    const chosen = METHOD_KEYS.map((k) => ({ k, at: a.search(aliases[k]) })).filter((x) => x.at >= 0).sort((x, y) => x.at - y.at)[0]?.k;
    const recall = chosen ? r.result[`recall_${chosen}`] : NaN;
    const ok = statesNumber(a, recall, 0.006) || statesNumber(a, 100 * recall, 0.6) ? /(threshold|rank|order|intercept|shift|calibrat)/i.test(a) : false;
    return { passed: ok, runId: r.id, detail: ok ? found : `${found} Now answer: which would you ship, with its recall in this run, and why PR-AUC barely moved?` };
  },
};

export const meta: LabMeta = {
  id: 'sampling',
  title: 'Sampling and class imbalance',
  summary: 'Simple random, stratified, weighted, reservoir (over a stream) and importance sampling, with their estimates’ bias and variance over repeated draws. Imbalance: undersampling, oversampling, SMOTE, class weights and focal loss on a rare-positive problem, compared by recall, precision, F1 and PR-AUC, never accuracy alone.',
  learn: [
    'bias and variance of an estimator, measured over repeated draws, and RMSE² = bias² + variance',
    'stratified and probability-proportional-to-size sampling, and the Horvitz–Thompson estimator',
    'reservoir sampling: a uniform sample from a stream in one pass',
    'importance sampling with self-normalised weights, and its small-sample bias',
    'rare positives: why accuracy misleads, and what resampling, class weights and focal loss change (mostly the threshold)',
  ],
  minutes: 25,
  exercises: [varianceN, stratify, accuracyLies],
};

export function summarize(records: RunRecord[]): string[] {
  const runs = labRuns<Settings, SamplingDigest>(records);
  if (!runs.length) return [];
  const r = runs[0];
  const best = SAMPLER_KEYS.reduce((a, b) => (r.result[`rmse_${b}`] < r.result[`rmse_${a}`] ? b : a));
  const out = [`Latest run (${r.label}): true mean spend ${f(r.result.truth)}; lowest RMSE ${f(r.result[`rmse_${best}`])} from ${best}; simple random ${f(r.result.rmse_srs)}; the convenience sample is off by ${f(r.result.bias_convenience)} on every draw.`];
  const bestF1 = METHOD_KEYS.reduce((a, b) => (r.result[`f1_${b}`] > r.result[`f1_${a}`] ? b : a));
  out.push(`At ${pct(Number(r.settings.positiveRate))} positives the untreated model was ${pct(r.result.accuracy_asis)} accurate with recall ${pct(r.result.recall_asis)}; the best F1 at threshold 0.5 was ${f(r.result[`f1_${bestF1}`], 3)} (${bestF1}), while PR-AUC stayed between ${f(Math.min(...METHOD_KEYS.map((k) => r.result[`prauc_${k}`])), 3)} and ${f(Math.max(...METHOD_KEYS.map((k) => r.result[`prauc_${k}`])), 3)}.`);
  return out;
}
