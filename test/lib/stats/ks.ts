/** One-sample Kolmogorov–Smirnov statistic D = sup |F_n(x) − F(x)|, for the simulation property tests. */
export function ksStatistic(samples: ArrayLike<number>, cdf: (x: number) => number): number {
  const xs = Float64Array.from(samples).sort();
  const n = xs.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(xs[i]);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/** 1% critical value of D for n samples (asymptotic: 1.628/√n). */
export function ksCritical01(n: number): number {
  return 1.628 / Math.sqrt(n);
}
