import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns, num, sameExcept, type LabRun } from '../kit/runs';
import { col, type Column, type Run } from '../kit/columns';
import { fixed } from '../../src/lib/core/format';

type S = { seed: number; layers: number; dModel: number; draftLayers: number; draftDModel: number; steps: number; tokens: number; gamma: number };
const runsOf = (runs: RunRecord[]) => labRuns<S>(runs);

const formula: Exercise = {
  id: 'formula',
  title: 'The formula predicts tokens per call',
  task: 'Run with the defaults. Tokens per target call should lie within 0.5 of (1 − α^(γ+1)) / (1 − α) at the α your run measured, and the tokens should equal the target’s own.',
  check({ runs }): CheckResult {
    const r = runsOf(runs)[0];
    if (!r) return { passed: false, detail: 'No run yet.' };
    const passed = Math.abs(num(r, 'tokensPerCall') - num(r, 'expected')) <= 0.5 && num(r, 'identical') === 1;
    return { passed, runId: r.id, detail: `Run ${r.label}: α ${fixed(num(r, 'alpha'))}, ${fixed(num(r, 'tokensPerCall'), 2)} tokens per call against ${fixed(num(r, 'expected'), 2)} predicted; tokens ${num(r, 'identical') ? 'identical' : 'different'}.` };
  },
};

const betterDraft: Exercise = {
  id: 'better-draft',
  title: 'A better draft is accepted more often',
  task: 'Run twice, equal except a wider or deeper draft in the second. Its α should rise.',
  check({ runs }): CheckResult {
    const rs = runsOf(runs);
    for (const a of rs) for (const b of rs) {
      const bigger = b.settings.draftDModel * b.settings.draftLayers > a.settings.draftDModel * a.settings.draftLayers;
      if (!bigger || !sameExcept(a, b, ['draftDModel', 'draftLayers'])) continue;
      return { passed: num(b, 'alpha') > num(a, 'alpha'), runId: b.id, detail: `Draft ${a.settings.draftLayers}×${a.settings.draftDModel} → ${b.settings.draftLayers}×${b.settings.draftDModel}: α ${fixed(num(a, 'alpha'))} → ${fixed(num(b, 'alpha'))}.` };
    }
    return { passed: false, detail: 'Need two runs equal except a larger draft in one.' };
  },
};

export const meta: LabMeta = {
  id: 'speculative',
  title: 'Speculative decoding',
  summary: 'Train a target and a small draft in your tab; the draft guesses γ tokens, the target checks them in one pass: the same text in fewer target calls.',
  learn: [
    'why greedy speculative decoding cannot change the output',
    'the acceptance rate α and the expected tokens per target call, (1 − α^(γ+1)) / (1 − α)',
    'when the speed-up is real: a draft much cheaper than the target, and a γ that is not too long',
  ],
  minutes: 25,
  exercises: [formula, betterDraft],
};

export const columns: Column<Run>[] = [
  { label: 'draft', num: true, value: (r) => `${(r.settings as S).draftLayers}×${(r.settings as S).draftDModel}` },
  col.setting('γ', 'gamma'),
  col.fixed('α', 'alpha'),
  col.fixed('tokens/call', 'tokensPerCall', 2),
  col.fixed('predicted', 'expected', 2),
  col.fixed('speed-up', 'speedup', 2),
];

export function summarize(runs: RunRecord[]): string[] {
  const rs: LabRun<S>[] = runsOf(runs);
  if (!rs.length) return [];
  const same = rs.filter((r) => num(r, 'identical') === 1).length;
  const best = [...rs].sort((a, b) => num(b, 'speedup') - num(a, 'speedup'))[0];
  return [
    `Speculative and plain greedy decoding gave identical tokens in ${same} of ${rs.length} run(s).`,
    `The fastest run was ${best.label}: γ ${best.settings.gamma}, α ${fixed(num(best, 'alpha'))}, ${fixed(num(best, 'speedup'), 2)}× the target alone.`,
  ];
}
