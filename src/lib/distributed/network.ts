/**
 * A simulated network for the timelines and the planner: the α–β model (Hockney 1994), where
 * sending m bytes over a link costs α + m/β (α latency, β bandwidth). Ranks sit G to a node; links
 * inside a node (NVLink-like) and between nodes (InfiniBand-like) have their own α and β.
 *
 *   ring all-reduce:  2(N−1) steps of B/N bytes, each as slow as the ring's slowest link:
 *                     2(N−1)·(α + B/(N·β))              (reduce-scatter, all-gather: half of it)
 *   tree all-reduce:  reduce to a root and broadcast back along a binary tree, whole message per hop
 *                     (not pipelined): 2·⌈log₂N⌉·(α + B/β); log N latency instead of N, but 2 log N
 *                     times the bytes: wins for small messages, loses for large ones
 *   hierarchical:     ring reduce-scatter inside each node, ring all-reduce of the 1/G shard across
 *                     the M nodes, ring all-gather inside each node:
 *                     2(G−1)(α_in + B/(G·β_in)) + 2(M−1)(α_out + B/(G·M·β_out))
 */
import { ensure, requireFinite, requireInt } from './errors';
import type { CollectiveOp } from './collectives';

export interface LinkSpec {
  /** α: per-message latency in microseconds. */
  latencyUs: number;
  /** β: bandwidth in GB/s (1e9 bytes per second). */
  bandwidthGBps: number;
}

export interface Topology {
  ranks: number;
  /** Ranks per node (G); ranks/G nodes. */
  ranksPerNode: number;
  intra: LinkSpec;
  inter: LinkSpec;
}

export type CollectiveAlgorithm = 'ring' | 'tree' | 'hierarchical';

/** Defaults in the range of an 8-GPU NVLink node and 200 Gb/s InfiniBand between nodes. */
export const NETWORK_DEFAULTS = {
  intra: { latencyUs: 5, bandwidthGBps: 150 },
  inter: { latencyUs: 10, bandwidthGBps: 25 },
} as const;

export function checkTopology(t: Topology): void {
  requireInt(t.ranks, 'ranks', 1);
  requireInt(t.ranksPerNode, 'ranksPerNode', 1);
  for (const [name, l] of [['intra-node', t.intra], ['inter-node', t.inter]] as const) {
    requireFinite(l.latencyUs, `${name} latency`, 0);
    requireFinite(l.bandwidthGBps, `${name} bandwidth`, 0);
    ensure(l.bandwidthGBps > 0, `${name} bandwidth must be above 0 GB/s.`);
  }
}

const seconds = (l: LinkSpec, bytes: number) => l.latencyUs * 1e-6 + bytes / (l.bandwidthGBps * 1e9);

export interface CollectiveTime {
  seconds: number;
  /** Of which latency (the α terms). */
  latencySeconds: number;
  /** Bytes each rank sends. */
  bytesPerRank: number;
}

/** Time of one collective of a `bytes`-byte buffer on the topology with the algorithm. */
export function collectiveTime(op: CollectiveOp, bytes: number, topo: Topology, algorithm: CollectiveAlgorithm): CollectiveTime {
  checkTopology(topo);
  requireFinite(bytes, 'bytes', 0);
  const n = topo.ranks;
  if (n === 1) return { seconds: 0, latencySeconds: 0, bytesPerRank: 0 };
  const g = Math.min(topo.ranksPerNode, n);
  const nodes = Math.ceil(n / g);
  const slowest = nodes > 1 ? topo.inter : topo.intra;
  const half = op !== 'all-reduce';
  if (algorithm === 'tree' && !half) {
    const hops = 2 * Math.ceil(Math.log2(n));
    return { seconds: hops * seconds(slowest, bytes), latencySeconds: hops * slowest.latencyUs * 1e-6, bytesPerRank: 2 * bytes };
  }
  if (algorithm === 'hierarchical' && nodes > 1) {
    const phases = half ? 1 : 2;
    const inside = phases * (g - 1) * seconds(topo.intra, bytes / g);
    const across = phases * (nodes - 1) * seconds(topo.inter, bytes / (g * nodes));
    const lat = phases * ((g - 1) * topo.intra.latencyUs + (nodes - 1) * topo.inter.latencyUs) * 1e-6;
    return { seconds: inside + across, latencySeconds: lat, bytesPerRank: phases * (((g - 1) / g) * bytes + ((nodes - 1) / (g * nodes)) * bytes) };
  }
  // Ring (also tree/hierarchical where they do not apply): every step waits for the slowest link.
  const steps = (half ? 1 : 2) * (n - 1);
  return { seconds: steps * seconds(slowest, bytes / n), latencySeconds: steps * slowest.latencyUs * 1e-6, bytesPerRank: (steps * bytes) / n };
}
