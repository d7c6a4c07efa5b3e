/**
 * Positions for drawing a directed graph (a flow's tasks, a lineage), left to right in layers, by
 * @dagrejs/dagre's Sugiyama layout. Pure layout, no DOM: the page draws boxes and paths where it says.
 */
import { Graph, layout } from '@dagrejs/dagre';

export interface LayoutNode {
  id: string;
  /** Box size in px (default 140 × 40). */
  width?: number;
  height?: number;
}

export interface LayoutEdge {
  from: string;
  to: string;
}

export interface GraphLayout {
  width: number;
  height: number;
  /** Centre of each node's box. */
  nodes: Record<string, { x: number; y: number; width: number; height: number }>;
  /** Each edge's polyline, from its source box to its target box. */
  edges: { from: string; to: string; points: { x: number; y: number }[] }[];
}

export interface LayoutOptions {
  /** 'LR' (left to right, default) or 'TB' (top to bottom). */
  direction: 'LR' | 'TB';
  /** Gap between nodes of one layer, and between layers, px. */
  nodeGap: number;
  layerGap: number;
}

export const LAYOUT_DEFAULTS: LayoutOptions = { direction: 'LR', nodeGap: 24, layerGap: 56 };

export function layoutGraph(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[], opts: Partial<LayoutOptions> = {}): GraphLayout {
  const o = { ...LAYOUT_DEFAULTS, ...opts };
  const g = new Graph({ multigraph: false });
  g.setGraph({ rankdir: o.direction, nodesep: o.nodeGap, ranksep: o.layerGap, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.width ?? 140, height: n.height ?? 40 });
  for (const e of edges) g.setEdge(e.from, e.to);
  layout(g);
  const graph = g.graph();
  const out: GraphLayout = { width: graph.width ?? 0, height: graph.height ?? 0, nodes: {}, edges: [] };
  for (const n of nodes) {
    const v = g.node(n.id);
    out.nodes[n.id] = { x: v.x, y: v.y, width: v.width, height: v.height };
  }
  for (const e of edges) out.edges.push({ from: e.from, to: e.to, points: (g.edge(e.from, e.to)?.points ?? []).map((p: { x: number; y: number }) => ({ x: p.x, y: p.y })) });
  return out;
}
