import type { BanditDigest } from '../../src/lib/runners/bandits';
import type { Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns } from '../kit/runs';
import { statesNumber } from '../kit/answer';

/** Settings as saved with a run (read by key). */
type Settings = Record<string, number | string>;





const all = (runs: Parameters<Exercise['check']>[0]['runs']) => labRuns<Settings, BanditDigest>(runs);

const sublinear: Exercise = {
  id: 'sublinear',
  title: 'Regret that stops growing',
  task: 'Run with a horizon of at least 20,000 users. A fixed split’s regret grows in a straight line; show that Thompson sampling’s grows far slower: from a quarter of the horizon to the end it should less than double (a straight line would grow 4×).',
  check({ runs }) {
    const r = all(runs).find((x) => Number(x.settings.horizon) >= 20000 && x.result.thompsonGrowth > 0 && x.result.thompsonGrowth < 2);
    if (r) return { passed: true, runId: r.id, detail: `Run ${r.label}: Thompson’s regret grew ${r.result.thompsonGrowth.toFixed(2)}× over the last three quarters (the split’s grows 4×); final regret ${r.result.thompson.toFixed(1)} vs ${r.result.uniform.toFixed(1)} conversions lost.` };
    return { passed: false, detail: 'No run yet with horizon ≥ 20,000 where Thompson’s regret less than doubles over the last three quarters.' };
  },
};

const explore: Exercise = {
  id: 'explore',
  title: 'Too much exploration',
  task: 'Raise epsilon until epsilon-greedy loses more than half of what the fixed equal split loses.',
  check({ runs }) {
    const r = all(runs).find((x) => x.result.epsilonGreedy > 0.5 * x.result.uniform);
    if (r) return { passed: true, runId: r.id, detail: `Run ${r.label} (epsilon ${r.settings.epsilon}): epsilon-greedy regret ${r.result.epsilonGreedy.toFixed(1)}, fixed split ${r.result.uniform.toFixed(1)}. Exploring at a fixed rate never stops paying.` };
    return { passed: false, detail: 'Not yet: try epsilon 0.6 or more.' };
  },
};

const wrongTool: Exercise = {
  id: 'wrong-tool',
  title: 'When a bandit is the wrong tool',
  task: 'Compare how many users the worst arm gets under Thompson and under the fixed split in one of your runs. Then say when you would run an A/B test rather than a bandit.',
  answerPrompt: 'How many users did the worst arm get under Thompson in your latest run, and when is a bandit the wrong tool?',
  check({ runs, answers }) {
    const r = all(runs)[0];
    if (!r) return { passed: false, detail: 'Run a simulation first.' };
    const found = `Run ${r.label}: the worst arm got ${Math.round(r.result.thompsonWorstPulls)} users under Thompson, ${Math.round(r.result.uniformWorstPulls)} under the fixed split: too few to say how much worse it is.`;
    const a = answers['wrong-tool'] ?? '';
    const ok = statesNumber(a, Math.round(r.result.thompsonWorstPulls), Math.max(1, 0.02 * r.result.thompsonWorstPulls)) && /(estimat|effect size|learn|long[- ]term|delay|guardrail|several metrics|multiple metrics|change over|non-?stationar|inference|confidence|precis|decision)/i.test(a);
    return ok ? { passed: true, runId: r.id, detail: found } : { passed: false, runId: r.id, detail: `${found} Now state that number and answer the question.` };
  },
};

export const meta: LabMeta = {
  id: 'bandits',
  title: 'Bandits vs A/B allocation',
  summary: 'Pit epsilon-greedy, UCB1 and Thompson sampling against a fixed equal split on simulated users: regret over many seeds, where traffic goes, and what you give up.',
  learn: [
    'regret: conversions lost to showing worse arms',
    'epsilon-greedy, UCB1 and Thompson sampling, and how each explores',
    'why bandit regret grows sublinearly and a fixed split’s linearly',
    'when a bandit is the wrong tool: you need an effect estimate, guardrails or delayed outcomes',
  ],
  minutes: 15,
  exercises: [sublinear, explore, wrongTool],
};

export function summarize(records: RunRecord[]): string[] {
  const runs = labRuns<Settings, BanditDigest>(records);
  if (!runs.length) return [];
  const r = runs[0];
  const ranked = (['uniform', 'epsilonGreedy', 'ucb1', 'thompson'] as const).map((k) => [k, r.result[k]] as const).sort((a, b) => a[1] - b[1]);
  const names: Record<string, string> = { uniform: 'fixed split', epsilonGreedy: 'epsilon-greedy', ucb1: 'UCB1', thompson: 'Thompson' };
  const out = [`Latest run (${r.label}, ${r.settings.horizon} users, rates ${r.settings.rates}): conversions lost vs always showing the best arm — ${ranked.map(([k, v]) => `${names[k]} ${v.toFixed(1)}`).join(', ')}.`];
  out.push(`Thompson gave the worst arm ${Math.round(r.result.thompsonWorstPulls)} users on average; a fixed split gave it ${Math.round(r.result.uniformWorstPulls)}.`);
  const close = runs.find((x) => x.result.gap <= 0.002);
  if (close) out.push(`With nearly equal best arms (gap ${close.result.gap.toFixed(3)}), Thompson lost ${close.result.thompson.toFixed(1)} vs ${close.result.uniform.toFixed(1)} for the split: little to gain when arms barely differ.`);
  return out;
}
