/**
 * Schedules and triggers for flows, on a clock that can be fast-forwarded: cron patterns (croner,
 * in UTC unless told otherwise) and events (a drift alarm, new data landing). runSchedule replays a
 * period: it merges every cron fire time and event into one timeline, moves the virtual clock to
 * each, and starts the flow there, unless the previous run is still going at that moment (then the
 * trigger is skipped, as Airflow's max_active_runs = 1 or croner's `protect` would).
 */
import { Cron } from 'croner';
import type { VirtualClock } from './clock';
import { fail } from './errors';

export type Trigger =
  | { kind: 'cron'; pattern: string; timezone?: string }
  | { kind: 'event'; event: string; when?: (payload: unknown) => boolean };

export interface ScheduledEvent {
  at: number;
  name: string;
  payload?: unknown;
}

/** Fire times of a cron pattern in (from, until], oldest first. Throws MlopsInputError naming the pattern when croner rejects it. */
export function cronTimes(pattern: string, from: number, until: number, timezone = 'UTC', max = 100_000): number[] {
  let cron: Cron;
  try {
    cron = new Cron(pattern, { paused: true, timezone });
  } catch (e) {
    fail('pattern', `The cron pattern "${pattern}" is not valid: ${(e as Error).message}`);
  }
  const out: number[] = [];
  let prev = new Date(from);
  for (;;) {
    const next = cron.nextRun(prev);
    if (!next || next.getTime() > until) break;
    out.push(next.getTime());
    if (out.length > max) fail('pattern', `The cron pattern "${pattern}" fires more than ${max} times in the period.`);
    prev = next;
  }
  cron.stop();
  return out;
}

export interface Firing {
  at: number;
  /** 'cron: 0 2 * * *' or 'event: drift'. */
  reason: string;
  /** Whether the flow ran, or was skipped because the previous run was still going. */
  ran: boolean;
  /** When the run it started finished (clock time). */
  end?: number;
  /** What the flow returned. */
  result?: unknown;
}

export interface ScheduleOptions<R> {
  /** Start the flow at the clock's current time; resolve when it is done (its clock time may have moved). */
  run: (reason: string, at: number) => Promise<R>;
  triggers: readonly Trigger[];
  /** Events that happen in the period (a trigger listens to them by name). */
  events?: readonly ScheduledEvent[];
  from: number;
  until: number;
  clock: VirtualClock;
}

/** Replay the period [from, until] on the virtual clock; returns every trigger firing in time order. */
export async function runSchedule<R>(o: ScheduleOptions<R>): Promise<Firing[]> {
  if (!(o.until >= o.from)) fail('until', `The period ends (${o.until}) before it starts (${o.from}).`);
  const timeline: { at: number; reason: string }[] = [];
  for (const t of o.triggers) {
    if (t.kind === 'cron') for (const at of cronTimes(t.pattern, o.from - 1, o.until, t.timezone)) timeline.push({ at, reason: `cron: ${t.pattern}` });
    else if (t.kind === 'event') {
      for (const e of o.events ?? []) if (e.name === t.event && e.at >= o.from && e.at <= o.until && (t.when?.(e.payload) ?? true)) timeline.push({ at: e.at, reason: `event: ${e.name}` });
    } else fail('triggers', `Unknown trigger kind ${JSON.stringify((t as { kind: unknown }).kind)}.`);
  }
  timeline.sort((a, b) => a.at - b.at);
  const out: Firing[] = [];
  let busyUntil = -Infinity;
  o.clock.advanceTo(o.from);
  for (const f of timeline) {
    if (f.at < busyUntil) {
      out.push({ at: f.at, reason: f.reason, ran: false });
      continue;
    }
    o.clock.advanceTo(f.at);
    const result = await o.run(f.reason, f.at);
    busyUntil = o.clock.now();
    out.push({ at: f.at, reason: f.reason, ran: true, end: busyUntil, result });
  }
  o.clock.advanceTo(o.until);
  return out;
}
