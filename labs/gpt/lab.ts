import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import { labRuns, num, sameExcept, type LabRun } from '../kit/runs';
import { col, type Column, type Run } from '../kit/columns';
import { fixed } from '../../src/lib/core/format';

type S = { seed: number; tokenizer: string; layers: number; dModel: number; heads: number; kvHeads: number; positions: string; steps: number; genMax: number };
const runsOf = (runs: RunRecord[]) => labRuns<S>(runs);

const beatBigram: Exercise = {
  id: 'beat-bigram',
  title: 'Beat the bigram table',
  task: 'Train until the validation loss is at least 0.3 nats below the count-based bigram model’s (more steps, a higher learning rate, or a wider model).',
  check({ runs }): CheckResult {
    const rs = runsOf(runs);
    const hit = rs.find((r) => num(r, 'gain') >= 0.3);
    if (hit) return { passed: true, runId: hit.id, detail: `Run ${hit.label}: validation loss ${fixed(num(hit, 'finalVal'))} nats against the bigram’s ${fixed(num(hit, 'bigramVal'))}, ${fixed(num(hit, 'gain'))} nats better.` };
    const best = [...rs].sort((a, b) => num(b, 'gain') - num(a, 'gain'))[0];
    if (!best) return { passed: false, detail: 'No run yet.' };
    return { passed: false, runId: best.id, detail: `Best so far, run ${best.label}: ${fixed(Math.abs(num(best, 'gain')))} nats ${num(best, 'gain') >= 0 ? 'below' : 'above'} the bigram (needs 0.3 below).` };
  },
};

const cacheGrows: Exercise = {
  id: 'cache-grows',
  title: 'The cache pays more for longer outputs',
  task: 'Run twice, equal except the longest generation, the second at least 4 times longer. The KV cache’s speed-up at the longest length should be larger in the second run, and the tokens identical in both.',
  check({ runs }): CheckResult {
    const rs = runsOf(runs);
    for (const a of rs) for (const b of rs) {
      if (b.settings.genMax < 4 * a.settings.genMax || !sameExcept(a, b, ['genMax'])) continue;
      const passed = num(b, 'kvSpeedup') > num(a, 'kvSpeedup') && num(a, 'identical') === 1 && num(b, 'identical') === 1;
      return { passed, runId: b.id, detail: `Speed-up ${fixed(num(a, 'kvSpeedup'), 1)}× at ${a.settings.genMax} tokens, ${fixed(num(b, 'kvSpeedup'), 1)}× at ${b.settings.genMax}; tokens ${num(a, 'identical') && num(b, 'identical') ? 'identical' : 'differed'} with and without the cache.` };
    }
    return { passed: false, detail: 'Need two runs equal except the longest generation, the second at least 4 times longer.' };
  },
};

const fewerKvHeads: Exercise = {
  id: 'fewer-kv-heads',
  title: 'Grouped-query attention shrinks the cache',
  task: 'Run with 4 query heads and 1 key/value head (multi-query), other settings as a run with 4 and 4. The cache should hold a quarter of the bytes.',
  check({ runs }): CheckResult {
    const rs = runsOf(runs);
    for (const a of rs) for (const b of rs) {
      if (a.settings.heads !== b.settings.heads || b.settings.kvHeads >= a.settings.kvHeads || a.settings.kvHeads !== a.settings.heads || !sameExcept(a, b, ['kvHeads'])) continue;
      const ratio = num(a, 'kvBytes') / num(b, 'kvBytes');
      const want = a.settings.kvHeads / b.settings.kvHeads;
      return { passed: Math.abs(ratio - want) < 1e-9, runId: b.id, detail: `Cache bytes ${a.settings.kvHeads} kv heads / ${b.settings.kvHeads} kv heads = ${fixed(ratio, 2)} (heads / kv heads predicts ${fixed(want, 2)}); validation loss ${fixed(num(a, 'finalVal'))} → ${fixed(num(b, 'finalVal'))}.` };
    }
    return { passed: false, detail: 'Need a multi-head run and a run equal except fewer key/value heads.' };
  },
};

export const meta: LabMeta = {
  id: 'gpt',
  title: 'A tiny GPT, and its KV cache',
  summary: 'Train a character-level transformer on WordNet glosses in your tab, beat a bigram table, sample text, then decode with and without a KV cache.',
  learn: [
    'a decoder-only transformer: embedding, causal self-attention, MLP, layer norm, residuals',
    'cross-entropy in nats, against a count-based bigram baseline',
    'temperature and top-k sampling',
    'the KV cache: identical tokens, a speed-up that grows with length, 2 · layers · kv heads · head width · length values',
  ],
  minutes: 30,
  exercises: [beatBigram, cacheGrows, fewerKvHeads],
};

export const columns: Column<Run>[] = [
  col.setting('tokens', 'tokenizer'),
  col.setting('steps', 'steps'),
  col.fixed('val loss', 'finalVal'),
  col.fixed('bigram', 'bigramVal'),
  col.count('train tok/s', 'tokensPerSec'),
  col.fixed('KV ×', 'kvSpeedup', 1),
  col.bytes('KV bytes', 'kvBytes'),
];

export function summarize(runs: RunRecord[]): string[] {
  const rs: LabRun<S>[] = runsOf(runs);
  if (!rs.length) return [];
  const best = [...rs].sort((a, b) => num(a, 'finalVal') - num(b, 'finalVal'))[0];
  const out = [`${rs.length} run(s); the lowest validation loss was ${fixed(num(best, 'finalVal'))} nats (run ${best.label}), ${fixed(Math.abs(num(best, 'gain')))} nats ${num(best, 'gain') >= 0 ? 'below' : 'above'} its bigram baseline.`];
  const same = rs.filter((r) => num(r, 'identical') === 1).length;
  out.push(`Cached and uncached greedy decoding gave identical tokens in ${same} of ${rs.length} run(s); the speed-up at the longest length ranged ${fixed(Math.min(...rs.map((r) => num(r, 'kvSpeedup'))), 1)}–${fixed(Math.max(...rs.map((r) => num(r, 'kvSpeedup'))), 1)}×.`);
  return out;
}
