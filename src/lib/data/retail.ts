/**
 * A seeded retail business over one year, for the data labs: customers (a relational table,
 * shipped as a SQLite-style SQL dump and as Parquet), sales (CSV, with dirty rows on purpose)
 * and behavioural events (JSON). Same options, same bytes. The dirty rows are recorded, so a
 * cleaning pipeline's report can be checked row by row.
 *
 * Story: each customer signs up (some before the year starts), buys at their own Poisson rate
 * from their first active day until they churn (about a third do, at a uniform day of the
 * year), and browses between purchases; every purchase is also a 'purchase' event.
 */
import { Table, makeVector, vectorFromArray, Utf8 } from 'apache-arrow';
import { deriveSeed, mulberry32, type Rng } from '../core/rng.ts';
import { normalSampler, sampleGamma, type NormalSampler } from '../math/random.ts';
import { arrowToParquet } from './stream.ts';

export const RETAIL_DEFAULTS = {
  seed: 1,
  customers: 500,
  year: 2025,
  /** Mean purchases per active customer-year (each customer's rate is Gamma-distributed). */
  purchasesPerYear: 12,
  /** Mean non-purchase events (views, searches, carts, tickets) per purchase. */
  eventsPerPurchase: 4,
  /** Share of customers who churn during the year. */
  churnShare: 0.35,
  /** Share of sales rows of each kind of dirt (of the clean row count). */
  dirt: {
    missingCustomerId: 0.01,
    negativeAmount: 0.01,
    extremeAmount: 0.005,
    /** The same row twice, byte for byte. */
    exactDuplicate: 0.01,
    /** The same sale_id again with a later updated_at and a corrected amount: keep the latest. */
    updatedDuplicate: 0.01,
    badTimestamp: 0.01,
  },
};

export type RetailOptions = Partial<Omit<typeof RETAIL_DEFAULTS, 'dirt'>> & { dirt?: Partial<typeof RETAIL_DEFAULTS.dirt> };
export type DirtKind = keyof typeof RETAIL_DEFAULTS.dirt;

export const REGIONS = ['north', 'south', 'east', 'west'] as const;
export const SEGMENTS = ['budget', 'regular', 'premium'] as const;
export const CHANNELS = ['web', 'app', 'store'] as const;
export const EVENT_TYPES = ['view', 'search', 'add_to_cart', 'purchase', 'support_ticket'] as const;
const FIRST = ['Ada', 'Ben', 'Chloé', 'Dev', 'Eva', 'Femi', 'Gus', 'Hana', 'Ivan', 'Jun', 'Kai', 'Lena', 'Mo', 'Nia', 'Omar', 'Pia'];
const LAST = ['Smith', 'Okafor', 'García', 'Chen', 'Müller', 'Rossi', 'Kowalski', 'Sato', 'Dubois', 'Singh', "O'Neil", 'Nagy'];

export interface Customers {
  customerId: Int32Array;
  name: string[];
  email: string[];
  /** 'YYYY-MM-DD'. */
  signupDate: string[];
  region: string[];
  segment: string[];
  birthYear: Int32Array;
  /** Day of the year (0-based) the customer churned, or −1 if still active at year end (ground truth, not in the files). */
  churnDay: Int32Array;
}

/** One dirty sales row: its 1-based data line in sales.csv (after the header) and sale_id. */
export interface DirtyRow {
  line: number;
  saleId: number;
}

export interface RetailData {
  options: typeof RETAIL_DEFAULTS;
  customers: Customers;
  /** CREATE TABLE + INSERTs, SQLite dialect (also valid DuckDB). */
  customersSql: string;
  /** Header: sale_id,customer_id,ts,updated_at,amount,quantity,channel. */
  salesCsv: string;
  /** A JSON array, one event object per line: event_id, customer_id, ts, type, page, session_id. */
  eventsJson: string;
  /** Ground truth: every dirty sales row by kind. */
  dirty: Record<DirtKind, DirtyRow[]>;
  counts: { customers: number; cleanSales: number; salesRows: number; events: number };
}

const DAY_MS = 86_400_000;

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

function choice<T>(xs: readonly T[], rng: Rng): T {
  return xs[Math.floor(rng() * xs.length)];
}

function poisson(mean: number, rng: Rng, normal: NormalSampler): number {
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal()));
  let k = 0;
  let p = Math.exp(-mean);
  let s = p;
  const u = rng();
  while (u > s) {
    k++;
    p *= mean / k;
    s += p;
  }
  return k;
}

interface Sale {
  saleId: number;
  customerId: number;
  t: number;
  amount: number;
  quantity: number;
  channel: string;
}

function makeCustomers(o: typeof RETAIL_DEFAULTS, rng: Rng, normal: NormalSampler): Customers {
  const n = o.customers;
  const c: Customers = {
    customerId: new Int32Array(n),
    name: [],
    email: [],
    signupDate: [],
    region: [],
    segment: [],
    birthYear: new Int32Array(n),
    churnDay: new Int32Array(n),
  };
  const start = Date.UTC(o.year, 0, 1);
  for (let i = 0; i < n; i++) {
    const id = 1001 + i;
    const first = choice(FIRST, rng);
    const last = choice(LAST, rng);
    c.customerId[i] = id;
    c.name.push(`${first} ${last}`);
    c.email.push(`${first}.${last}.${id}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, ''));
    // Signed up up to 3 years before the year starts, or during it.
    const signup = start + Math.floor((rng() * 4 - 3) * 365) * DAY_MS;
    c.signupDate.push(iso(signup).slice(0, 10));
    c.region.push(choice(REGIONS, rng));
    c.segment.push(SEGMENTS[rng() < 0.3 ? 0 : rng() < 0.75 ? 1 : 2]);
    c.birthYear[i] = Math.round(Math.min(o.year - 18, Math.max(o.year - 85, o.year - 40 + 13 * normal())));
    c.churnDay[i] = rng() < o.churnShare ? Math.floor(rng() * 365) : -1;
  }
  return c;
}

function makeSales(o: typeof RETAIL_DEFAULTS, c: Customers, rng: Rng, normal: NormalSampler): Sale[] {
  const start = Date.UTC(o.year, 0, 1);
  const sales: Sale[] = [];
  const spend = { budget: Math.log(25), regular: Math.log(60), premium: Math.log(150) };
  for (let i = 0; i < c.customerId.length; i++) {
    const signupDay = Math.max(0, Math.floor((Date.parse(c.signupDate[i]) - start) / DAY_MS));
    const endDay = c.churnDay[i] >= 0 ? c.churnDay[i] : 365;
    const activeDays = Math.max(0, endDay - signupDay);
    const rate = (sampleGamma(2, rng, normal) / 2) * o.purchasesPerYear;
    const k = poisson((rate * activeDays) / 365, rng, normal);
    for (let j = 0; j < k; j++) {
      const t = start + (signupDay + rng() * activeDays) * DAY_MS;
      const mu = spend[c.segment[i] as keyof typeof spend];
      sales.push({
        saleId: 0,
        customerId: c.customerId[i],
        t: Math.floor(t / 1000) * 1000,
        amount: Math.round(Math.exp(mu + 0.5 * normal()) * 100) / 100,
        quantity: 1 + poisson(1, rng, normal),
        channel: CHANNELS[rng() < 0.5 ? 0 : rng() < 0.7 ? 1 : 2],
      });
    }
  }
  sales.sort((a, b) => a.t - b.t || a.customerId - b.customerId);
  sales.forEach((s, i) => (s.saleId = 500_001 + i));
  return sales;
}

const BAD_TIMESTAMPS = ['not a date', '2025-13-40T25:61:00Z', '', '31/02/2025 10:00', '2025-02-30T08:00:00Z', 'NULL'];

/** Clean sales plus the dirty rows, as CSV lines, and which lines are dirty. */
function salesCsv(o: typeof RETAIL_DEFAULTS, sales: Sale[], rng: Rng): { csv: string; dirty: RetailData['dirty']; rows: number } {
  type Row = { s: Sale; ts: string; updated: string; amount: string; customer: string; dirt?: DirtKind };
  const rows: Row[] = sales.map((s) => ({ s, ts: iso(s.t), updated: iso(s.t), amount: s.amount.toFixed(2), customer: String(s.customerId) }));
  const n = rows.length;
  const pickRows = (share: number) => {
    const k = Math.round(share * n);
    const out = new Set<number>();
    while (out.size < k) {
      const i = Math.floor(rng() * n);
      if (!rows[i].dirt) out.add(i);
    }
    return [...out].sort((a, b) => a - b);
  };
  const d = o.dirt;
  for (const i of pickRows(d.missingCustomerId)) Object.assign(rows[i], { customer: '', dirt: 'missingCustomerId' });
  for (const i of pickRows(d.negativeAmount)) Object.assign(rows[i], { amount: (-rows[i].s.amount).toFixed(2), dirt: 'negativeAmount' });
  for (const i of pickRows(d.extremeAmount)) Object.assign(rows[i], { amount: (rows[i].s.amount * 1000 + 10_000).toFixed(2), dirt: 'extremeAmount' });
  for (const i of pickRows(d.badTimestamp)) Object.assign(rows[i], { ts: choice(BAD_TIMESTAMPS, rng), dirt: 'badTimestamp' });
  const extra: { after: number; row: Row }[] = [];
  for (const i of pickRows(d.exactDuplicate)) extra.push({ after: i, row: { ...rows[i], dirt: 'exactDuplicate' } });
  for (const i of pickRows(d.updatedDuplicate)) {
    // A correction a few days later: a new amount, a later updated_at. The later version is the truth.
    const fixed = Math.round(rows[i].s.amount * (0.8 + 0.4 * rng()) * 100) / 100;
    const later = iso(rows[i].s.t + Math.ceil(rng() * 5) * DAY_MS);
    extra.push({ after: i + Math.floor(rng() * 30), row: { ...rows[i], amount: fixed.toFixed(2), updated: later, dirt: 'updatedDuplicate' } });
  }
  extra.sort((a, b) => a.after - b.after);

  const dirty = Object.fromEntries(Object.keys(d).map((k) => [k, [] as DirtyRow[]])) as RetailData['dirty'];
  const lines = ['sale_id,customer_id,ts,updated_at,amount,quantity,channel'];
  let e = 0;
  const emit = (r: Row) => {
    lines.push([r.s.saleId, r.customer, r.ts, r.updated, r.amount, r.s.quantity, r.s.channel].join(','));
    if (r.dirt) dirty[r.dirt].push({ line: lines.length - 1, saleId: r.s.saleId });
  };
  for (let i = 0; i < n; i++) {
    emit(rows[i]);
    while (e < extra.length && Math.min(extra[e].after, n - 1) === i) emit(extra[e++].row);
  }
  return { csv: lines.join('\n') + '\n', dirty, rows: lines.length - 1 };
}

function eventsJson(o: typeof RETAIL_DEFAULTS, sales: Sale[], rng: Rng): { json: string; count: number } {
  const events: { t: number; customer: number; type: string; page: string }[] = [];
  const pages = ['/home', '/search', '/product/shoes', '/product/coats', '/product/bags', '/cart', '/help'];
  for (const s of sales) {
    events.push({ t: s.t, customer: s.customerId, type: 'purchase', page: '/checkout' });
    const k = Math.floor(rng() * 2 * o.eventsPerPurchase + 1);
    for (let j = 0; j < k; j++) {
      const type = choice(['view', 'view', 'view', 'search', 'add_to_cart', 'support_ticket'] as const, rng);
      const t = s.t - Math.floor(rng() * 3 * DAY_MS / 1000) * 1000;
      if (t < Date.UTC(o.year, 0, 1)) continue;
      events.push({ t, customer: s.customerId, type, page: type === 'support_ticket' ? '/help' : type === 'add_to_cart' ? '/cart' : choice(pages, rng) });
    }
  }
  events.sort((a, b) => a.t - b.t || a.customer - b.customer || a.type.localeCompare(b.type));
  const lines = events.map((ev, i) =>
    JSON.stringify({ event_id: i + 1, customer_id: ev.customer, ts: iso(ev.t), type: ev.type, page: ev.page, session_id: `${ev.customer}-${Math.floor(ev.t / DAY_MS)}` }),
  );
  return { json: '[\n' + lines.join(',\n') + '\n]\n', count: events.length };
}

function customersSql(c: Customers): string {
  const out = [
    'CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, signup_date TEXT, region TEXT, segment TEXT, birth_year INTEGER);',
  ];
  for (let i = 0; i < c.customerId.length; i++) {
    out.push(`INSERT INTO customers VALUES (${c.customerId[i]}, ${sqlString(c.name[i])}, ${sqlString(c.email[i])}, ${sqlString(c.signupDate[i])}, ${sqlString(c.region[i])}, ${sqlString(c.segment[i])}, ${c.birthYear[i]});`);
  }
  return out.join('\n') + '\n';
}

/** Generate the year. Same options, same bytes. */
export function makeRetail(opts: RetailOptions = {}): RetailData {
  const o = { ...RETAIL_DEFAULTS, ...opts, dirt: { ...RETAIL_DEFAULTS.dirt, ...opts.dirt } };
  if (!(Number.isInteger(o.customers) && o.customers > 0)) throw new RangeError(`customers must be a positive whole number, got ${o.customers}`);
  for (const [k, v] of Object.entries(o.dirt)) if (!(v >= 0 && v <= 0.1)) throw new RangeError(`dirt.${k} must lie in [0, 0.1], got ${v}`);
  const stream = (k: number) => {
    const rng = mulberry32(deriveSeed(o.seed, k));
    return { rng, normal: normalSampler(rng) };
  };
  const a = stream(1);
  const customers = makeCustomers(o, a.rng, a.normal);
  const b = stream(2);
  const sales = makeSales(o, customers, b.rng, b.normal);
  const csv = salesCsv(o, sales, stream(3).rng);
  const ev = eventsJson(o, sales, stream(4).rng);
  return {
    options: o,
    customers,
    customersSql: customersSql(customers),
    salesCsv: csv.csv,
    eventsJson: ev.json,
    dirty: csv.dirty,
    counts: { customers: o.customers, cleanSales: sales.length, salesRows: csv.rows, events: ev.count },
  };
}

/** The customers table as Arrow (churn_day, ground truth, left out). */
export function customersToArrow(c: Customers): Table {
  return new Table({
    customer_id: makeVector(c.customerId),
    name: vectorFromArray(c.name, new Utf8()),
    email: vectorFromArray(c.email, new Utf8()),
    signup_date: vectorFromArray(c.signupDate, new Utf8()),
    region: vectorFromArray(c.region, new Utf8()),
    segment: vectorFromArray(c.segment, new Utf8()),
    birth_year: makeVector(c.birthYear),
  });
}

/** The files a learner downloads: customers.sql, customers.parquet, sales.csv, events.json. */
export async function retailFiles(d: RetailData): Promise<{ name: string; bytes: Uint8Array }[]> {
  const utf8 = new TextEncoder();
  return [
    { name: 'customers.sql', bytes: utf8.encode(d.customersSql) },
    { name: 'customers.parquet', bytes: await arrowToParquet(customersToArrow(d.customers)) },
    { name: 'sales.csv', bytes: utf8.encode(d.salesCsv) },
    { name: 'events.json', bytes: utf8.encode(d.eventsJson) },
  ];
}
