import { describe, expect, it } from 'vitest';
import { describeEvent, layoutGraph, lineageGraph, lineageOf, ModelRegistry, MlopsInputError } from '../../../src/lib/mlops';
import type { RunRecord } from '../../../src/lib/store/types';

const t0 = Date.UTC(2025, 0, 1);
const by = (actor: string, minutes: number, note?: string) => ({ actor, at: t0 + minutes * 60_000, ...(note ? { note } : {}) });

describe('ModelRegistry', () => {
  it('numbers versions per model and points aliases at them, moving an alias keeps where it was', () => {
    const reg = new ModelRegistry();
    reg.register('fashion', 'run-1', { ...by('you', 0), dataHash: 'd1', lab: 'train' });
    reg.register('fashion', 'run-2', by('you', 1));
    reg.register('credit', 'run-9', by('you', 2));
    reg.setAlias('fashion', 'champion', 1, by('you', 3));
    reg.setAlias('fashion', 'challenger', 2, by('pipeline', 4));
    const moved = reg.setAlias('fashion', 'champion', 2, by('continuous-training', 5, 'passes every gate'));
    expect(moved).toMatchObject({ kind: 'set-alias', alias: 'champion', version: 2, previous: 1 });
    expect(reg.resolve('fashion', 'champion')).toMatchObject({ version: 2, runId: 'run-2', aliases: ['challenger', 'champion'] });
    expect(reg.resolve('fashion', 1)).toMatchObject({ version: 1, aliases: [], dataHash: 'd1', lab: 'train' });
    expect(reg.resolve('credit', 1)?.runId).toBe('run-9');
    expect(reg.modelNames()).toEqual(['credit', 'fashion']);
    expect(reg.model('fashion')!.aliases).toEqual({ champion: 2, challenger: 2 });
  });

  it('keeps the full history, who moved what when, and replays it to the same state', () => {
    const reg = new ModelRegistry();
    reg.register('m', 'r1', by('you', 0));
    reg.register('m', 'r2', by('you', 1));
    reg.setAlias('m', 'champion', 1, by('you', 2));
    reg.setAlias('m', 'champion', 2, by('ci', 3, 'accuracy +1.2 points'));
    reg.removeAlias('m', 'champion', by('you', 4, 'rollback'));
    reg.setAlias('m', 'champion', 1, by('you', 5));
    reg.archive('m', 2, by('you', 6));
    reg.deploy('m', 1, 'serving lab', { ...by('you', 7), runId: 'serve-1' });
    expect(reg.history('m').map(describeEvent)).toEqual([
      'you registered m v1 from run r1',
      'you registered m v2 from run r2',
      'you set champion of m to v1',
      'ci moved champion of m from v1 to v2 (accuracy +1.2 points)',
      'you removed champion of m (was v2) (rollback)',
      'you set champion of m to v1',
      'you archived m v2',
      'you deployed m v1 to serving lab',
    ]);
    const again = new ModelRegistry(JSON.parse(JSON.stringify(reg.events)));
    expect(again.model('m')).toEqual(reg.model('m'));
    expect(again.resolve('m', 1)!.deployments).toEqual([{ target: 'serving lab', at: t0 + 7 * 60_000, runId: 'serve-1' }]);
  });

  it('refuses what would corrupt it, naming the culprit', () => {
    const reg = new ModelRegistry();
    reg.register('m', 'r1', by('you', 10));
    const culprit = (f: () => unknown) => { try { f(); return ''; } catch (e) { expect(e).toBeInstanceOf(MlopsInputError); return `${(e as MlopsInputError).culprit}: ${(e as Error).message}`; } };
    expect(culprit(() => reg.setAlias('m', 'champion', 3, by('you', 11)))).toBe('version: Model "m" has no version 3.');
    expect(culprit(() => reg.setAlias('m', 'v2', 1, by('you', 11)))).toMatch(/^alias: Alias "v2" is reserved/);
    expect(culprit(() => reg.setAlias('m', 'has space', 1, by('you', 11)))).toMatch(/^alias: Alias "has space" must start with a letter/);
    expect(culprit(() => reg.removeAlias('m', 'champion', by('you', 11)))).toBe('alias: Model "m" has no alias "champion".');
    expect(culprit(() => reg.register('m', 'r2', by('', 11)))).toMatch(/^actor:/);
    expect(culprit(() => reg.register('m', 'r2', by('you', 5)))).toMatch(/^at: Changes to "m" are kept in time order/);
    expect(culprit(() => reg.apply({ kind: 'register', model: 'm', version: 5, runId: 'x', actor: 'you', at: t0 + 20 * 60_000 }))).toBe('version: The next version of "m" is 2, not 5.');
    reg.setAlias('m', 'champion', 1, by('you', 12));
    expect(culprit(() => reg.archive('m', 1, by('you', 13)))).toBe('version: Version 1 of "m" is still "champion"; move the alias first.');
    expect(reg.events).toHaveLength(2); // nothing refused was recorded
  });
});

describe('lineage', () => {
  const run = (id: string, lab: string, dataHash: string, extra: Partial<RunRecord> = {}): RunRecord => ({
    id, lab, dataHash, params: {}, seed: 0, backend: '', appVersion: '', status: 'done', createdAt: 0, updatedAt: 0, durationMs: 0, epochsDone: 0, stepsDone: 0,
    metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochMetrics: [], ...extra,
  });
  const runs = [
    run('train-1', 'train', 'sha-data'),
    run('prune-1', 'prune', 'sha-data', { variant: { technique: 'prune', description: '', accuracy: 0.8, bytes: 1, params: 1, latencyMs: 1, latencyBackend: 'wasm', parentRunId: 'train-1' } }),
    run('onnx-1', 'onnx', 'prune-1'),
    run('serve-1', 'serving', 'prune-1'),
    run('train-2', 'train', 'sha-other'),
  ];
  const reg = new ModelRegistry();
  reg.register('fashion', 'prune-1', by('you', 0));
  reg.deploy('fashion', 1, 'serving lab', { ...by('you', 1), runId: 'serve-1' });

  it('links dataset hash → run → variant → model version → export → deployment', () => {
    const g = lineageGraph(runs, reg.events);
    const kinds = Object.fromEntries(g.nodes.map((n) => [n.id, n.kind]));
    expect(kinds).toMatchObject({ 'dataset:sha-data': 'dataset', 'run:train-1': 'run', 'run:onnx-1': 'export', 'run:serve-1': 'deployment', 'version:fashion@1': 'version' });
    expect(g.edges).toEqual(expect.arrayContaining([
      { from: 'dataset:sha-data', to: 'run:train-1', relation: 'read' },
      { from: 'run:train-1', to: 'run:prune-1', relation: 'derived' },
      { from: 'run:prune-1', to: 'run:onnx-1', relation: 'exported' },
      { from: 'run:prune-1', to: 'version:fashion@1', relation: 'registered' },
      { from: 'version:fashion@1', to: 'run:serve-1', relation: 'deployed' },
    ]));
  });

  it("lineageOf a deployment walks back to its data, leaving unrelated runs out; the layout places every node", () => {
    const up = lineageOf(lineageGraph(runs, reg.events), 'run:serve-1', 'up');
    expect(up.nodes.map((n) => n.id).sort()).toEqual(['dataset:sha-data', 'run:prune-1', 'run:serve-1', 'run:train-1', 'version:fashion@1']);
    const down = lineageOf(lineageGraph(runs, reg.events), 'dataset:sha-data', 'down');
    expect(down.nodes.map((n) => n.id)).not.toContain('run:train-2');
    expect(down.nodes).toHaveLength(6);
    const lay = layoutGraph(down.nodes.map((n) => ({ id: n.id })), down.edges);
    expect(Object.keys(lay.nodes)).toHaveLength(6);
    // Left to right: every edge goes from a node left of its target.
    for (const e of down.edges) expect(lay.nodes[e.from].x).toBeLessThan(lay.nodes[e.to].x);
  });
});
