import type { LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns, num, type LabRun } from '../kit/runs';
import { bestRun, runPair } from '../kit/exercises';
import { col, type Column, type Run } from '../kit/columns';
import { count, fixed, formatBytes, noun } from '../../src/lib/core/format';

type S = { seed: number; n: number; queries: number; dim: number; clusters: number; nlist: number; m: number; nbits: number; nprobe: number; rerank: number; trainRows: number; k: number };
const runsOf = (runs: RunRecord[]) => labRuns<S>(runs);

const sixtyFour = bestRun<S>({
  id: 'sixty-four',
  title: 'Sixty-four times smaller, still found',
  task: 'Find settings whose codes are at least 64× smaller than the float32 vectors (4 × dim / m ≥ 64) with recall@k ≥ 0.9 after re-ranking.',
}, {
  among: (r) => num(r, 'compression') >= 64,
  none: 'No run yet with 4 × dim / m ≥ 64 (for example dim 128 with m 8).',
  pass: (r) => num(r, 'recall') >= 0.9,
  detail: (r) => `Run ${r.label}: ${r.settings.m} bytes per ${r.settings.dim}-d vector (${fixed(num(r, 'compression'), 0)}× smaller), recall ${fixed(num(r, 'recall'))}${r.settings.rerank ? ` after re-ranking ${r.settings.rerank} × k` : ''}, PQ alone ${fixed(num(r, 'recallPq'))}.`,
});

const rerank = runPair<S>({
  id: 'rerank',
  title: 'What re-ranking buys',
  task: 'Run twice, other settings equal, once with re-ranking off (0) and once with a factor of 5 or more. Re-ranking should lift recall by at least 0.1, and cost the raw vectors in memory.',
}, {
  differIn: ['rerank'],
  pair: (a, b) => a.settings.rerank === 0 && b.settings.rerank >= 5,
  none: 'Need two runs equal except the re-rank factor: one at 0, one at 5 or more.',
  judge: (a, b) => {
    const lift = num(b, 'recall') - num(a, 'recall');
    return {
      passed: lift >= 0.1 && num(b, 'memoryBytes') > num(a, 'memoryBytes'),
      detail: `Recall ${fixed(num(a, 'recall'))} → ${fixed(num(b, 'recall'))} (+${fixed(lift)}); memory ${formatBytes(num(a, 'memoryBytes'))} → ${formatBytes(num(b, 'memoryBytes'))}.`,
    };
  },
});

const million = bestRun<S>({
  id: 'million',
  title: 'A million vectors under 10 ms',
  task: 'Run with at least 1,000,000 base vectors and find nprobe and re-ranking that give a median query under 10 ms at recall@k ≥ 0.9. Your tab holds them: the run says how many bytes.',
}, {
  among: (r) => r.settings.n >= 1_000_000,
  none: 'No run with 1,000,000 or more vectors yet.',
  pass: (r) => num(r, 'medianMs') < 10 && num(r, 'recall') >= 0.9,
  detail: (r) => `Run ${r.label}: ${count(r.settings.n)} vectors, median ${fixed(num(r, 'medianMs'), 2)} ms (p99 ${fixed(num(r, 'p99Ms'), 2)} ms) at recall ${fixed(num(r, 'recall'))}; the index held ${formatBytes(num(r, 'memoryBytes'))}, codes and ids ${formatBytes(num(r, 'codeBytes'))}.`,
});

export const meta: LabMeta = {
  id: 'vector-pq',
  title: 'Product quantization: vectors in a few bytes',
  summary: 'Cut vectors into sub-vectors, learn a codebook for each, search with asymmetric distance tables inside IVF lists, re-rank the best, and run a million vectors in the tab.',
  learn: [
    'sub-vector codebooks by k-means: m bytes per vector instead of 4 × dim',
    'asymmetric distance computation: one table per query and list, then m look-ups per vector',
    'IVF-PQ: coding the residual from the list centroid, and re-ranking with the raw vectors',
    'bytes per vector against recall, and median / p99 latency at a million vectors',
  ],
  minutes: 30,
  exercises: [sixtyFour, rerank, million],
};

export const columns: Column<Run>[] = [
  col.settingCount('vectors', 'n'),
  col.setting('m', 'm'),
  col.setting('nprobe', 'nprobe'),
  col.setting('re-rank', 'rerank'),
  col.fixed('recall@k', 'recall'),
  col.fixed('PQ alone', 'recallPq'),
  col.fixed('median ms', 'medianMs', 2),
  col.fixed('p99 ms', 'p99Ms', 2),
  col.bytes('memory', 'memoryBytes'),
];

export function summarize(runs: RunRecord[]): string[] {
  const rs: LabRun<S>[] = runsOf(runs);
  if (!rs.length) return [];
  const out = [`${rs.length} ${noun(rs.length, 'run')}; recall@k ${fixed(Math.min(...rs.map((r) => num(r, 'recall'))))}–${fixed(Math.max(...rs.map((r) => num(r, 'recall'))))}, median latency ${fixed(Math.min(...rs.map((r) => num(r, 'medianMs'))), 2)}–${fixed(Math.max(...rs.map((r) => num(r, 'medianMs'))), 2)} ms.`];
  const big = [...rs].sort((a, b) => b.settings.n - a.settings.n)[0];
  out.push(`Largest run: ${count(big.settings.n)} vectors in ${formatBytes(num(big, 'codeBytes'))} of codes and ids (float32: ${formatBytes(num(big, 'floatBytes'))}).`);
  return out;
}
