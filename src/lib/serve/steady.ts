/** The steady-state statistics of a serving run: the requests scheduled after the warm-up and before the end. */
import { percentile } from './window';

export interface SteadyStats {
  fromMs: number;
  toMs: number;
  /** Requests scheduled in [fromMs, toMs). */
  requests: number;
  offeredQps: number;
  /** Successful completions per second of those requests. */
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  /** Largest queue depth seen during the steady window. */
  maxQueue: number;
  /** Mean requests per model call. */
  meanBatch: number;
}

/** Statistics of the requests scheduled in [from, to): failed or dropped ones count as errors, not as latencies. */
export function steadyStats(at: number[], latency: number[], from: number, to: number, origin: number, maxQueue: number, meanBatch: number): SteadyStats {
  const lat: number[] = [];
  let requests = 0, errors = 0;
  for (let i = 0; i < at.length; i++) {
    if (at[i] < from || at[i] >= to) continue;
    requests++;
    if (Number.isNaN(latency[i])) errors++;
    else lat.push(latency[i]);
  }
  const sorted = Float64Array.from(lat).sort();
  const secs = (to - from) / 1000;
  return {
    fromMs: from - origin, toMs: to - origin, requests, offeredQps: requests / secs, throughput: lat.length / secs,
    p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), errors, maxQueue, meanBatch,
  };
}
