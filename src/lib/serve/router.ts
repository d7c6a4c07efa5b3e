/**
 * Routing: which model version a request goes to (weights, e.g. a canary's 5%), and which worker
 * of that version's pool takes a batch (the least busy).
 */

/** Picks a version by weight with one uniform draw u in [0, 1): version i owns a slice of [0, 1) proportional to its weight. */
export function pickVersion<V extends string>(weights: Readonly<Record<V, number>>, u: number): V {
  const entries = Object.entries(weights) as [V, number][];
  const total = entries.reduce((s, [, w]) => s + Math.max(0, w), 0);
  if (!(total > 0)) throw new RangeError('At least one route needs a positive weight.');
  let acc = 0;
  for (const [v, w] of entries) {
    acc += Math.max(0, w) / total;
    if (u < acc) return v;
  }
  // u just under 1 with rounding: the last version with weight.
  return entries.filter(([, w]) => w > 0).at(-1)![0];
}

/** Weights for a canary: `percent`% of traffic to v2, the rest to v1. */
export function canaryWeights(percent: number): { v1: number; v2: number } {
  if (!(percent >= 0 && percent <= 100)) throw new RangeError(`Canary share must be 0–100%; got ${percent}.`);
  return { v1: 100 - percent, v2: percent };
}

/** Index of the worker with the fewest batches in flight that has room for one more (ties: lowest index), or −1 when all are full. */
export function leastBusy(inFlight: readonly number[], capacity = 1): number {
  let best = -1;
  for (let i = 0; i < inFlight.length; i++) if (inFlight[i] < capacity && (best < 0 || inFlight[i] < inFlight[best])) best = i;
  return best;
}
