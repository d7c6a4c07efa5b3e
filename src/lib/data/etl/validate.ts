/**
 * Validate and clean the sales. A row is removed by the first rule it breaks (REMOVE_RULES, in
 * order); then amounts are capped and imputed (nothing removed). The rules are stated in full in
 * data/pipeline.ts's module comment.
 */
import { quantileSorted } from '../../math/quantile';
import { parseTimestamp } from './dates';
import type { RawSale } from './extract';

export const REMOVE_RULES = ['missing_customer_id', 'bad_number', 'bad_timestamp', 'unknown_customer', 'exact_duplicate', 'superseded_update'] as const;
export type RemoveRule = (typeof REMOVE_RULES)[number];

export const RULE_TEXT: Record<RemoveRule, string> = {
  missing_customer_id: 'customer_id is empty: the sale cannot be attributed to anyone',
  bad_number: 'sale_id, customer_id or quantity is not a whole number',
  bad_timestamp: 'ts or updated_at is not a valid ISO timestamp',
  unknown_customer: 'customer_id is not in the customers table',
  exact_duplicate: 'the same row appeared earlier in the file (all fields equal)',
  superseded_update: 'a later version of the same sale_id (later updated_at) replaces it',
};

export type AmountFix = 'capped' | 'imputed_customer' | 'imputed_global';

export interface RemovedRow {
  line: number;
  saleId: string;
  rule: RemoveRule;
  detail: string;
}

export interface CleanSale {
  line: number;
  saleId: number;
  customerId: number;
  /** ms since 1970, UTC. */
  t: number;
  updated: number;
  /** The amount after capping and imputation. */
  amount: number;
  quantity: number;
  channel: string;
  fix: AmountFix | null;
}

export interface Validation {
  clean: CleanSale[];
  removed: RemovedRow[];
  removedByRule: Record<RemoveRule, number>;
  fixes: Record<AmountFix, number>;
  cap: number;
  globalMedian: number;
}

const isWhole = (s: string) => /^[+-]?\d{1,15}$/.test(s.trim());

/** A number as DuckDB would cast text to DOUBLE (decimal or exponent form), or NaN. */
export function parseAmount(s: string): number {
  const v = s.trim();
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v) ? Number(v) : NaN;
}

/** DuckDB's quantile_cont on sorted values: linear interpolation at (n − 1)·p (math/quantile's type 7). */
export const quantileCont = quantileSorted;

const sortNum = (xs: number[]) => Float64Array.from(xs).sort();

type Drop = (r: RawSale, rule: RemoveRule, detail: string) => void;
type Typed = { r: RawSale; saleId: number; customerId: number; t: number; updated: number; amount: number; quantity: number };

/** Validate and clean the sales (rules in the module comment); every removed row is reported with its rule. */
export function validateSales(raw: RawSale[], customers: Map<number, number>, capPercentile: number): Validation {
  const removed: RemovedRow[] = [];
  const drop: Drop = (r, rule, detail) => removed.push({ line: r.line, saleId: r.fields[0], rule, detail });
  const kept = keepLatestVersions(dropExactDuplicates(typedRows(raw, customers, drop), drop), drop);
  const { clean, fixes, cap, globalMedian } = fixAmounts(kept, capPercentile);
  const removedByRule = Object.fromEntries(REMOVE_RULES.map((k) => [k, 0])) as Record<RemoveRule, number>;
  for (const r of removed) removedByRule[r.rule]++;
  removed.sort((a, b) => a.line - b.line);
  return { clean, removed, removedByRule, fixes, cap, globalMedian };
}

/** Rules 1–4: the rows whose ids, numbers and timestamps read and whose customer exists, as typed values. */
function typedRows(raw: RawSale[], customers: Map<number, number>, drop: Drop): Typed[] {
  const typed: Typed[] = [];
  for (const r of raw) {
    const [sid, cid, ts, upd, amt, qty] = r.fields;
    if (cid.trim() === '') drop(r, 'missing_customer_id', 'customer_id is empty');
    else if (!isWhole(sid) || !isWhole(cid) || !isWhole(qty)) drop(r, 'bad_number', `sale_id ${JSON.stringify(sid)}, customer_id ${JSON.stringify(cid)}, quantity ${JSON.stringify(qty)}`);
    else {
      const t = parseTimestamp(ts);
      const updated = parseTimestamp(upd);
      if (Number.isNaN(t) || Number.isNaN(updated)) drop(r, 'bad_timestamp', `ts ${JSON.stringify(ts)}, updated_at ${JSON.stringify(upd)}`);
      else if (!customers.has(Number(cid))) drop(r, 'unknown_customer', `customer_id ${cid}`);
      else typed.push({ r, saleId: Number(sid), customerId: Number(cid), t, updated, amount: parseAmount(amt), quantity: Number(qty) });
    }
  }
  return typed;
}

/** Rule 5: a row with the same seven fields as an earlier kept row. */
function dropExactDuplicates(typed: Typed[], drop: Drop): Typed[] {
  const seen = new Set<string>();
  return typed.filter((x) => {
    const key = x.r.fields.join('\u0000');
    if (seen.has(key)) {
      drop(x.r, 'exact_duplicate', 'same fields as an earlier row');
      return false;
    }
    seen.add(key);
    return true;
  });
}

/** Rule 6: of the rows sharing a sale_id, the one with the latest updated_at (ties: the later line) stays. */
function keepLatestVersions(unique: Typed[], drop: Drop): Typed[] {
  const latest = new Map<number, Typed>();
  for (const x of unique) {
    const cur = latest.get(x.saleId);
    if (!cur || x.updated > cur.updated || (x.updated === cur.updated && x.r.line > cur.r.line)) latest.set(x.saleId, x);
  }
  return unique.filter((x) => {
    const win = latest.get(x.saleId)!;
    if (win !== x) drop(x.r, 'superseded_update', `replaced by line ${win.r.line} (updated_at ${x.r.fields[3]} < ${win.r.fields[3]})`);
    return win === x;
  });
}

/** Cap positive amounts at their capPercentile quantile; a missing amount takes the customer's median, else the global one. */
function fixAmounts(kept: Typed[], capPercentile: number): Pick<Validation, 'clean' | 'fixes' | 'cap' | 'globalMedian'> {
  const positive = sortNum(kept.filter((x) => x.amount > 0).map((x) => x.amount));
  const cap = quantileCont(positive, capPercentile);
  const capped = kept.map((x) => (x.amount > 0 ? Math.min(x.amount, cap) : NaN));
  const perCustomer = new Map<number, number[]>();
  kept.forEach((x, i) => {
    if (Number.isNaN(capped[i])) return;
    const l = perCustomer.get(x.customerId) ?? [];
    l.push(capped[i]);
    perCustomer.set(x.customerId, l);
  });
  const globalMedian = quantileCont(sortNum(capped.filter((v) => !Number.isNaN(v))), 0.5);
  const median = new Map([...perCustomer].map(([c, l]) => [c, quantileCont(sortNum(l), 0.5)]));
  const fixes: Record<AmountFix, number> = { capped: 0, imputed_customer: 0, imputed_global: 0 };
  const clean = kept.map((x, i): CleanSale => {
    let amount = capped[i];
    let fix: AmountFix | null = null;
    if (Number.isNaN(amount)) {
      const m = median.get(x.customerId);
      [amount, fix] = m !== undefined ? [m, 'imputed_customer'] : [globalMedian, 'imputed_global'];
    } else if (x.amount > cap) fix = 'capped';
    if (fix) fixes[fix]++;
    return { line: x.r.line, saleId: x.saleId, customerId: x.customerId, t: x.t, updated: x.updated, amount, quantity: x.quantity, channel: x.r.fields[6], fix };
  });
  return { clean, fixes, cap, globalMedian };
}
