import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns, num, type LabRun } from '../kit/runs';
import { bestRun, runPair } from '../kit/exercises';
import { col, type Column, type Run } from '../kit/columns';
import { fixed, pct, noun } from '../../src/lib/core/format';

type S = { seed: number; n: number; queries: number; dim: number; clusters: number; nlist: number; nprobe: number; trainRows: number; k: number };
const runsOf = (runs: RunRecord[]) => labRuns<S>(runs);

const recall95 = bestRun<S>({
  id: 'recall-95',
  title: 'Just enough lists for recall 0.95',
  task: 'Set nprobe to the smallest value that reaches recall@k ≥ 0.95 (the run reports it) and run again: your run should be faster than the exact scan.',
}, {
  none: 'No run yet.',
  pass: (r) => r.settings.nprobe === num(r, 'minNprobe95') && num(r, 'recall') >= 0.95 && num(r, 'speedup') > 1,
  detail: (r, passed) => passed
    ? `Run ${r.label}: nprobe ${r.settings.nprobe} of ${r.settings.nlist} lists gives recall ${fixed(num(r, 'recall'))} at ${fixed(num(r, 'speedup'), 1)}× the exact scan's queries/s, scanning ${pct(num(r, 'scanned'))} of the vectors.`
    : `Run ${r.label} used nprobe ${r.settings.nprobe}; the smallest reaching 0.95 was ${num(r, 'minNprobe95')} (speed-up there must be above 1×).`,
});

const moreLists = runPair<S>({
  id: 'more-lists',
  title: 'More lists, more misses at nprobe 1',
  task: 'Run twice with nlist at least 4 times larger in the second run, other settings equal. With one list probed, recall should fall, and the nprobe needed for 0.95 should rise.',
}, {
  differIn: ['nlist', 'nprobe'],
  pair: (a, b) => b.settings.nlist >= 4 * a.settings.nlist,
  none: 'Need two runs equal except nlist (and nprobe), the second with at least 4 times the lists.',
  judge: (a, b) => ({
    passed: num(b, 'recallAt1') < num(a, 'recallAt1') && num(b, 'minNprobe95') > num(a, 'minNprobe95'),
    detail: `nlist ${a.settings.nlist} → ${b.settings.nlist}: recall at nprobe 1 ${fixed(num(a, 'recallAt1'))} → ${fixed(num(b, 'recallAt1'))}; nprobe for 0.95 ${num(a, 'minNprobe95')} → ${num(b, 'minNprobe95')}.`,
  }),
});

const imbalance: Exercise = {
  id: 'imbalance',
  title: 'Uneven lists',
  task: 'Make the lists uneven: few clusters in the data (≤ 10) and many lists (nlist ≥ 100). Then say what the largest list does to query time, quoting your run’s largest-to-mean ratio.',
  answerPrompt: 'What does an oversized list cost? Quote your largest / mean ratio.',
  check({ runs, answers }): CheckResult {
    const r = runsOf(runs).find((x) => x.settings.clusters <= 10 && x.settings.nlist >= 100);
    if (!r) return { passed: false, detail: 'No run yet with ≤ 10 clusters and nlist ≥ 100.' };
    const ratio = num(r, 'imbalance');
    const a = (answers.imbalance ?? '').trim();
    const quoted = [...a.matchAll(/(\d+(?:\.\d+)?)/g)].some((m) => Math.abs(Number(m[1]) - ratio) <= 0.1);
    const why = /(scan|slow|latenc|time|longer|more vectors|tail)/i.test(a);
    const passed = quoted && why;
    return { passed, runId: r.id, detail: passed ? `Run ${r.label}: the largest list held ${fixed(ratio, 1)}× the mean (${num(r, 'emptyLists')} lists empty).` : `Quote the ratio from run ${r.label} (${fixed(ratio, 1)}) and say what a query that probes the largest list pays.` };
  },
};

export const meta: LabMeta = {
  id: 'vector-ivf',
  title: 'IVF: inverted lists and nprobe',
  summary: 'Cut space into k-means cells, keep a list of vectors per cell, and scan only the nearest few: recall against queries/s as nprobe grows.',
  learn: [
    'k-means++ seeding and Lloyd iterations as a coarse quantizer, seeded and repeatable',
    'inverted lists: a query scans nprobe of nlist cells, about nprobe / nlist of the data',
    'recall@k against an exact scan, and the smallest nprobe that reaches a target',
    'uneven lists, and why they set the tail latency',
  ],
  minutes: 25,
  exercises: [recall95, moreLists, imbalance],
};

export const columns: Column<Run>[] = [
  col.setting('nlist', 'nlist'),
  col.setting('nprobe', 'nprobe'),
  col.fixed('recall@k', 'recall'),
  col.count('queries/s', 'qps'),
  col.fixed('× flat', 'speedup', 1),
  { label: 'nprobe for 0.95', num: true, value: (r) => String(num(r, 'minNprobe95')) },
  col.fixed('largest/mean list', 'imbalance', 2),
];

export function summarize(runs: RunRecord[]): string[] {
  const rs: LabRun<S>[] = runsOf(runs);
  if (!rs.length) return [];
  const best = [...rs].filter((r) => num(r, 'recall') >= 0.95).sort((a, b) => num(b, 'speedup') - num(a, 'speedup'))[0];
  const out = [`${rs.length} ${noun(rs.length, 'run')}; recall@k ranged ${fixed(Math.min(...rs.map((r) => num(r, 'recall'))))}–${fixed(Math.max(...rs.map((r) => num(r, 'recall'))))}.`];
  if (best) out.push(`The fastest run at recall ≥ 0.95 was ${best.label}: nprobe ${best.settings.nprobe} of ${best.settings.nlist}, ${fixed(num(best, 'speedup'), 1)}× the exact scan.`);
  out.push(`Lists were at worst ${fixed(Math.max(...rs.map((r) => num(r, 'imbalance'))), 1)}× their mean size.`);
  return out;
}
