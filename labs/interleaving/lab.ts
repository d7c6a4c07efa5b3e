import type { InterleavingDigest } from '../../src/lib/runners/interleaving';
import type { Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns } from '../kit/runs';
import { statesNumber } from '../kit/answer';
import { pct } from '../../src/lib/core/format';

/** Settings as saved with a run (read by key). */
type Settings = Record<string, number | string>;





const all = (runs: Parameters<Exercise['check']>[0]['runs']) => labRuns<Settings, InterleavingDigest>(runs);
const q80 = (n: number) => (n ? `${n.toLocaleString('en')} queries` : 'not reached');

const both80: Exercise = {
  id: 'both-80',
  title: 'How many queries does each method need?',
  task: 'Raise the largest query count until both methods reach 80% power, and read how many queries each needed.',
  answerPrompt: 'About how many times fewer queries does interleaving need here?',
  check({ runs, answers }) {
    const r = all(runs).find((x) => x.result.abQueries80 > 0 && x.result.interleavingQueries80 > 0);
    if (!r) return { passed: false, detail: 'No run yet where both the A/B split and interleaving reach 80% power.' };
    const ratio = r.result.abQueries80 / r.result.interleavingQueries80;
    const found = `Run ${r.label}: A/B needed ${q80(r.result.abQueries80)}, interleaving ${q80(r.result.interleavingQueries80)} (${ratio.toFixed(1)}× fewer).`;
    return statesNumber(answers['both-80'], ratio, Math.max(0.5, 0.25 * ratio)) ? { passed: true, runId: r.id, detail: found } : { passed: false, runId: r.id, detail: `${found.replace(/ \(.*\)\./, '.')} Type the ratio.` };
  },
};

const aa: Exercise = {
  id: 'equal-rankers',
  title: 'Equal rankers: an A/A check for interleaving',
  task: 'Give both rankers the same noise. Both tests should then “detect” a difference only about alpha of the time, at every size.',
  check({ runs }) {
    const r = all(runs).find((x) => x.settings.noiseA === x.settings.noiseB && Number(x.settings.replicates) >= 100);
    if (!r) return { passed: false, detail: 'No run with equal noise and at least 100 repetitions yet.' };
    const ok = r.result.interleavingPowerMax <= Number(r.settings.alpha) + 0.05 && r.result.abPowerMax <= Number(r.settings.alpha) + 0.05;
    return { passed: ok, runId: r.id, detail: `Run ${r.label}: at ${r.result.maxQueries.toLocaleString('en')} queries, interleaving flagged ${pct(r.result.interleavingPowerMax)}, A/B ${pct(r.result.abPowerMax)} of experiments${ok ? ': both near alpha, as they should be.' : '.'}` };
  },
};

const bias: Exercise = {
  id: 'position-bias',
  title: 'Position bias and interleaving',
  task: 'Run once with position bias 0 and once with 2 (other settings equal). Compare the queries interleaving needs.',
  answerPrompt: 'How many queries did interleaving need for 80% power at your bias-2 run, and why does team-draft interleaving stay fair even though users click the top results more?',
  check({ runs, answers }) {
    const rs = all(runs);
    const a = rs.find((x) => Number(x.settings.positionBias) === 0);
    const b = rs.find((x) => Number(x.settings.positionBias) >= 2);
    if (!a || !b) return { passed: false, detail: `Need runs with position bias 0 (${a ? 'done' : 'missing'}) and ≥ 2 (${b ? 'done' : 'missing'}).` };
    const found = `Bias 0: interleaving at ${q80(a.result.interleavingQueries80)} for 80% power; bias ${b.settings.positionBias}: ${q80(b.result.interleavingQueries80)}.`;
    const t = answers['position-bias'] ?? '';
    return b.result.interleavingQueries80 > 0 && statesNumber(t, b.result.interleavingQueries80, 0.02 * b.result.interleavingQueries80) && /(coin|alternat|both teams|each ranker|equal|turn|fair|same position|draft)/i.test(t) ? { passed: true, runId: b.id, detail: found } : { passed: false, runId: b.id, detail: `${found} Now state the queries at bias ${b.settings.positionBias} and explain.` };
  },
};

export const meta: LabMeta = {
  id: 'interleaving',
  title: 'Ranking experiments: interleaving vs A/B',
  summary: 'Compare two search rankers on simulated click logs with position bias: team-draft interleaving against an A/B split, and how many queries each needs.',
  learn: [
    'team-draft interleaving: two rankers draft one result list, clicks credit the team',
    'position bias: why raw click-through mixes ranking quality with where results sit',
    'why a within-query comparison needs fewer queries than a between-query A/B split, and how many fewer depends on the click model',
    'checking a new method with an A/A (equal rankers) first',
  ],
  minutes: 15,
  exercises: [both80, aa, bias],
};

export function summarize(records: RunRecord[]): string[] {
  const runs = labRuns<Settings, InterleavingDigest>(records);
  if (!runs.length) return [];
  const r = runs[0];
  const out = [`Latest run (${r.label}, noise A ${r.settings.noiseA} vs B ${r.settings.noiseB}): at ${r.result.maxQueries.toLocaleString('en')} queries interleaving detected the better ranker in ${pct(r.result.interleavingPowerMax)} of experiments, the A/B split in ${pct(r.result.abPowerMax)}.`];
  out.push(`80% power: interleaving ${q80(r.result.interleavingQueries80)}, A/B ${q80(r.result.abQueries80)}. B won ${pct(r.result.winShareB)} of decided interleaved queries; ${pct(r.result.tieShare)} had no winner.`);
  return out;
}
