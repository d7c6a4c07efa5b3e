/** The ETL lab's exercise checks, fed with runs built from real ETL jobs (as the page saves them). */
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/lib/store/types';
import { runEtlJob, ETL_LAB_DEFAULTS, type EtlLabSettings } from '../../src/lib/runners/etl';
import { compareFeatures } from '../../src/lib/data/pipeline-outputs';
import { meta, topRules } from '../../labs/etl/lab';
import { runSummary } from '../../labs/etl/summary';
import { labRuns } from '../../labs/kit/runs';

let n = 0;
async function run(patch: Partial<EtlLabSettings>, elt: 'agree' | 'edited-disagree' | 'edited-agree' = 'agree'): Promise<RunRecord> {
  const settings = { ...ETL_LAB_DEFAULTS, customers: 150, ...patch };
  const job = await runEtlJob(settings);
  const other = { ...job.result.features, monetary: job.result.features.monetary.slice() };
  if (elt === 'edited-disagree') other.monetary[0] += 1;
  const agreement = compareFeatures(job.result.features, other);
  const result = runSummary(job, { agreement, sameRemovals: true, ms: 1, edited: elt !== 'agree' }, 0);
  n++;
  return {
    id: `run-${n}`, lab: 'etl', params: { ...settings, result }, seed: settings.seed, dataHash: job.dataHash, backend: 'test', appVersion: 'test', status: 'done',
    createdAt: n, updatedAt: n, durationMs: 1, epochsDone: 0, stepsDone: 0, metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochMetrics: [],
  };
}
const check = (id: string, runs: RunRecord[], answers: Record<string, string> = {}) => meta.exercises.find((e) => e.id === id)!.check({ runs, answers });
const newestFirst = (rs: RunRecord[]) => [...rs].sort((a, b) => b.createdAt - a.createdAt);

describe('ETL lab exercises read the learner’s runs', () => {
  it('top-rule: needs a run with one clear top rule and an answer naming it', async () => {
    const even = await run({});
    expect(topRules(labRuns([even])[0]).length).toBeGreaterThan(1);
    expect(check('top-rule', [even], { 'top-rule': 'bad_timestamp' }).passed).toBe(false);
    const ts = await run({ badTimestamp: 0.06 });
    expect(topRules(labRuns([ts])[0])).toEqual(['bad_timestamp']);
    expect(check('top-rule', [ts], { 'top-rule': 'exact duplicate rows' }).passed).toBe(false);
    expect(check('top-rule', [ts], { 'top-rule': 'Bad timestamp: the generator wrote impossible dates' }).passed).toBe(true);
  });

  it('agree: an edited run that disagrees, then a later run that agrees', async () => {
    const ok = await run({});
    const broken = await run({}, 'edited-disagree');
    expect(check('agree', newestFirst([ok, broken])).passed).toBe(false);
    const fixed = await run({});
    const r = check('agree', newestFirst([ok, broken, fixed]));
    expect(r.passed).toBe(true);
    expect(r.runId).toBe(fixed.id);
  });

  it('leakage: a leaky run beats a safe run with the same seed on recency AUC', async () => {
    const leaky = await run({ labelStart: '2025-07-01' });
    expect(check('leakage', [leaky]).passed).toBe(false);
    const otherSeed = await run({ seed: 2 });
    expect(check('leakage', [leaky, otherSeed]).passed).toBe(false);
    const safe = await run({});
    const r = check('leakage', [leaky, otherSeed, safe]);
    expect(r.passed).toBe(true);
    expect(r.detail).toMatch(/Overlap of 92 days/);
  });
});
