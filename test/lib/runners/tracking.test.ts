import { describe, expect, it } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import { checkFields } from '../../../src/lib/core/fields';
import { ModelRegistry } from '../../../src/lib/mlops';
import { defaults, fields, run, summary } from '../../../src/lib/runners/tracking';
import type { RunRecord } from '../../../src/lib/store/types';

const rec = (id: string, lab: string, over: Partial<RunRecord> = {}): RunRecord => ({
  id, lab, params: {}, seed: 1, dataHash: 'sha-data', backend: 'wasm', appVersion: '0.1.0', status: 'done', createdAt: Number(id.replace(/\D/g, '')) || 0, updatedAt: 0, durationMs: 5,
  epochsDone: 0, stepsDone: 0, metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochMetrics: [], ...over,
});
const runs = [
  rec('t1', 'train', { params: { model: 'mlp', lr: 0.001 }, seed: 1, final: { testAcc: 0.84, testLoss: 0.4, confusion: [] } }),
  rec('t2', 'train', { params: { model: 'mlp', lr: 0.001 }, seed: 2, final: { testAcc: 0.845, testLoss: 0.41, confusion: [] } }),
  rec('t3', 'train', { params: { model: 'cnn', lr: 0.003 }, seed: 1, final: { testAcc: 0.88, testLoss: 0.33, confusion: [] } }),
  rec('o4', 'onnx', { dataHash: 't3' }),
  rec('s5', 'serving', { dataHash: 't3', params: { settings: { qps: 100 } } }),
];
const reg = new ModelRegistry();
reg.register('fashion', 't1', { actor: 'you', at: 1 });
reg.register('fashion', 't3', { actor: 'you', at: 2 });
reg.setAlias('fashion', 'champion', 1, { actor: 'you', at: 3 });
reg.setAlias('fashion', 'champion', 2, { actor: 'you', at: 4 });
reg.setAlias('fashion', 'champion', 1, { actor: 'you', at: 5, note: 'rollback' });
reg.deploy('fashion', 2, 'serving lab', { actor: 'you', at: 6, runId: 's5' });

describe('tracking runner', () => {
  it('the defaults pass the field table', () => expect(() => checkFields(fields, defaults)).not.toThrow());

  it('searches every saved run, compares the top two, traces the top one, summarises the registry', () => {
    const s = { ...defaults, filter: "lab = 'train'", orderBy: 'metrics.testAcc DESC' };
    const r = run(undefined, s, { runs, registry: [...reg.events] });
    expect(r.total).toBe(5);
    expect(r.matched).toBe(3);
    expect(r.rows.map((x) => x.id)).toEqual(['t3', 't2', 't1']);
    expect(r.comparison.ids).toEqual(['t3', 't2']);
    expect(r.parallel.axes.map((a) => a.column)).toEqual(['params.lr', 'params.model', 'metrics.testAcc']);
    expect(r.lineage.graph.nodes.map((n) => n.kind).sort()).toEqual(['dataset', 'deployment', 'export', 'run', 'version']);
    expect(r.registry).toMatchObject({ aliasMoves: 2, rollbacks: 1, deployments: 1, models: [{ name: 'fashion', versions: 2, aliases: { champion: 1 } }] });
    expect(tableFromIPC(r.arrow).numRows).toBe(5);
    const sum = summary(r, s);
    expect(sum).toMatchObject({ total: 5, matched: 3, topId: 't3', topValue: 0.88, differingParams: 'lr model', lineageKinds: 'dataset deployment export run version', rollbacks: 1 });
  });

  it('comparing two runs that differ only in seed lists no differing params and a different seed', () => {
    const s = { ...defaults, compare: 't1, t2' };
    const sum = summary(run(undefined, s, { runs }), s);
    expect(sum.differingParams).toBe('');
    expect(sum.sameSeed).toBe('no');
  });

  it('names a bad run id or a bad filter', () => {
    expect(() => run(undefined, { ...defaults, compare: 't1, nope' }, { runs })).toThrow('No saved run has the id "nope".');
    expect(() => run(undefined, { ...defaults, filter: 'accuracy > 1' }, { runs })).toThrow(/unknown column "accuracy"/);
  });

  it('works on an empty store', () => {
    const r = run(undefined, defaults, { runs: [] });
    expect(r).toMatchObject({ total: 0, matched: 0, rows: [] });
    expect(summary(r, defaults).topId).toBe('');
  });
});
