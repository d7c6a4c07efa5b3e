import type { CheckResult, Exercise, LabMeta } from '../types';
import type { RunRecord } from '../../src/lib/store/types';
import type { Fault, RouteMode, ServeSettings, SteadyStats } from '../../src/lib/serve/gateway';
import type { ShadowStats } from '../../src/lib/serve/shadow';
import { statesNumber } from '../kit/answer';

/** What a serving run saves in RunRecord.params. */
export interface ServingRunParams {
  settings: ServeSettings;
  workers: { v1: number; v2: number };
  v2: { weights: 'float32' | 'int8'; fault: Fault } | null;
  steady: SteadyStats;
  rollback?: { atMs: number; sinceMs: number; reason: string };
  shadow?: ShadowStats;
  totals: { sent: number; completed: number; errors: number; dropped: number };
  /** True when p99 < SLO_MS and nothing was dropped or failed in the steady window. */
  holds: boolean;
}

/** The latency objective the exercises (and the benchmark) use. */
export const SLO_MS = 50;

export function holds(steady: SteadyStats): boolean {
  return steady.errors === 0 && steady.p99 < SLO_MS;
}

export function servingRuns(runs: RunRecord[]): { run: RunRecord; p: ServingRunParams }[] {
  return runs.filter((r) => r.lab === 'serving' && (r.params as Partial<ServingRunParams>).steady).map((run) => ({ run, p: run.params as unknown as ServingRunParams }));
}

const sameServing = (a: ServingRunParams, b: ServingRunParams) => a.settings.maxBatch === b.settings.maxBatch && a.settings.maxWaitMs === b.settings.maxWaitMs && a.workers.v1 === b.workers.v1;
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');

const saturation: Exercise = {
  id: 'saturation',
  title: 'Find the saturation point',
  task: `Serve v1 alone at increasing QPS (same batching and workers) until p99 crosses ${SLO_MS} ms or requests are dropped. Find a QPS that holds and a higher one that does not.`,
  check({ runs }): CheckResult {
    const rs = servingRuns(runs).filter((r) => r.p.settings.mode === 'v1');
    // For each batching setup, the highest QPS that held; passed when a run above it (same setup) did not.
    for (const ok of rs.filter((r) => r.p.holds && !rs.some((x) => x.p.holds && sameServing(x.p, r.p) && x.p.settings.qps > r.p.settings.qps))) {
      const over = rs.filter((r) => !r.p.holds && r.p.settings.qps > ok.p.settings.qps && sameServing(r.p, ok.p)).sort((a, b) => a.p.settings.qps - b.p.settings.qps)[0];
      if (over) return { passed: true, runId: over.run.id, detail: `Holds at ${ok.p.settings.qps} QPS (p99 ${f1(ok.p.steady.p99)} ms), breaks at ${over.p.settings.qps} QPS (p99 ${f1(over.p.steady.p99)} ms, ${over.p.steady.errors} dropped or failed, queue up to ${over.p.steady.maxQueue}). Saturation lies between.` };
    }
    return { passed: false, detail: `Need, with the same batching and workers, a v1 run that holds p99 < ${SLO_MS} ms and a higher-QPS one that does not (have ${rs.filter((r) => r.p.holds).length} holding, ${rs.filter((r) => !r.p.holds).length} not).` };
  },
};

const batching: Exercise = {
  id: 'batching',
  title: 'What does dynamic batching buy?',
  task: 'At the same QPS, serve v1 with max batch 1 and with max batch 16 or more. Compare p99 and throughput.',
  check({ runs }): CheckResult {
    const rs = servingRuns(runs).filter((r) => r.p.settings.mode === 'v1');
    for (const a of rs.filter((r) => r.p.settings.maxBatch === 1)) {
      const b = rs.find((r) => r.p.settings.maxBatch >= 16 && r.p.settings.qps === a.p.settings.qps && r.p.workers.v1 === a.p.workers.v1);
      if (b) return { passed: true, runId: b.run.id, detail: `At ${a.p.settings.qps} QPS: batch 1 → p99 ${f1(a.p.steady.p99)} ms, ${f1(a.p.steady.throughput)} served/s; batch ${b.p.settings.maxBatch} → p99 ${f1(b.p.steady.p99)} ms, ${f1(b.p.steady.throughput)} served/s (mean batch ${f1(b.p.steady.meanBatch)}).` };
    }
    return { passed: false, detail: 'Need two v1 runs at the same QPS and workers, one with max batch 1 and one with max batch ≥ 16.' };
  },
};

const rollback: Exercise = {
  id: 'rollback',
  title: 'Trigger an automatic rollback, and explain it',
  task: 'Register a v2 with an injected fault (extra delay or errors), run a canary, and watch the guardrail roll it back. Explain what tripped it and why the guardrail waits for a whole window.',
  answerPrompt: 'What tripped the guardrail in your run (error rate or p99), how long was the window it waited (ms), and why not roll back on the first bad second?',
  check({ runs, answers }): CheckResult {
    const r = servingRuns(runs).find((x) => x.p.settings.mode === 'canary' && x.p.rollback);
    if (!r) return { passed: false, detail: 'No canary run has rolled back yet.' };
    const rb = r.p.rollback!;
    const a = (answers.rollback ?? '').trim();
    // The answer names what tripped this run's guardrail and the window it waited for.
    const tripped = rb.reason.startsWith('error') ? /error/i.test(a) : /(p99|latenc|slow|delay)/i.test(a);
    const windowMs = r.p.settings.guardrail.breachMs;
    const ok = tripped && (statesNumber(a, windowMs, 0.5) || statesNumber(a, windowMs / 1000, 0.0005)) && /(noise|spike|blip|transient|fluke|chance|random|luck|burst|one bad|single|brief|momentar|false alarm|warm)/i.test(a);
    return { passed: ok, runId: r.run.id, detail: `Canary at ${r.p.settings.canaryPercent}%: breached from ${(rb.sinceMs / 1000).toFixed(2)} s (${rb.reason}), rolled back at ${(rb.atMs / 1000).toFixed(2)} s, after the ${r.p.settings.guardrail.breachMs} ms window.${ok ? '' : ' Now say what tripped it, the window it waited for, and why it waits.'}` };
  },
};

const shadow: Exercise = {
  id: 'shadow',
  title: 'Shadow-compare two versions',
  task: 'Run in shadow mode with the int8 export as v2: users get v1’s answers while v2’s are compared. How often do they agree?',
  check({ runs }): CheckResult {
    const r = servingRuns(runs).find((x) => x.p.settings.mode === 'shadow' && (x.p.shadow?.compared ?? 0) > 0);
    if (!r) return { passed: false, detail: 'No shadow run with compared requests yet.' };
    const s = r.p.shadow!;
    return { passed: true, runId: r.run.id, detail: `v2 (${r.p.v2?.weights}) agreed with v1 on ${(s.agreement * 100).toFixed(2)}% of ${s.compared} requests; outputs differed by up to ${s.maxDiff.toExponential(2)} (mean ${s.meanMaxDiff.toExponential(2)}); ${s.skipped} requests had no shadow copy because v2 was busy.` };
  },
};

export const meta: LabMeta = {
  id: 'serving',
  title: 'Serving: batching, load, canaries and shadows',
  summary: 'Serve your model from a pool of inference workers behind a router, load it with Poisson traffic, and watch latency percentiles, throughput and the queue, past saturation too. Then roll out a v2 by canary (with automatic rollback) or in shadow.',
  learn: [
    'Open-loop load: why latency must be measured from the scheduled arrival (coordinated omission)',
    'Dynamic batching: max batch size and max wait against latency and throughput',
    'Saturation: what p99 and the queue do when offered load exceeds capacity',
    'Canary rollout with a latency and error guardrail; shadow deployment',
  ],
  minutes: 25,
  exercises: [saturation, batching, rollback, shadow],
};
export type { RouteMode };

/** What the learner's serving runs showed, in a few sentences computed from them. */
export function summarize(runs: RunRecord[]): string[] {
  const rs = servingRuns(runs);
  const out: string[] = [];
  const v1 = rs.filter((r) => r.p.settings.mode === 'v1');
  const held = v1.filter((r) => r.p.holds);
  if (held.length) {
    const best = held.reduce((a, b) => (b.p.settings.qps > a.p.settings.qps ? b : a));
    out.push(`Highest QPS that held p99 < ${SLO_MS} ms: ${best.p.settings.qps} (p99 ${f1(best.p.steady.p99)} ms, mean batch ${f1(best.p.steady.meanBatch)}, ${best.p.workers.v1} workers, max batch ${best.p.settings.maxBatch}).`);
  }
  const broke = v1.filter((r) => !r.p.holds);
  if (broke.length) {
    const low = broke.reduce((a, b) => (b.p.settings.qps < a.p.settings.qps ? b : a));
    out.push(`Lowest QPS that did not hold: ${low.p.settings.qps} (p99 ${f1(low.p.steady.p99)} ms, queue up to ${low.p.steady.maxQueue}, ${low.p.steady.errors} dropped or failed).`);
  }
  const rolled = rs.filter((r) => r.p.rollback);
  const canaries = rs.filter((r) => r.p.settings.mode === 'canary');
  if (canaries.length) out.push(`${rolled.length} of ${canaries.length} canary runs rolled back${rolled[0] ? ` (latest: ${rolled[0].p.rollback!.reason})` : ''}.`);
  const sh = rs.find((r) => r.p.shadow && r.p.shadow.compared > 0);
  if (sh) out.push(`Latest shadow: v2 (${sh.p.v2?.weights}) agreed with v1 on ${(sh.p.shadow!.agreement * 100).toFixed(2)}% of ${sh.p.shadow!.compared} requests.`);
  return out;
}
