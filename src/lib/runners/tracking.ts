/**
 * Lab "Tracking and registry": every saved run of every lab in one table. A search (MLflow filter
 * syntax) with an order, a side-by-side comparison, parallel coordinates, the lineage of one run
 * (dataset → run → model version → export → deployment), the model registry's state and history,
 * and the whole table as Arrow IPC bytes (what phase 2 loads into DuckDB for SQL).
 *
 * The runs and registry events come from the store (deps): the engine reads IndexedDB and passes
 * them, so this runner is a pure function of what is saved.
 */
import type { Field } from '../core/fields';
import { quietContext, type TaskContext } from '../core/task';
import { fail } from '../mlops/errors';
import { layoutGraph, type GraphLayout } from '../mlops/layout';
import { lineageGraph, lineageOf, runNode, type LineageGraph } from '../mlops/lineage';
import { describeEvent, ModelRegistry, type RegistryEvent } from '../mlops/registry';
import { runsToIpc } from '../mlops/runs-arrow';
import { compareRuns, parallelCoordinates, runColumns, runRow, columnValue, type ComparedKey, type ParallelAxis, type RunRow } from '../mlops/runs-table';
import { searchRuns } from '../mlops/search';
import type { RegistryEventRecord, RunRecord } from '../store/types';

export interface TrackingSettings {
  /** MLflow-style filter over every saved run. */
  filter: string;
  /** "column [ASC|DESC]", comma-separated for ties. */
  orderBy: string;
  /** Rows shown. */
  limit: number;
  /** Run ids to compare, comma-separated, or "auto" (the first two found). */
  compare: string;
  /** Parallel-coordinates axes, comma-separated columns, or "auto" (params that vary, then the ordered metric). */
  axes: string;
  /** The run whose lineage to trace, or "auto" (the first found). */
  trace: string;
}

export const defaults: TrackingSettings = { filter: "status = 'done'", orderBy: 'createdAt DESC', limit: 50, compare: 'auto', axes: 'auto', trace: 'auto' };

export const fields: Field[] = [
  { key: 'filter', label: 'Filter', kind: 'text', explain: "As in MLflow: metrics.testAcc > 0.85 AND params.model = 'cnn' AND lab = 'train'. Clauses join with AND." },
  { key: 'orderBy', label: 'Order by', kind: 'text', explain: 'A column and ASC or DESC: metrics.testAcc DESC puts the best first.' },
  { key: 'limit', label: 'Rows shown', kind: 'number', min: 1, max: 500, step: 1, integer: true, explain: 'The search counts every match; this many are listed.' },
  { key: 'compare', label: 'Compare runs', kind: 'text', explain: 'Run ids separated by commas, or "auto" for the first two found. What differs is listed first.' },
  { key: 'axes', label: 'Parallel axes', kind: 'text', advanced: true, explain: 'Columns separated by commas (params.lr, metrics.testAcc), or "auto".' },
  { key: 'trace', label: 'Trace lineage of', kind: 'text', advanced: true, explain: 'A run id, or "auto" for the first found: its data, the versions made from it, exports and deployments.' },
];

export interface TrackingDeps {
  runs: readonly RunRecord[];
  registry?: readonly RegistryEventRecord[];
}

export interface TrackingResult {
  total: number;
  labs: { lab: string; runs: number }[];
  columns: string[];
  matched: number;
  rows: RunRow[];
  unknownColumns: string[];
  comparison: { ids: string[]; keys: ComparedKey[] };
  parallel: { ids: string[]; axes: ParallelAxis[] };
  lineage: { focus: string; graph: LineageGraph; layout: GraphLayout };
  registry: { models: { name: string; versions: number; aliases: Record<string, number> }[]; history: string[]; aliasMoves: number; rollbacks: number; deployments: number };
  /** Every run as one Arrow IPC stream (struct columns params and metrics). */
  arrow: Uint8Array;
  timings: { rowsMs: number; searchMs: number; arrowMs: number };
}

const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

export function run(ctx: TaskContext = quietContext, s: TrackingSettings = defaults, deps: TrackingDeps = { runs: [] }): TrackingResult {
  const t0 = performance.now();
  const all = deps.runs.map(runRow);
  const t1 = performance.now();
  ctx.progress(0.2, 'searching');
  const found = searchRuns(all, { filter: s.filter, orderBy: list(s.orderBy), limit: undefined });
  const t2 = performance.now();
  const top = found.rows.slice(0, s.limit);
  const byId = new Map(all.map((r) => [r.id, r]));
  const compareIds = s.compare.trim() === 'auto' ? top.slice(0, 2).map((r) => r.id) : list(s.compare);
  for (const id of compareIds) if (!byId.has(id)) fail('compare', `No saved run has the id "${id}".`);
  const compared = compareIds.map((id) => byId.get(id)!);
  const orderColumn = list(s.orderBy)[0]?.split(/\s+/)[0] ?? '';
  const axes = s.axes.trim() === 'auto' ? autoAxes(top, orderColumn) : list(s.axes);
  ctx.progress(0.5, 'lineage and registry');
  const registry = new ModelRegistry((deps.registry ?? []) as RegistryEvent[]);
  const events = registry.events;
  const traceId = s.trace.trim() === 'auto' ? top[0]?.id : s.trace.trim();
  if (traceId !== undefined && !byId.has(traceId)) fail('trace', `No saved run has the id "${traceId}".`);
  const full = lineageGraph(deps.runs, events);
  const graph = traceId ? lineageOf(full, runNode(traceId)) : { nodes: [], edges: [] };
  ctx.progress(0.7, 'building the Arrow table');
  const t3 = performance.now();
  const arrow = runsToIpc(all);
  const t4 = performance.now();
  const moves = events.filter((e): e is Extract<RegistryEvent, { kind: 'set-alias' }> => e.kind === 'set-alias' && e.previous !== undefined);
  ctx.progress(1, 'done');
  return {
    total: all.length,
    labs: [...all.reduce((m, r) => m.set(r.lab, (m.get(r.lab) ?? 0) + 1), new Map<string, number>())].map(([lab, runs]) => ({ lab, runs })).sort((a, b) => b.runs - a.runs),
    columns: runColumns(all), matched: found.rows.length, rows: top, unknownColumns: found.unknownColumns,
    comparison: { ids: compareIds, keys: compareRuns(compared) },
    parallel: parallelCoordinates(top, axes),
    lineage: { focus: traceId ? runNode(traceId) : '', graph, layout: layoutGraph(graph.nodes.map((n) => ({ id: n.id })), graph.edges) },
    registry: {
      models: registry.modelNames().map((name) => {
        const m = registry.model(name)!;
        return { name, versions: m.versions.length, aliases: m.aliases };
      }),
      history: events.map(describeEvent),
      aliasMoves: moves.length,
      rollbacks: moves.filter((e) => e.version < e.previous!).length,
      deployments: events.filter((e) => e.kind === 'deploy').length,
    },
    arrow,
    timings: { rowsMs: t1 - t0, searchMs: t2 - t1, arrowMs: t4 - t3 },
  };
}

/** The engine's entry: the saved runs and registry events travel with the settings (the page reads them from the store). */
export function runSaved(ctx: TaskContext, s: TrackingSettings & Partial<TrackingDeps>): TrackingResult {
  const settings: TrackingSettings = { filter: s.filter, orderBy: s.orderBy, limit: s.limit, compare: s.compare, axes: s.axes, trace: s.trace };
  return run(ctx, settings, { runs: s.runs ?? [], registry: s.registry ?? [] });
}

/** Params that take more than one value among the rows, then the column they are ordered by. */
function autoAxes(rows: readonly RunRow[], orderColumn: string): string[] {
  const params = runColumns(rows).filter((c) => c.startsWith('params.') && new Set(rows.map((r) => columnValue(r, c))).size > 1).slice(0, 6);
  return orderColumn.startsWith('metrics.') ? [...params, orderColumn] : params;
}

/** The numbers a saved query keeps (params.result). */
export function summary(r: TrackingResult, s: TrackingSettings): Record<string, number | string> {
  const first = r.rows[0];
  const orderColumn = list(s.orderBy)[0]?.split(/\s+/)[0] ?? '';
  const topValue = first ? columnValue(first, orderColumn) : undefined;
  const differing = r.comparison.keys.filter((k) => k.differs && k.column.startsWith('params.')).map((k) => k.column.slice(7));
  return {
    total: r.total, matched: r.matched, labs: r.labs.length, unknownColumns: r.unknownColumns.length,
    topId: first?.id ?? '', topLab: first?.lab ?? '', ...(typeof topValue === 'number' ? { topValue } : {}),
    compared: r.comparison.ids.length, differingParams: differing.join(' '),
    sameSeed: r.comparison.keys.find((k) => k.column === 'seed')?.differs === false ? 'yes' : 'no',
    lineageNodes: r.lineage.graph.nodes.length, lineageKinds: [...new Set(r.lineage.graph.nodes.map((n) => n.kind))].sort().join(' '),
    models: r.registry.models.length, aliasMoves: r.registry.aliasMoves, rollbacks: r.registry.rollbacks, deployments: r.registry.deployments,
  };
}
