import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns, num, type LabRun } from '../kit/runs';
import { bestRun, runPair } from '../kit/exercises';
import { col, type Column, type Run } from '../kit/columns';
import { fixed, pct, noun } from '../../src/lib/core/format';

type S = { seed: number; n: number; queries: number; dim: number; metric: string; data: string; k: number; maxDim: number };
const runsOf = (runs: RunRecord[]) => labRuns<S>(runs);

const scanGrows = runPair<S>({
  id: 'scan-grows',
  title: 'Four times the data, four times the wait',
  task: 'Run twice with the base size at least 4 times larger in the second run, other settings equal. The time per query of an exact scan should grow at least 2 times.',
}, {
  differIn: ['n'],
  pair: (a, b) => b.settings.n >= 4 * a.settings.n,
  none: 'Need two runs with equal settings except the base size, the second at least 4 times the first.',
  judge: (a, b) => {
    const ratio = num(b, 'msPerQuery') / num(a, 'msPerQuery');
    const passed = ratio >= 2;
    return { passed, detail: `${a.settings.n} → ${b.settings.n} vectors: ${fixed(num(a, 'msPerQuery'), 3)} → ${fixed(num(b, 'msPerQuery'), 3)} ms per query (${fixed(ratio, 1)}×).${passed ? '' : ' Expected at least 2×: try a bigger jump, or run again on a quieter machine.'}` };
  },
});

const concentration = bestRun<S>({
  id: 'concentration',
  title: 'Watch distances concentrate',
  task: 'Run with the sweep up to dimension 256 or more. At the top dimension the mean distance should be within 1.5× of the nearest, and the k-d tree should have to look at more than half of the points.',
}, {
  among: (r) => num(r, 'sweepDim') >= 256,
  none: 'No run with the sweep reaching dimension 256 yet.',
  pass: (r) => num(r, 'contrastHigh') < 1.5 && num(r, 'kdVisitedHigh') > 0.5,
  detail: (r) => `Run ${r.label}: at dimension 2 the mean distance was ${fixed(num(r, 'contrastLow'), 1)}× the nearest and the tree looked at ${pct(num(r, 'kdVisitedLow'), 2)} of the points; at ${num(r, 'sweepDim')}, ${fixed(num(r, 'contrastHigh'), 2)}× and ${pct(num(r, 'kdVisitedHigh'))}.`,
});

const whyTree: Exercise = {
  id: 'why-tree',
  title: 'Say why the tree fails',
  task: 'After that run, explain in a sentence why a k-d tree ends up visiting most points in high dimension, quoting the share it visited in your run (as a percentage).',
  answerPrompt: 'Why does the k-d tree stop pruning? Quote your run’s share.',
  check({ runs, answers }): CheckResult {
    const r = runsOf(runs).find((x) => num(x, 'sweepDim') >= 256);
    if (!r) return { passed: false, detail: 'Run with the sweep up to dimension 256 or more first.' };
    const a = (answers['why-tree'] ?? '').trim();
    const share = Math.round(num(r, 'kdVisitedHigh') * 100);
    const quoted = [...a.matchAll(/(\d+(?:\.\d+)?)\s*%/g)].some((m) => Math.abs(Number(m[1]) - share) <= 1);
    const reason = /(plane|ball|radius|concentrat|far|every|all)/i.test(a);
    const passed = quoted && reason && a.length >= 30;
    return { passed, runId: r.id, detail: passed ? `Your run visited ${share}% of the points at dimension ${num(r, 'sweepDim')}.` : `Quote the share your run visited (${share}% at dimension ${num(r, 'sweepDim')}) and say what stops the pruning (the splitting planes against the distance to the best so far).` };
  },
};

export const meta: LabMeta = {
  id: 'vector-exact',
  title: 'Exact vector search, and why it does not scale',
  summary: 'Scan every vector for each query (L2, inner product, cosine): the ground truth for every index after it, and what high dimension does to distances and trees.',
  learn: [
    'flat search with squared L2, inner product and cosine, and why it is the ground truth for recall',
    'the cost of a scan: n × d multiply-adds per query, and what tiling buys',
    'distance concentration: in high dimension the nearest point is barely nearer than the average one',
    'why a k-d tree that prunes nearly everything in 2-d visits nearly everything at 256-d',
  ],
  minutes: 20,
  exercises: [scanGrows, concentration, whyTree],
};

export const columns: Column<Run>[] = [
  col.settingCount('vectors', 'n'),
  col.setting('dim', 'dim'),
  col.setting('metric', 'metric'),
  col.fixed('ms/query', 'msPerQuery', 3),
  col.count('queries/s', 'qps'),
  col.fixed('contrast at top dim', 'contrastHigh', 2),
  col.pct('k-d tree visits', 'kdVisitedHigh'),
];

export function summarize(runs: RunRecord[]): string[] {
  const rs: LabRun<S>[] = runsOf(runs);
  if (!rs.length) return [];
  const out = [`${rs.length} ${noun(rs.length, 'run')}. An exact scan took ${fixed(Math.min(...rs.map((r) => num(r, 'msPerQuery'))), 3)}–${fixed(Math.max(...rs.map((r) => num(r, 'msPerQuery'))), 3)} ms per query.`];
  const tiled = rs.filter((r) => num(r, 'naiveMsPerQuery') > 0);
  if (tiled.length) out.push(`Tiling queries against blocks of the base ran at ${fixed(num(tiled[0], 'naiveMsPerQuery') / num(tiled[0], 'msPerQuery'), 2)}× the speed of one query at a time in run ${tiled[0].label}.`);
  const hi = rs.find((r) => num(r, 'sweepDim') >= 256);
  if (hi) out.push(`At dimension ${num(hi, 'sweepDim')} the k-d tree computed ${pct(num(hi, 'kdVisitedHigh'))} of all distances, against ${pct(num(hi, 'kdVisitedLow'), 2)} at dimension 2.`);
  return out;
}
