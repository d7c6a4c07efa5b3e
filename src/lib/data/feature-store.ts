/**
 * Feature-store joins. Training rows (an entity key and the time a label was observed) get the
 * feature values that were known at that time: for each label row, the feature row of the same
 * key with the latest timestamp ≤ the label's (a point-in-time, or "as of", join). The naive
 * alternative joins every label row to the key's latest feature row, which may come from after
 * the label time: the future leaks into the training data.
 *
 * The same join three ways: pointInTimeJoin (plain TypeScript, the reference), asofJoinSql
 * (DuckDB's ASOF JOIN) and latestJoinSql (the naive join). Feature rows with the same key and
 * timestamp are resolved the same way in both: the one ingested last (highest `seq`) wins.
 */

export interface JoinColumns {
  /** Entity key column (same name in both tables). */
  key: string;
  /** Label time column in the labels table. */
  labelTs: string;
  /** Feature time column in the features table. */
  featureTs: string;
  /** Ingestion order in the features table: among rows with equal key and time, the highest wins. */
  seq: string;
  /** Feature columns to bring over. */
  features: string[];
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * For each row of `labels` (in order), the index into `features` of its point-in-time row: same
 * key, largest time ≤ the label time, then largest seq; −1 when the key has no row that early.
 */
export function pointInTimeJoin(
  labels: { key: ArrayLike<number>; ts: ArrayLike<number> },
  features: { key: ArrayLike<number>; ts: ArrayLike<number>; seq: ArrayLike<number> },
): Int32Array {
  // Feature rows grouped by key, sorted by (ts, seq): the answer is the last one with ts ≤ t.
  const byKey = new Map<number, number[]>();
  for (let i = 0; i < features.key.length; i++) {
    const k = features.key[i];
    const list = byKey.get(k) ?? [];
    list.push(i);
    byKey.set(k, list);
  }
  for (const list of byKey.values()) list.sort((a, b) => features.ts[a] - features.ts[b] || features.seq[a] - features.seq[b]);
  const out = new Int32Array(labels.key.length).fill(-1);
  for (let r = 0; r < labels.key.length; r++) {
    const list = byKey.get(labels.key[r]);
    if (!list) continue;
    const t = labels.ts[r];
    let lo = 0;
    let hi = list.length; // first position with ts > t
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (features.ts[list[mid]] <= t) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) out[r] = list[lo - 1];
  }
  return out;
}

/** The same join in DuckDB: ASOF LEFT JOIN on key and time, after keeping the last-ingested row of each (key, time). */
export function asofJoinSql(labels: string, features: string, c: JoinColumns): string {
  const cols = c.features.map((f) => `f.${ident(f)}`).join(', ');
  return `WITH f AS (SELECT * FROM ${ident(features)} QUALIFY row_number() OVER (PARTITION BY ${ident(c.key)}, ${ident(c.featureTs)} ORDER BY ${ident(c.seq)} DESC) = 1)
SELECT l.*, f.${ident(c.featureTs)} AS feature_ts, ${cols} FROM ${ident(labels)} l ASOF LEFT JOIN f ON l.${ident(c.key)} = f.${ident(c.key)} AND l.${ident(c.labelTs)} >= f.${ident(c.featureTs)}`;
}

/** The naive join: every label row gets its key's latest feature row, whenever it was written. */
export function latestJoinSql(labels: string, features: string, c: JoinColumns): string {
  const cols = c.features.map((f) => `f.${ident(f)}`).join(', ');
  return `WITH f AS (SELECT * FROM ${ident(features)} QUALIFY row_number() OVER (PARTITION BY ${ident(c.key)} ORDER BY ${ident(c.featureTs)} DESC, ${ident(c.seq)} DESC) = 1)
SELECT l.*, f.${ident(c.featureTs)} AS feature_ts, ${cols} FROM ${ident(labels)} l LEFT JOIN f ON l.${ident(c.key)} = f.${ident(c.key)}`;
}
