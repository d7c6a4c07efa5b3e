import { describe, expect, it } from 'vitest';
import { meta, defaults } from '../../labs/tracking/lab';
import { run, summary } from '../../src/lib/runners/tracking';
import type { RunRecord } from '../../src/lib/store/types';
import { record } from './mlops-fixtures';

const check = (id: string, runs: RunRecord[], answers: Record<string, string> = {}) => meta.exercises.find((e) => e.id === id)!.check({ runs, answers });
const base = { total: 12, matched: 3, labs: 4, unknownColumns: 0, topId: 'run-x', topLab: 'train', topValue: 0.88, compared: 2, differingParams: 'lr', sameSeed: 'yes', lineageNodes: 5, lineageKinds: 'dataset run version', models: 1, aliasMoves: 1, rollbacks: 0, deployments: 0 };
const q = (patch: object, result: object = {}) => record('tracking', { ...defaults, ...patch }, { ...base, ...result });

describe('tracking lab exercises', () => {
  it("best-run: a query on lab = 'train' ordered by a metric that matched something", () => {
    expect(check('best-run', [q({ filter: "lab = 'train'", orderBy: 'metrics.testAcc DESC' })]).passed).toBe(true);
    expect(check('best-run', [q({ filter: "lab = 'train'", orderBy: 'createdAt DESC' })]).passed).toBe(false);
    expect(check('best-run', [q({ filter: "lab = 'train'", orderBy: 'metrics.testAcc DESC' }, { matched: 0 })]).passed).toBe(false);
  });

  it('seed-noise: two runs whose only difference is the seed', () => {
    expect(check('seed-noise', [q({}, { differingParams: '', sameSeed: 'no' })]).passed).toBe(true);
    expect(check('seed-noise', [q({}, { differingParams: 'seed', sameSeed: 'no' })]).passed).toBe(true);
    expect(check('seed-noise', [q({}, { differingParams: 'lr', sameSeed: 'no' })]).passed).toBe(false);
    expect(check('seed-noise', [q({}, { differingParams: '', sameSeed: 'yes' })]).passed).toBe(false);
  });

  it('rollback: an alias moved back to an older version', () => {
    expect(check('rollback', [q({}, { aliasMoves: 2, rollbacks: 1 })]).passed).toBe(true);
    expect(check('rollback', [q({}, { aliasMoves: 2, rollbacks: 0 })]).passed).toBe(false);
  });

  it('lineage: from a deployment to a dataset', () => {
    expect(check('lineage', [q({}, { lineageKinds: 'dataset deployment export run version' })]).passed).toBe(true);
    expect(check('lineage', [q({}, { lineageKinds: 'dataset run version' })]).passed).toBe(false);
  });

  it("the checks read keys a real run's summary has", () => {
    const s = summary(run(undefined, defaults, { runs: [] }), defaults);
    for (const k of Object.keys(base).filter((k) => k !== 'topValue')) expect(s, k).toHaveProperty(k);
  });
});
