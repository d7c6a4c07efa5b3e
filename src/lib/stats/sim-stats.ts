/** Small summaries the experimentation simulations share: binned counts, a share below a line, the size that reaches a power. */

/** Counts of xs in `bins` equal bins over [lo, hi]; values outside are clamped into the end bins. */
export function histogram(xs: ArrayLike<number>, bins: number, lo: number, hi: number): { centers: Float64Array; counts: Float64Array } {
  const counts = new Float64Array(bins);
  const w = (hi - lo) / bins;
  for (let i = 0; i < xs.length; i++) {
    const b = Math.floor((xs[i] - lo) / w);
    counts[Math.min(bins - 1, Math.max(0, b))]++;
  }
  const centers = Float64Array.from({ length: bins }, (_, i) => lo + (i + 0.5) * w);
  return { centers, counts };
}

/** Share of xs strictly below t. */
export function shareBelow(xs: ArrayLike<number>, t: number): number {
  let c = 0;
  for (let i = 0; i < xs.length; i++) if (xs[i] < t) c++;
  return xs.length ? c / xs.length : 0;
}

/**
 * Sample size at which a simulated power curve first reaches `target`, interpolated linearly in
 * log(size) between the two ladder points around it; 0 when the curve never gets there.
 */
export function sizeForPower(sizes: ArrayLike<number>, power: ArrayLike<number>, target = 0.8): number {
  for (let i = 0; i < sizes.length; i++) {
    if (power[i] >= target) {
      if (i === 0) return sizes[0];
      const t = (target - power[i - 1]) / (power[i] - power[i - 1]);
      return Math.round(Math.exp(Math.log(sizes[i - 1]) + t * (Math.log(sizes[i]) - Math.log(sizes[i - 1]))));
    }
  }
  return 0;
}
