/**
 * The drift report as SQL: DuckDB does the heavy part (one grouping pass over every day's rows per
 * numeric feature, plus small passes for decile edges, nulls, ranges, categories, late labels) and
 * returns counts; the statistics are then taken in TypeScript, from src/lib/drift/stats.ts. The
 * same SQL runs in DuckDB-wasm (the drift lab) and in native DuckDB (the benchmark, the unit tests).
 *
 * Per numeric feature and day, from its counts on a fine uniform grid of `fineBins` bins spanning
 * both samples (one GROUP BY day, fine bin: count, smallest value, more than one distinct value):
 * - PSI, chi-square and Jensen–Shannon on the reference's decile bins. A value's bin is
 *   Σ_k [x ≥ e_k] over the deduplicated reference quantiles e_k (numpy 'linear', DuckDB's
 *   quantile_cont), the same bins psi() makes, so these three are exact: a fine bin lies wholly on
 *   one side of every edge except the few next to an edge, whose rows a second query counts by
 *   that expression (it touches every row but groups only those).
 * - KS and Wasserstein-1 from the two ECDFs on the fine grid. With p_r, p_c the bin shares, the
 *   binned KS D_b (the largest |F_r − F_c| at the bin edges) satisfies
 *   D_b ≤ D ≤ D_b + max_k max(p_r,k, p_c,k), and the binned Wasserstein
 *   W_b = w·Σ_k |F_r − F_c|(right edge of k) satisfies |W − W_b| ≤ w·Σ_k max(p_r,k, p_c,k):
 *   inside one bin F_r − F_c moves by at most that bin's mass. A bin holding a single distinct
 *   value (both samples) adds nothing to the KS bound: its ECDFs jump once, at that value, so
 *   the edge values are the only ones. Both bounds come back with the value (test/lib/drift/sql.test.ts checks them against ksTest and wassersteinDistance).
 * Categorical features: counts per category, so chi-square, JS and PSI (over categories) are exact.
 * Why counts and TypeScript rather than window functions: crossing every day with the reference's
 * bins and taking running sums in SQL cost 3x this in DuckDB-wasm (BENCHMARKS.md, drift).
 */
import { chiSquareTest, jensenShannonDistance, kolmogorovSf, psiFromCounts } from './stats.ts';

export const SQL_DRIFT_DEFAULTS = {
  /** Reference-quantile bins for PSI, chi-square and JS on numeric features. */
  psiBins: 10,
  /** Uniform bins of the ECDF grid for KS and Wasserstein (finer: smaller error bound, more groups). */
  fineBins: 4000,
  /** Share floor of an empty bin in PSI. */
  epsilon: 1e-4,
};

export interface DriftSqlSpec {
  /** Table holding the reference (training-time) sample. */
  reference: string;
  /** Table (or view) holding the production rows, with an integer `day` column. */
  stream: string;
  numeric: string[];
  categorical: string[];
  /** Columns of the deployed model's output and the late labels, when the stream has them. */
  model?: { prediction: string; label: string; labelDay: string; days: number };
  psiBins?: number;
  fineBins?: number;
  epsilon?: number;
}

/** A query result, column by column (Arrow vectors' toArray(), or native DuckDB's columns). */
export type Columns = Record<string, ArrayLike<unknown>>;
export type SqlRunner = (sql: string) => Promise<Columns>;

export interface NumericProfile {
  /** Deduplicated reference quantiles: the interior PSI bin edges. */
  edges: number[];
  refSd: number;
  refMin: number;
  refMax: number;
  refNullRate: number;
  /** The fine grid: lo + k·width, k = 0..fineBins. */
  lo: number;
  width: number;
}

export interface Cell {
  /** Rows present (non-null) that day. */
  n: number;
  nullRate: number;
  psi: number;
  js: number;
  chi2: { statistic: number; pValue: number; dof: number };
  /** Numeric: KS from the fine-grid ECDFs, asymptotic p-value, and the bound on |D − D_b|. */
  ks?: { statistic: number; pValue: number; bound: number };
  /** Numeric: Wasserstein-1 in reference standard deviations, and its error bound (same unit). */
  wasserstein?: { value: number; bound: number };
  /** Numeric: share of present values outside the reference's [min, max]. */
  outOfRange?: number;
  /** Categorical: share of the day's rows in categories the reference never had, and which. */
  newCategoryShare?: number;
  newCategories?: string[];
}

export interface DayPerformance {
  labels: number;
  logLoss: number;
  expectedLogLoss: number;
  accuracy: number;
}

export interface SqlDriftReport {
  days: number[];
  rowsPerDay: number[];
  features: { name: string; kind: 'numeric' | 'categorical' }[];
  /** cells[feature][dayIndex]. */
  cells: Cell[][];
  profiles: Record<string, NumericProfile>;
  /** Mean prediction per day (a proxy before labels arrive). */
  meanPrediction?: number[];
  /** The model on the labels arriving each day (null with none). */
  performance?: (DayPerformance | null)[];
  /** The model on the reference sample. */
  referencePerformance?: DayPerformance;
  /** Milliseconds spent in each SQL step, and in total. */
  timings: Record<string, number>;
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
/** A double literal that round-trips (DuckDB reads 0.1 as DECIMAL; 1e-1 as DOUBLE). */
const num = (x: number) => `${x.toExponential()}::DOUBLE`;
const at = (c: Columns, name: string, i = 0) => {
  const col = c[name];
  if (!col) throw new Error(`drift SQL: the result has no column "${name}"`);
  return col[i];
};
const n0 = (v: unknown) => (v == null ? NaN : Number(v));
const rows = (c: Columns) => (Object.values(c)[0]?.length ?? 0);

/** Step 1: the reference's deciles, sd, range and null rate, and each numeric column's range over both tables. */
export function profileSql(spec: DriftSqlSpec): string {
  const bins = spec.psiBins ?? SQL_DRIFT_DEFAULTS.psiBins;
  const ref: string[] = ['count(*)::DOUBLE AS "__rows"'];
  const cur: string[] = [];
  for (const f of spec.numeric) {
    const c = ident(f);
    for (let k = 1; k < bins; k++) ref.push(`quantile_cont(${c}, ${k / bins}) AS ${ident(`${f}__q${k}`)}`);
    ref.push(`stddev_samp(${c}) AS ${ident(`${f}__sd`)}`, `min(${c}) AS ${ident(`${f}__min`)}`, `max(${c}) AS ${ident(`${f}__max`)}`, `count(${c})::DOUBLE AS ${ident(`${f}__n`)}`);
    cur.push(`min(${c}) AS ${ident(`${f}__smin`)}`, `max(${c}) AS ${ident(`${f}__smax`)}`);
  }
  const curSel = cur.length ? cur.join(', ') : '1 AS "__none"';
  return `SELECT * FROM (SELECT ${ref.join(', ')} FROM ${ident(spec.reference)}) r, (SELECT ${curSel} FROM ${ident(spec.stream)}) s`;
}

export function readProfiles(spec: DriftSqlSpec, c: Columns): Record<string, NumericProfile> {
  const bins = spec.psiBins ?? SQL_DRIFT_DEFAULTS.psiBins;
  const fine = spec.fineBins ?? SQL_DRIFT_DEFAULTS.fineBins;
  const refRows = n0(at(c, '__rows'));
  const out: Record<string, NumericProfile> = {};
  for (const f of spec.numeric) {
    const edges: number[] = [];
    for (let k = 1; k < bins; k++) {
      const q = n0(at(c, `${f}__q${k}`));
      if (Number.isFinite(q) && (edges.length === 0 || q > edges[edges.length - 1])) edges.push(q);
    }
    const refMin = n0(at(c, `${f}__min`));
    const refMax = n0(at(c, `${f}__max`));
    if (!Number.isFinite(refMin)) throw new Error(`drift SQL: the reference has no values of "${f}"`);
    const lo = Math.min(refMin, n0(at(c, `${f}__smin`)));
    const hi = Math.max(refMax, n0(at(c, `${f}__smax`)));
    // DuckDB orders NaN above every number, so a NaN or an infinity anywhere shows here.
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new Error(`drift SQL: "${f}" holds values that are not finite numbers (NaN or ±infinity); make them NULL`);
    out[f] = { edges, refSd: n0(at(c, `${f}__sd`)), refMin, refMax, refNullRate: 1 - n0(at(c, `${f}__n`)) / refRows, lo, width: hi > lo ? (hi - lo) / fine : 1 };
  }
  return out;
}

function binExpr(col: string, edges: number[]): string {
  return edges.length ? edges.map((e) => `(${col} >= ${num(e)})::INT`).join(' + ') : '0';
}

/**
 * A value's fine-grid key: ⌊(x − lo)/w⌋ + 1 computed as a rounding cast (DuckDB rounds half to
 * even) of (x − lo)/w + ½ + 1e-6, because in DuckDB-wasm floor() and least() cost several times the
 * rest of the pass. The +1e-6 keeps a value on a bin edge (a lattice feature's) in the bin above it,
 * as floor would; so the bin edges sit at lo + (k − 1e-6)·w, a shift far below the error bounds.
 * The key is monotone in x (what the exact decile counts rely on); keys 0 and fineBins + 1 (the
 * range's ends) fold into the first and last bin (fineBin).
 */
function fineKeyExpr(col: string, p: NumericProfile): string {
  return `((${col} - ${num(p.lo)}) * ${num(1 / p.width)} + 5.000001e-1)::INT`;
}

/** The fine bin (0 … fine − 1) of a key from fineKeyExpr. */
const fineBin = (key: number, fine: number) => Math.min(fine - 1, Math.max(0, key - 1));

/** The fine bins next to each decile edge (its own ±1, against rounding): the only ones whose rows can fall on both sides of an edge. */
export function edgeFineBins(p: NumericProfile, fine: number): number[] {
  const out = new Set<number>();
  for (const e of p.edges) {
    const b = Math.min(fine - 1, Math.floor((e - p.lo) / p.width));
    for (const k of [b - 1, b, b + 1]) if (k >= 0 && k < fine) out.add(k);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * Step 2, one query per numeric feature: rows per day and fine bin (day −1: the reference), each
 * bin's smallest value and whether it holds more than one distinct value. One pass over the
 * column; KS, Wasserstein and (with step 3) the decile-bin counts are taken from these counts.
 */
export function fineCountsSql(spec: DriftSqlSpec, f: string, p: NumericProfile): string {
  const c = ident(f);
  const b = fineKeyExpr(c, p);
  const agg = `count(*)::INT AS n, min(${c}) AS v, (min(${c}) < max(${c}))::INT AS spread`;
  return `SELECT -1 AS day, ${b} AS b, ${agg} FROM ${ident(spec.reference)} WHERE ${c} IS NOT NULL GROUP BY 1, 2
UNION ALL SELECT day::INT AS day, ${b} AS b, ${agg} FROM ${ident(spec.stream)} WHERE ${c} IS NOT NULL GROUP BY 1, 2`;
}

/**
 * Step 3: exact decile-bin counts of the rows in the fine bins next to a decile edge (feature by
 * its index in spec.numeric; day −1: the reference). Every other fine bin lies wholly on one side of
 * each edge (the bin index is monotone in the value), so its decile bin follows from its index.
 */
export function edgeCountsSql(spec: DriftSqlSpec, profiles: Record<string, NumericProfile>): string {
  const fine = spec.fineBins ?? SQL_DRIFT_DEFAULTS.fineBins;
  const parts: string[] = [];
  spec.numeric.forEach((f, i) => {
    const p = profiles[f];
    const near = edgeFineBins(p, fine);
    if (!near.length) return;
    const c = ident(f);
    const keys = near.map((b) => b + 1);
    if (near[0] === 0) keys.unshift(0);
    if (near[near.length - 1] === fine - 1) keys.push(fine + 1);
    const where = `${fineKeyExpr(c, p)} IN (${keys.join(', ')})`;
    const b = binExpr(c, p.edges);
    parts.push(`SELECT ${i} AS f, -1 AS day, ${b} AS bin, count(*)::INT AS n FROM ${ident(spec.reference)} WHERE ${where} GROUP BY ALL
UNION ALL SELECT ${i}, day::INT, ${b}, count(*)::INT FROM ${ident(spec.stream)} WHERE ${where} GROUP BY ALL`);
  });
  return parts.join('\nUNION ALL ') || 'SELECT 0 AS f, 0 AS day, 0 AS bin, 0 AS n WHERE false';
}

/** Step 4: category counts per categorical feature and day (day −1: the reference); NULL is not a category. */
export function categorySql(spec: DriftSqlSpec): string {
  return spec.categorical.map((f) => {
    const c = ident(f);
    return `SELECT ${lit(f)} AS feature, -1 AS day, ${c}::VARCHAR AS category, count(*)::DOUBLE AS n FROM ${ident(spec.reference)} WHERE ${c} IS NOT NULL GROUP BY ALL
UNION ALL SELECT ${lit(f)}, day::INT, ${c}::VARCHAR, count(*)::DOUBLE FROM ${ident(spec.stream)} WHERE ${c} IS NOT NULL GROUP BY ALL`;
  }).join('\nUNION ALL ') || `SELECT '' AS feature, 0 AS day, '' AS category, 0.0 AS n WHERE false`;
}

/** Step 5: per day, rows, nulls of every feature, values outside the reference range, mean prediction. */
export function qualitySql(spec: DriftSqlSpec, profiles: Record<string, NumericProfile>): string {
  const cols = ['count(*)::DOUBLE AS "__rows"'];
  for (const f of [...spec.numeric, ...spec.categorical]) cols.push(`(count(*) - count(${ident(f)}))::DOUBLE AS ${ident(`${f}__nulls`)}`);
  for (const f of spec.numeric) {
    const p = profiles[f];
    cols.push(`count(*) FILTER (WHERE ${ident(f)} < ${num(p.refMin)} OR ${ident(f)} > ${num(p.refMax)})::DOUBLE AS ${ident(`${f}__out`)}`);
  }
  if (spec.model) cols.push(`avg(${ident(spec.model.prediction)}) AS "__mean_prediction"`);
  return `SELECT day::INT AS day, ${cols.join(', ')} FROM ${ident(spec.stream)} GROUP BY 1 ORDER BY 1`;
}

/**
 * Step 6: the model on the labels that arrive each day (label_day), and on the reference:
 * log loss, the log loss its own predictions expect (mean binary entropy), accuracy at 0.5.
 */
export function performanceSql(spec: DriftSqlSpec): string {
  const m = spec.model!;
  const p = `least(1 - 1e-12, greatest(1e-12, ${ident(m.prediction)}))`;
  const y = ident(m.label);
  const agg = `count(*)::DOUBLE AS labels, avg(-(${y} * ln(${p}) + (1 - ${y}) * ln(1 - ${p}))) AS log_loss,
  avg(-(${p} * ln(${p}) + (1 - ${p}) * ln(1 - ${p}))) AS expected_log_loss, avg(((${ident(m.prediction)} >= 0.5)::INT = ${y})::DOUBLE) AS accuracy`;
  return `SELECT -1 AS day, ${agg} FROM ${ident(spec.reference)}
UNION ALL SELECT ${ident(m.labelDay)}::INT, ${agg} FROM ${ident(spec.stream)} WHERE ${ident(m.labelDay)} < ${m.days} GROUP BY 1 ORDER BY 1`;
}

interface NumericDay {
  /** Decile-bin counts. */
  deciles: Float64Array;
  ks: number;
  ksBound: number;
  w1: number;
  w1Bound: number;
}

/**
 * One numeric feature's per-day decile counts and fine-grid KS/Wasserstein (with bounds), from the
 * fine counts of step 2 and the edge counts of step 3; `days[i] === -1` is the reference.
 * The ECDF difference d_k = Σ_{j ≤ k} (p_r,j − p_c,j) is walked over every bin up to the last
 * occupied one: unoccupied bins repeat the last d, as the gaps between occupied bins did in SQL.
 */
function numericDays(p: NumericProfile, fine: number, days: number[], grid: Columns, edgeRows: { day: number; bin: number; n: number }[]): Map<number, NumericDay> {
  const slot = new Map(days.map((d, i) => [d, i]));
  const D = days.length;
  const cnt = new Float64Array(D * fine);
  const low = new Float64Array(D * fine);
  const spread = new Uint8Array(D * fine);
  const dayCol = grid.day, binCol = grid.b, nCol = grid.n, vCol = grid.v, sCol = grid.spread;
  if (!dayCol || !binCol || !nCol || !vCol || !sCol) throw new Error('drift SQL: the fine-grid counts lack a column');
  for (let i = 0, m = rows(grid); i < m; i++) {
    const di = slot.get(Number(dayCol[i]));
    if (di === undefined) continue;
    const j = di * fine + fineBin(Number(binCol[i]), fine);
    const n = Number(nCol[i]), v = Number(vCol[i]), wide = Number(sCol[i]);
    // Keys 0 and fine + 1 share a bin with their neighbour: merge (counts add, the bin spreads if the values differ).
    if (cnt[j] > 0) {
      spread[j] = spread[j] === 1 || wide === 1 || low[j] !== v ? 1 : 0;
      low[j] = Math.min(low[j], v);
    } else {
      low[j] = v;
      spread[j] = wide;
    }
    cnt[j] += n;
  }
  const near = new Uint8Array(fine);
  for (const b of edgeFineBins(p, fine)) near[b] = 1;
  const fb = p.edges.map((e) => Math.min(fine - 1, Math.floor((e - p.lo) / p.width)));
  const decileOf = new Int32Array(fine);
  for (let b = 0, k = 0; b < fine; b++) {
    while (k < fb.length && fb[k] < b) k++;
    decileOf[b] = k;
  }
  const nd = p.edges.length + 1;
  const deciles = days.map(() => new Float64Array(nd));
  for (let di = 0; di < D; di++) {
    const h = deciles[di];
    for (let b = 0; b < fine; b++) if (near[b] === 0) h[decileOf[b]] += cnt[di * fine + b];
  }
  for (const r of edgeRows) {
    const di = slot.get(r.day);
    if (di !== undefined) deciles[di][r.bin] += r.n;
  }
  const ri = slot.get(-1);
  if (ri === undefined) throw new Error('drift SQL: no reference rows in the fine-grid counts');
  let refN = 0;
  for (let b = 0; b < fine; b++) refN += cnt[ri * fine + b];
  const out = new Map<number, NumericDay>();
  for (let di = 0; di < D; di++) {
    let n = 0, last = -1;
    for (let b = 0; b < fine; b++) {
      const c = cnt[di * fine + b];
      n += c;
      if (c > 0 || cnt[ri * fine + b] > 0) last = b;
    }
    let d = 0, ks = 0, w1 = 0, ksBound = 0, w1Bound = 0;
    for (let b = 0; b <= last && n > 0; b++) {
      const r = ri * fine + b, c = di * fine + b;
      const pr = cnt[r] / refN, pc = cnt[c] / n;
      d += pr - pc;
      ks = Math.max(ks, Math.abs(d));
      w1 += Math.abs(d);
      if (cnt[r] === 0 && cnt[c] === 0) continue;
      const m = Math.max(pr, pc);
      w1Bound += m;
      const wide = spread[r] === 1 || spread[c] === 1 || (cnt[r] > 0 && cnt[c] > 0 && low[r] !== low[c]);
      if (wide) ksBound = Math.max(ksBound, m);
    }
    out.set(days[di], { deciles: deciles[di], ks, ksBound, w1: w1 * p.width, w1Bound: w1Bound * p.width });
  }
  return out;
}

function groupCounts(c: Columns, key: 'category'): Map<string, Map<number, Map<string, number>>> {
  const out = new Map<string, Map<number, Map<string, number>>>();
  for (let i = 0; i < rows(c); i++) {
    const f = String(at(c, 'feature', i));
    const d = Number(at(c, 'day', i));
    const byDay = out.get(f) ?? new Map<number, Map<string, number>>();
    out.set(f, byDay);
    const m = byDay.get(d) ?? new Map<string, number>();
    byDay.set(d, m);
    m.set(String(at(c, key, i)), Number(at(c, 'n', i)));
  }
  return out;
}

/** Run the six steps through `run` and assemble the report; the statistics come from stats.ts. */
export async function driftReportSql(spec: DriftSqlSpec, run: SqlRunner): Promise<SqlDriftReport> {
  const timings: Record<string, number> = {};
  const timed = async (name: string, sql: string) => {
    const t0 = performance.now();
    const r = await run(sql);
    timings[name] = performance.now() - t0;
    return r;
  };
  const t0 = performance.now();
  const profiles = readProfiles(spec, await timed('profile', profileSql(spec)));
  const fine = spec.fineBins ?? SQL_DRIFT_DEFAULTS.fineBins;
  const grids: Columns[] = [];
  for (const f of spec.numeric) grids.push(await timed(`grid:${f}`, fineCountsSql(spec, f, profiles[f])));
  const gridMs = spec.numeric.reduce((s, f) => s + timings[`grid:${f}`], 0);
  for (const f of spec.numeric) delete timings[`grid:${f}`];
  if (spec.numeric.length) timings.grid = gridMs;
  const edgeCols = spec.numeric.length ? await timed('edges', edgeCountsSql(spec, profiles)) : {};
  const cats = groupCounts(await timed('categories', categorySql(spec)), 'category');
  const quality = await timed('quality', qualitySql(spec, profiles));
  const perf = spec.model ? await timed('performance', performanceSql(spec)) : undefined;

  const days = Array.from({ length: rows(quality) }, (_, i) => Number(at(quality, 'day', i)));
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const rowsPerDay = days.map((_, i) => Number(at(quality, '__rows', i)));
  const epsilon = spec.epsilon ?? SQL_DRIFT_DEFAULTS.epsilon;
  const edgeRows = spec.numeric.map(() => [] as { day: number; bin: number; n: number }[]);
  for (let i = 0; i < rows(edgeCols); i++) edgeRows[Number(at(edgeCols, 'f', i))].push({ day: Number(at(edgeCols, 'day', i)), bin: Number(at(edgeCols, 'bin', i)), n: Number(at(edgeCols, 'n', i)) });

  const tStats = performance.now();
  const cells: Cell[][] = [];
  for (const [fi, f] of spec.numeric.entries()) {
    const p = profiles[f];
    const byDay = numericDays(p, fine, [-1, ...days], grids[fi], edgeRows[fi]);
    const ref = byDay.get(-1)!.deciles;
    const refN = ref.reduce((a, b) => a + b, 0);
    cells.push(days.map((d, di) => {
      const g = byDay.get(d)!;
      const cur = g.deciles;
      const n = cur.reduce((a, b) => a + b, 0);
      const nullRate = Number(at(quality, `${f}__nulls`, di)) / rowsPerDay[di];
      if (n === 0) return { n, nullRate, psi: NaN, js: NaN, chi2: { statistic: NaN, pValue: NaN, dof: 0 } };
      const en = (refN * n) / (refN + n);
      return {
        n,
        nullRate,
        psi: psiFromCounts(ref, cur, { epsilon }),
        js: jensenShannonDistance(ref, cur),
        chi2: chiSquareTest(ref, cur),
        ks: { statistic: g.ks, pValue: kolmogorovSf(Math.sqrt(en) * g.ks), bound: g.ksBound },
        wasserstein: { value: g.w1 / p.refSd, bound: g.w1Bound / p.refSd },
        outOfRange: Number(at(quality, `${f}__out`, di)) / n,
      };
    }));
  }
  for (const f of spec.categorical) {
    const byDay = cats.get(f) ?? new Map<number, Map<string, number>>();
    const refMap = byDay.get(-1) ?? new Map<string, number>();
    const names = [...new Set([...byDay.values()].flatMap((m) => [...m.keys()]))].sort();
    const vec = (m: Map<string, number> | undefined) => Float64Array.from(names, (c) => m?.get(c) ?? 0);
    const ref = vec(refMap);
    cells.push(days.map((d, di) => {
      const m = byDay.get(d);
      const cur = vec(m);
      const n = cur.reduce((a, b) => a + b, 0);
      const nullRate = Number(at(quality, `${f}__nulls`, di)) / rowsPerDay[di];
      if (n === 0) return { n, nullRate, psi: NaN, js: NaN, chi2: { statistic: NaN, pValue: NaN, dof: 0 } };
      const unseen = names.filter((c) => !refMap.get(c) && (m?.get(c) ?? 0) > 0);
      return {
        n,
        nullRate,
        psi: psiFromCounts(ref, cur, { epsilon }),
        js: jensenShannonDistance(ref, cur),
        chi2: chiSquareTest(ref, cur),
        newCategoryShare: unseen.reduce((s, c) => s + (m?.get(c) ?? 0), 0) / rowsPerDay[di],
        newCategories: unseen,
      };
    }));
  }

  const report: SqlDriftReport = {
    days,
    rowsPerDay,
    features: [...spec.numeric.map((name) => ({ name, kind: 'numeric' as const })), ...spec.categorical.map((name) => ({ name, kind: 'categorical' as const }))],
    cells,
    profiles,
    timings,
  };
  if (spec.model && perf) {
    report.meanPrediction = days.map((_, i) => Number(at(quality, '__mean_prediction', i)));
    const read = (i: number): DayPerformance => ({ labels: Number(at(perf, 'labels', i)), logLoss: Number(at(perf, 'log_loss', i)), expectedLogLoss: Number(at(perf, 'expected_log_loss', i)), accuracy: Number(at(perf, 'accuracy', i)) });
    report.performance = days.map(() => null);
    for (let i = 0; i < rows(perf); i++) {
      const d = Number(at(perf, 'day', i));
      if (d === -1) report.referencePerformance = read(i);
      else if (dayIndex.has(d)) report.performance[dayIndex.get(d)!] = read(i);
    }
  }
  timings.statistics = performance.now() - tStats;
  timings.total = performance.now() - t0;
  return report;
}
