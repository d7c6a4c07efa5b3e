import { describe, expect, it } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import { compareRuns, FilterError, parallelCoordinates, parseFilter, runColumns, runRow, runsToArrow, runsToIpc, searchRuns } from '../../../src/lib/mlops';
import type { RunRecord } from '../../../src/lib/store/types';

function run(over: Partial<RunRecord> & { id: string }): RunRecord {
  return {
    lab: 'train', params: {}, seed: 1, dataHash: 'data-1', backend: 'wasm', appVersion: '0.1.0', status: 'done', createdAt: 1, updatedAt: 1, durationMs: 10,
    epochsDone: 0, stepsDone: 0, metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochMetrics: [], ...over,
  };
}

const runs: RunRecord[] = [
  run({ id: 'a', name: 'mlp baseline', createdAt: 3, params: { model: 'mlp', lr: 0.001, epochs: 3 }, final: { testAcc: 0.84, testLoss: 0.45, confusion: [] }, metrics: { step: [1, 2], epoch: [0.5, 1], trainLoss: [0.9, 0.6], trainAcc: [0.6, 0.7] }, epochMetrics: [{ epoch: 1, valLoss: 0.5, valAcc: 0.82, timeMs: 1 }] }),
  run({ id: 'b', name: 'cnn', createdAt: 2, params: { model: 'cnn', lr: 0.003, epochs: 3 }, final: { testAcc: 0.88, testLoss: 0.35, confusion: [] } }),
  run({ id: 'c', name: 'cnn fast', createdAt: 1, params: { model: 'cnn', lr: 0.01, epochs: 1 }, final: { testAcc: 0.8, testLoss: 0.55, confusion: [] } }),
  run({ id: 'd', lab: 'metrics', createdAt: 4, params: { defaultRate: 0.05, threshold: 0.5, result: { auc: 0.81, ap: 0.3, note: 'x' } } }),
  run({ id: 'e', lab: 'serving', createdAt: 5, dataHash: 'b', params: { settings: { qps: 200, mode: 'canary' }, holds: true } }),
];
const rows = runs.map(runRow);

describe('runRow', () => {
  it('splits a run into attributes, params (settings, nested keys dotted) and metrics (results and scores)', () => {
    expect(rows[0].params).toEqual({ model: 'mlp', lr: 0.001, epochs: 3 });
    expect(rows[0].metrics).toEqual({ testAcc: 0.84, testLoss: 0.45, valAcc: 0.82, valLoss: 0.5, trainLoss: 0.6, trainAcc: 0.7 });
    expect(rows[3].params).toEqual({ defaultRate: 0.05, threshold: 0.5 });
    expect(rows[3].metrics).toEqual({ auc: 0.81, ap: 0.3 });
    expect(rows[4].params).toEqual({ 'settings.qps': 200, 'settings.mode': 'canary', holds: true });
  });

  it('runColumns lists attributes, then every params.* and metrics.* key', () => {
    const cols = runColumns(rows);
    expect(cols.slice(0, 3)).toEqual(['id', 'lab', 'name']);
    expect(cols).toContain('params.settings.qps');
    expect(cols).toContain('metrics.auc');
  });
});

describe('searchRuns', () => {
  const ids = (filter: string, orderBy?: string[]) => searchRuns(rows, { filter, ...(orderBy ? { orderBy } : {}) }).rows.map((r) => r.id);

  it('filters with MLflow syntax: comparisons joined by AND, typed params', () => {
    expect(ids("params.model = 'cnn' AND metrics.testAcc > 0.85")).toEqual(['b']);
    expect(ids('params.lr <= 0.003', ['params.lr ASC'])).toEqual(['a', 'b']);
    expect(ids("lab = 'train'", ['metrics.testAcc DESC'])).toEqual(['b', 'a', 'c']);
    expect(ids("attributes.lab != 'train'")).toEqual(['e', 'd']);
    expect(ids('params.settings.qps >= 100 AND params.holds = true')).toEqual(['e']);
  });

  it('LIKE, ILIKE, IN and IS [NOT] NULL', () => {
    expect(ids("name LIKE 'cnn%'")).toEqual(['b', 'c']);
    expect(ids("name ILIKE '%BASE%'")).toEqual(['a']);
    expect(ids("params.model IN ('mlp', 'rnn')")).toEqual(['a']);
    expect(ids('metrics.auc IS NOT NULL')).toEqual(['d']);
    expect(ids('metrics.testAcc IS NULL')).toEqual(['e', 'd']);
  });

  it('an empty filter matches every run, newest first; runs lacking the order key sort last', () => {
    expect(ids('')).toEqual(['e', 'd', 'a', 'b', 'c']);
    expect(ids('', ['metrics.testAcc ASC'])).toEqual(['c', 'a', 'b', 'd', 'e']);
  });

  it('names columns no run has, so a typo is visible', () => {
    expect(searchRuns(rows, { filter: 'metrics.acc > 0.5' }).unknownColumns).toEqual(['metrics.acc']);
  });

  it('says where a filter is wrong', () => {
    const err = (f: string) => { try { parseFilter(f); return ''; } catch (e) { expect(e).toBeInstanceOf(FilterError); return (e as Error).message; } };
    expect(err('metrics.testAcc >')).toBe("Filter: expected a value (a number, 'text', true or false) at the end.");
    expect(err("params.model = 'cnn' OR lab = 'x'")).toMatch(/OR is not supported/);
    expect(err('accuracy > 0.9')).toMatch(/unknown column "accuracy"/);
    expect(err("name = 'open")).toMatch(/no closing '/);
    expect(err('metrics.testAcc 0.9')).toMatch(/expected a comparison .* after "metrics.testAcc" at character 17/);
    expect(err("lab = 'a' lab = 'b'")).toMatch(/expected AND between clauses at character 11/);
  });
});

describe('compareRuns and parallelCoordinates', () => {
  it('lists every key side by side, those that differ first', () => {
    const c = compareRuns([rows[0], rows[1]]);
    const diff = c.filter((k) => k.differs).map((k) => k.column);
    expect(diff).toEqual(['metrics.testAcc', 'metrics.testLoss', 'metrics.trainAcc', 'metrics.trainLoss', 'metrics.valAcc', 'metrics.valLoss', 'params.lr', 'params.model']);
    expect(c.find((k) => k.column === 'params.epochs')).toEqual({ column: 'params.epochs', values: [3, 3], differs: false });
  });

  it('places each run on number axes by its value and on category axes by category', () => {
    const p = parallelCoordinates(rows.slice(0, 3), ['params.lr', 'params.model', 'metrics.testAcc']);
    expect(p.ids).toEqual(['a', 'b', 'c']);
    expect(Array.from(p.axes[0].positions)).toEqual([0, (0.003 - 0.001) / (0.01 - 0.001), 1].map((x) => expect.closeTo(x, 12)));
    expect(p.axes[1]).toMatchObject({ kind: 'category', categories: ['mlp', 'cnn'] });
    expect(Array.from(p.axes[1].positions)).toEqual([0, 1, 1]);
    expect(p.axes[2]).toMatchObject({ kind: 'number', min: 0.8, max: 0.88 });
  });
});

describe('runsToArrow', () => {
  it('builds one row per run with nested params and metrics structs, typed per key, nulls where absent, through IPC', () => {
    const t = tableFromIPC(runsToIpc(rows));
    expect(t.numRows).toBe(5);
    const schema = Object.fromEntries(t.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(schema.createdAt).toBe('Float64');
    expect(schema.params).toBe('Struct<{defaultRate:Float64, epochs:Float64, holds:Bool, lr:Float64, model:Utf8, settings:Struct<{mode:Utf8, qps:Float64}>, threshold:Float64}>');
    const e = t.get(4)!.toJSON() as Record<string, any>;
    expect(e.id).toBe('e');
    expect(e.params.settings.toJSON()).toEqual({ mode: 'canary', qps: 200 });
    expect(e.params.lr).toBeNull();
    const a = t.get(0)!.toJSON() as Record<string, any>;
    expect(a.metrics.testAcc).toBe(0.84);
    expect(a.metrics.auc).toBeNull();
  });

  it('a key that is a number in one run and text in another becomes text', () => {
    const t = runsToArrow([runRow(run({ id: 'x', params: { k: 1 } })), runRow(run({ id: 'y', params: { k: 'one' } }))]);
    expect(String(t.getChild('params')!.type)).toBe('Struct<{k:Utf8}>');
    expect(t.get(0)!.toJSON().params.k).toBe('1');
  });
});
