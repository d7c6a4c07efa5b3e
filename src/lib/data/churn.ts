/**
 * A seeded, time-ordered churn table for the leakage lab: one row per customer per month while the
 * customer is active, labelled churn_next = 1 when the customer leaves at the end of that month.
 *
 * The world drifts, as real ones do: days since the last purchase stops predicting churn after an
 * app launch (`appLaunchMonth`), and every month has its own shock to the churn rate. Postcodes
 * carry a real effect (some areas have a strong competitor), learnt through a target encoding.
 * One column is written after the fact: retention_offer is set when a customer phones to cancel
 * and is offered a deal, so it is only known once churn has happened. In the future months it is
 * 0, as it would be at prediction time.
 */
import { deriveSeed, mulberry32 } from '../core/rng';
import { normalSampler } from '../math/random';
import { sigmoid } from '../math/sigmoid';

export const CHURN_DEFAULTS = {
  seed: 1,
  customers: 2500,
  months: 12,
  postcodes: 400,
  /** Months from which rows count as the unseen future (the true test set). */
  futureFrom: 9,
  /** From this month days_since_purchase stops predicting churn (over three months). */
  appLaunchMonth: 5,
};

export type ChurnOptions = Partial<typeof CHURN_DEFAULTS>;

/** Feature columns a model may use, in the order of ChurnTable.features. */
export const CHURN_FEATURES = ['tenure', 'visits_30d', 'spend_30d', 'tickets_30d', 'days_since_purchase', 'plan_price', 'retention_offer'] as const;

export interface ChurnTable {
  options: typeof CHURN_DEFAULTS;
  rows: number;
  customerId: Int32Array;
  month: Int32Array;
  postcode: Int32Array;
  /** rows × CHURN_FEATURES.length, row-major. */
  features: Float64Array;
  churnNext: Uint8Array;
}

function poisson(mean: number, rng: () => number): number {
  let k = 0;
  let p = Math.exp(-mean);
  let s = p;
  const u = rng();
  while (u > s && k < 1000) {
    k++;
    p *= mean / k;
    s += p;
  }
  return k;
}

export function makeChurn(opts: ChurnOptions = {}): ChurnTable {
  const o = { ...CHURN_DEFAULTS, ...opts };
  if (!(Number.isInteger(o.customers) && o.customers >= 50 && o.customers <= 50_000)) throw new RangeError(`customers must be a whole number in [50, 50000], got ${o.customers}`);
  if (!(Number.isInteger(o.months) && o.months >= 4 && o.months <= 36)) throw new RangeError(`months must be a whole number in [4, 36], got ${o.months}`);
  if (!(o.futureFrom >= 2 && o.futureFrom < o.months)) throw new RangeError(`futureFrom must lie in [2, months), got ${o.futureFrom}`);
  const rng = mulberry32(deriveSeed(o.seed, 31));
  const normal = normalSampler(rng);
  const area = Float64Array.from({ length: o.postcodes }, () => 0.9 * normal());
  const shock = Float64Array.from({ length: o.months }, () => 0.2 * normal());
  const F = CHURN_FEATURES.length;
  const cust: number[] = [];
  const mon: number[] = [];
  const pc: number[] = [];
  const feat: number[] = [];
  const lab: number[] = [];
  const prices = [10, 20, 35];
  for (let i = 0; i < o.customers; i++) {
    const risk = normal();
    const postcode = Math.floor(rng() * o.postcodes);
    const price = prices[Math.floor(rng() * 3)];
    const start = Math.floor(rng() * 36);
    const joined = rng() < 0.25 ? Math.floor(rng() * o.months) : 0;
    let lastBuy = Math.floor(rng() * 30);
    for (let m = joined; m < o.months; m++) {
      const tenure = start + m - joined;
      const visits = poisson(8 * Math.exp(-0.35 * risk), rng);
      const spend = visits * Math.exp(Math.log(price / 4) + 0.3 * normal());
      const tickets = poisson(0.4 * Math.exp(0.6 * risk), rng);
      lastBuy = visits > 0 ? Math.floor(rng() * Math.min(30, 60 / visits)) : lastBuy + 30;
      // Drift: days since the last purchase predicted churn well until the app launch (month
      // appLaunchMonth) made purchases habitual for everyone.
      const fade = Math.min(1, Math.max(0, (o.appLaunchMonth + 2 - m) / 3));
      const logit = -3.4 + 0.4 * risk + 0.35 * tickets - (0.03 * tenure) / 12 + fade * 0.35 * (lastBuy - 4) + 0.02 * (price - 20) + area[postcode] + shock[m];
      const churn = rng() < sigmoid(logit) ? 1 : 0;
      // Recorded after the fact: the retention team's offer to customers who called to cancel.
      const offer = m >= o.futureFrom ? 0 : churn ? (rng() < 0.6 ? 1 : 0) : rng() < 0.02 ? 1 : 0;
      cust.push(10_001 + i);
      mon.push(m);
      pc.push(postcode);
      feat.push(tenure, visits, Math.round(spend * 100) / 100, tickets, lastBuy, price, offer);
      lab.push(churn);
      if (churn) break;
    }
  }
  const rows = lab.length;
  if (feat.length !== rows * F) throw new Error('churn table: feature count mismatch');
  return {
    options: o,
    rows,
    customerId: Int32Array.from(cust),
    month: Int32Array.from(mon),
    postcode: Int32Array.from(pc),
    features: Float64Array.from(feat),
    churnNext: Uint8Array.from(lab),
  };
}
