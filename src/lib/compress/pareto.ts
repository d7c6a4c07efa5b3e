/** A point of a trade-off: a cost to keep low (bytes, ms) and a value to keep high (accuracy). */
export interface TradeoffPoint {
  cost: number;
  value: number;
}

/**
 * Indices of the Pareto-optimal points, in ascending cost: a point is on the front when no other
 * point costs no more and is worth at least as much, with one of the two strictly better.
 * Sorted by cost (ties: higher value first), a sweep keeps each point worth strictly more than
 * every cheaper-or-equal one before it: O(n log n). Points with a non-finite coordinate are left out.
 * Exact duplicates dominate neither each other: the first of them (lowest index) is kept.
 */
export function paretoFront(points: readonly TradeoffPoint[]): number[] {
  const order = points
    .map((_, i) => i)
    .filter((i) => Number.isFinite(points[i].cost) && Number.isFinite(points[i].value))
    .sort((i, j) => points[i].cost - points[j].cost || points[j].value - points[i].value || i - j);
  const front: number[] = [];
  let best = -Infinity;
  for (const i of order) {
    if (points[i].value > best) {
      front.push(i);
      best = points[i].value;
    }
  }
  return front;
}
