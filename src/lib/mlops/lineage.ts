/**
 * Lineage across the site: dataset hash → run → model version → export → deployment. Built from
 * what is already stored:
 *
 * - a run's dataHash names the data it saw: a dataset node, unless the hash is another run's id
 *   (the ONNX and serving labs record the id of the run whose model they took there);
 * - a compressed variant names its parent run (variant.parentRunId);
 * - runs of the ONNX lab are exports and runs of the serving lab are deployments of the run they name;
 * - registry events add model versions (register: run → version) and deployments (deploy: version →
 *   the serving run, or a target node when no run is named).
 */
import type { RunRecord } from '../store/types';
import type { RegistryEvent } from './registry';

export type LineageKind = 'dataset' | 'run' | 'version' | 'export' | 'deployment';

export interface LineageNode {
  id: string;
  kind: LineageKind;
  label: string;
  runId?: string;
  lab?: string;
}

export interface LineageEdge {
  from: string;
  to: string;
  relation: 'read' | 'derived' | 'exported' | 'deployed' | 'registered';
}

export interface LineageGraph {
  nodes: LineageNode[];
  edges: LineageEdge[];
}

/** Labs whose runs are exports and deployments of the run their dataHash names. */
export const EXPORT_LABS = ['onnx'];
export const DEPLOY_LABS = ['serving'];

export const runNode = (id: string) => `run:${id}`;
export const versionNode = (model: string, version: number) => `version:${model}@${version}`;

export function lineageGraph(runs: readonly RunRecord[], events: readonly RegistryEvent[] = []): LineageGraph {
  const nodes = new Map<string, LineageNode>();
  const edges: LineageEdge[] = [];
  const ids = new Set(runs.map((r) => r.id));
  const add = (n: LineageNode) => {
    if (!nodes.has(n.id)) nodes.set(n.id, n);
  };
  const edge = (from: string, to: string, relation: LineageEdge['relation']) => {
    if (!edges.some((e) => e.from === from && e.to === to)) edges.push({ from, to, relation });
  };
  for (const r of runs) {
    const kind: LineageKind = EXPORT_LABS.includes(r.lab) ? 'export' : DEPLOY_LABS.includes(r.lab) ? 'deployment' : 'run';
    add({ id: runNode(r.id), kind, label: r.name ?? `${r.lab} ${r.id.slice(-6)}`, runId: r.id, lab: r.lab });
    if (r.dataHash && ids.has(r.dataHash)) edge(runNode(r.dataHash), runNode(r.id), kind === 'export' ? 'exported' : kind === 'deployment' ? 'deployed' : 'derived');
    else if (r.dataHash) {
      add({ id: `dataset:${r.dataHash}`, kind: 'dataset', label: `data ${r.dataHash.slice(0, 8)}` });
      edge(`dataset:${r.dataHash}`, runNode(r.id), 'read');
    }
    if (r.variant?.parentRunId && r.variant.parentRunId !== r.id) {
      add({ id: runNode(r.variant.parentRunId), kind: 'run', label: `run ${r.variant.parentRunId.slice(-6)} (not stored)`, runId: r.variant.parentRunId });
      edge(runNode(r.variant.parentRunId), runNode(r.id), 'derived');
    }
  }
  for (const e of events) {
    if (e.kind === 'register') {
      add({ id: versionNode(e.model, e.version), kind: 'version', label: `${e.model} v${e.version}` });
      if (!nodes.has(runNode(e.runId))) add({ id: runNode(e.runId), kind: 'run', label: `run ${e.runId.slice(-6)} (not stored)`, runId: e.runId });
      edge(runNode(e.runId), versionNode(e.model, e.version), 'registered');
    } else if (e.kind === 'deploy') {
      const target = e.runId ? runNode(e.runId) : `deployment:${e.model}@${e.version}:${e.target}`;
      add({ id: target, kind: 'deployment', label: e.runId ? `${e.target} ${e.runId.slice(-6)}` : e.target, ...(e.runId ? { runId: e.runId } : {}) });
      edge(versionNode(e.model, e.version), target, 'deployed');
    }
  }
  return { nodes: [...nodes.values()], edges };
}

/** The part of the graph connected to `id`: its ancestors, its descendants, or both. */
export function lineageOf(g: LineageGraph, id: string, direction: 'up' | 'down' | 'both' = 'both'): LineageGraph {
  const keep = new Set([id]);
  const walk = (dir: 'up' | 'down') => {
    const seen = new Set([id]);
    const stack = [id];
    while (stack.length) {
      const n = stack.pop()!;
      for (const e of g.edges) {
        const next = dir === 'down' ? (e.from === n ? e.to : undefined) : e.to === n ? e.from : undefined;
        if (next === undefined || seen.has(next)) continue;
        seen.add(next);
        keep.add(next);
        stack.push(next);
      }
    }
  };
  if (direction !== 'down') walk('up');
  if (direction !== 'up') walk('down');
  return { nodes: g.nodes.filter((n) => keep.has(n.id)), edges: g.edges.filter((e) => keep.has(e.from) && keep.has(e.to)) };
}
