/** Transform: churn features per customer from the clean sales and the events. */
import { DAY_MS } from './dates';
import type { RawEvent } from './extract';
import type { CleanSale } from './validate';
import type { Windows } from './windows';

export interface Features {
  customerId: Int32Array;
  recencyDays: Float64Array;
  frequency: Int32Array;
  monetary: Float64Array;
  /** NaN where frequency = 1 (null in the Parquet file). */
  avgGapDays: Float64Array;
  tenureDays: Float64Array;
  events: Int32Array;
  supportTickets: Int32Array;
  churned: Int32Array;
}

/** Transform: features per customer over the observation window, label from the label window. */
export function buildFeatures(clean: CleanSale[], events: RawEvent[], customers: Map<number, number>, w: Windows): Features {
  const inObs = (t: number) => t >= w.obsStart && t < w.obsEnd;
  type Acc = { n: number; first: number; last: number; sum: number; ev: number; tickets: number; labelBuys: number };
  const acc = new Map<number, Acc>();
  const get = (c: number) => {
    let a = acc.get(c);
    if (!a) acc.set(c, (a = { n: 0, first: Infinity, last: -Infinity, sum: 0, ev: 0, tickets: 0, labelBuys: 0 }));
    return a;
  };
  for (const s of clean) {
    if (inObs(s.t)) {
      const a = get(s.customerId);
      a.n++;
      a.first = Math.min(a.first, s.t);
      a.last = Math.max(a.last, s.t);
      a.sum += s.amount;
    }
    if (s.t >= w.labelStart && s.t < w.labelEnd) get(s.customerId).labelBuys++;
  }
  for (const e of events) {
    if (!inObs(e.t) || e.type === 'purchase' || !customers.has(e.customerId)) continue;
    const a = get(e.customerId);
    a.ev++;
    if (e.type === 'support_ticket') a.tickets++;
  }
  const ids = [...acc].filter(([, a]) => a.n > 0).map(([c]) => c).sort((a, b) => a - b);
  const n = ids.length;
  const f: Features = {
    customerId: Int32Array.from(ids), recencyDays: new Float64Array(n), frequency: new Int32Array(n), monetary: new Float64Array(n), avgGapDays: new Float64Array(n),
    tenureDays: new Float64Array(n), events: new Int32Array(n), supportTickets: new Int32Array(n), churned: new Int32Array(n),
  };
  ids.forEach((c, i) => {
    const a = acc.get(c)!;
    f.recencyDays[i] = (w.obsEnd - a.last) / DAY_MS;
    f.frequency[i] = a.n;
    f.monetary[i] = a.sum;
    f.avgGapDays[i] = a.n > 1 ? (a.last - a.first) / DAY_MS / (a.n - 1) : NaN;
    f.tenureDays[i] = (w.obsEnd - customers.get(c)!) / DAY_MS;
    f.events[i] = a.ev;
    f.supportTickets[i] = a.tickets;
    f.churned[i] = a.labelBuys === 0 ? 1 : 0;
  });
  return f;
}
