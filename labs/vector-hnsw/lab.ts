import type { LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns, num, type LabRun } from '../kit/runs';
import { bestRun, runPair } from '../kit/exercises';
import { col, type Column, type Run } from '../kit/columns';
import { fixed, formatBytes, noun } from '../../src/lib/core/format';

type S = { seed: number; n: number; queries: number; dim: number; clusters: number; spread: number; M: number; efConstruction: number; efSearch: number; k: number; churn: number };
const runsOf = (runs: RunRecord[]) => labRuns<S>(runs);

const tenX = bestRun<S>({
  id: 'ten-x',
  title: 'Recall 0.95 at ten times the scan',
  task: 'Find settings where HNSW reaches recall@k ≥ 0.95 at efSearch with at least 10× the queries/s of the exact scan in the same run.',
}, {
  none: 'No run yet.',
  pass: (r) => num(r, 'recall') >= 0.95 && num(r, 'speedup') >= 10,
  detail: (r, passed) => passed
    ? `Run ${r.label}: recall ${fixed(num(r, 'recall'))} at efSearch ${r.settings.efSearch}, ${fixed(num(r, 'speedup'), 1)}× the scan (${num(r, 'distances')} distances per query against ${r.settings.n}).`
    : `Run ${r.label}: recall ${fixed(num(r, 'recall'))} at ${fixed(num(r, 'speedup'), 1)}× the scan. Raise efSearch for recall; more vectors make the scan slower and the graph barely.`,
});

const moreLinks = runPair<S>({
  id: 'more-links',
  title: 'What M buys and costs',
  task: 'Run twice with M at least 4 times larger in the second run, other settings equal, and efSearch small (≤ 16). More links should raise recall and the memory the graph holds.',
}, {
  differIn: ['M'],
  pair: (a, b) => b.settings.M >= 4 * a.settings.M && b.settings.efSearch <= 16,
  none: 'Need two runs equal except M (the second at least 4 times the first) with efSearch ≤ 16.',
  judge: (a, b) => ({
    passed: num(b, 'recall') > num(a, 'recall') && num(b, 'memoryBytes') > num(a, 'memoryBytes'),
    detail: `M ${a.settings.M} → ${b.settings.M}: recall ${fixed(num(a, 'recall'))} → ${fixed(num(b, 'recall'))}, memory ${formatBytes(num(a, 'memoryBytes'))} → ${formatBytes(num(b, 'memoryBytes'))}, build ${num(a, 'buildMs')} → ${num(b, 'buildMs')} ms.`,
  }),
});

const churn = bestRun<S>({
  id: 'churn',
  title: 'Delete a fifth while serving',
  task: 'Run with churn ≥ 0.2: that share is removed (tombstoned) and as many new vectors inserted. No removed id may come back, and recall against the live vectors should stay ≥ 0.9.',
}, {
  among: (r) => r.settings.churn >= 0.2,
  none: 'No run with churn ≥ 0.2 yet.',
  pass: (r) => num(r, 'removedReturned') === 0 && num(r, 'churnRecall') >= 0.9,
  detail: (r) => `Run ${r.label}: ${num(r, 'removed')} removed and re-inserted; ${num(r, 'removedReturned')} removed ids returned; recall against the live set ${fixed(num(r, 'churnRecall'))}.`,
});

export const meta: LabMeta = {
  id: 'vector-hnsw',
  title: 'HNSW: a graph you can search in log time',
  summary: 'Build a hierarchical navigable small-world graph by hand, follow one query down its layers, trade recall for speed with efSearch, and delete while serving.',
  learn: [
    'how HNSW assigns layers (ℓ = ⌊−ln u / ln M⌋) and links neighbours with the pruning heuristic',
    'greedy descent through the upper layers and best-first search with efSearch on layer 0',
    'recall against queries/s as efSearch grows, and distances computed per query against a scan',
    'M and efConstruction: recall against memory and build time',
    'tombstone deletes and inserts while the index serves queries',
  ],
  minutes: 25,
  exercises: [tenX, moreLinks, churn],
};

export const columns: Column<Run>[] = [
  col.settingCount('vectors', 'n'),
  col.setting('M', 'M'),
  col.setting('efSearch', 'efSearch'),
  col.fixed('recall@k', 'recall'),
  col.fixed('× scan', 'speedup', 1),
  col.count('distances/query', 'distances'),
  col.bytes('memory', 'memoryBytes'),
  col.fixed('recall after churn', 'churnRecall'),
];

export function summarize(runs: RunRecord[]): string[] {
  const rs: LabRun<S>[] = runsOf(runs);
  if (!rs.length) return [];
  const out = [`${rs.length} ${noun(rs.length, 'run')}; recall@k ${fixed(Math.min(...rs.map((r) => num(r, 'recall'))))}–${fixed(Math.max(...rs.map((r) => num(r, 'recall'))))} at ${fixed(Math.min(...rs.map((r) => num(r, 'speedup'))), 1)}–${fixed(Math.max(...rs.map((r) => num(r, 'speedup'))), 1)}× the exact scan.`];
  const best = [...rs].filter((r) => num(r, 'recall') >= 0.95).sort((a, b) => num(b, 'speedup') - num(a, 'speedup'))[0];
  if (best) out.push(`Fastest at recall ≥ 0.95: run ${best.label} (M ${best.settings.M}, efSearch ${best.settings.efSearch}), ${num(best, 'distances')} distance computations per query instead of ${best.settings.n}.`);
  const leaked = rs.filter((r) => num(r, 'removedReturned') > 0);
  out.push(leaked.length ? `${leaked.length} ${noun(leaked.length, 'run')} returned removed ids: a bug to report.` : 'No run returned a removed id.');
  return out;
}
