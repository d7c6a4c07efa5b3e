/**
 * Searching runs with MLflow's filter syntax (search_runs): clauses joined by AND, each a column, an
 * operator and a value:
 *
 *   metrics.testAcc > 0.85 AND params.model = 'cnn' AND lab = 'train'
 *   params.optimizer IN ('adam', 'sgd') AND name LIKE '%baseline%' AND metrics.valLoss IS NOT NULL
 *
 * Columns are attributes (id, lab, name, status, seed, dataHash, backend, appVersion, createdAt,
 * durationMs, optionally written attributes.<name>), params.<key> and metrics.<key> (nested keys
 * with dots: params.settings.qps). Operators: = != < <= > >= LIKE ILIKE (% any run of characters, _
 * one), IN (...), IS [NOT] NULL. Unlike MLflow, params keep their type, so params.lr < 0.01 compares
 * numbers. A run without the column never matches (except IS NULL). orderBy takes "column [ASC|DESC]".
 */
import { MlopsInputError } from './errors';
import { ATTRIBUTES, columnValue, runColumns, type RunRow, type Scalar } from './runs-table';

type Op = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'IS NULL' | 'IS NOT NULL';

export interface Clause {
  column: string;
  op: Op;
  values: Scalar[];
}

export class FilterError extends MlopsInputError {
  override name = 'FilterError';
  constructor(readonly position: number, message: string) {
    super('filter', message);
  }
}

interface Token {
  kind: 'ident' | 'string' | 'number' | 'op' | 'punct';
  text: string;
  value?: Scalar;
  at: number;
}

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === "'" || c === '"') {
      let j = i + 1;
      let text = '';
      while (j < s.length && s[j] !== c) text += s[j++];
      if (j >= s.length) throw new FilterError(at, `Filter: the text starting at character ${at + 1} has no closing ${c}.`);
      out.push({ kind: 'string', text, value: text, at });
      i = j + 1;
    } else if (c === '`') {
      const j = s.indexOf('`', i + 1);
      if (j < 0) throw new FilterError(at, `Filter: the name starting at character ${at + 1} has no closing \`.`);
      out.push({ kind: 'ident', text: s.slice(i + 1, j), at });
      i = j + 1;
    } else if (/[<>=!]/.test(c)) {
      const two = s.slice(i, i + 2);
      const text = ['<=', '>=', '!=', '<>', '=='].includes(two) ? two : c;
      if (text === '!') throw new FilterError(at, `Filter: "!" at character ${at + 1} must be followed by "=".`);
      out.push({ kind: 'op', text: text === '<>' ? '!=' : text === '==' ? '=' : text, at });
      i += text.length;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ kind: 'punct', text: c, at });
      i++;
    } else if (/[-+\d.]/.test(c)) {
      const m = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?/i.exec(s.slice(i));
      if (!m) throw new FilterError(at, `Filter: cannot read a number at character ${at + 1}.`);
      out.push({ kind: 'number', text: m[0], value: Number(m[0]), at });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][\w.]*/.exec(s.slice(i))!;
      out.push({ kind: 'ident', text: m[0], at });
      i += m[0].length;
    } else throw new FilterError(at, `Filter: unexpected "${c}" at character ${at + 1}.`);
  }
  return out;
}

const KEYWORD = (t: Token | undefined, word: string) => t?.kind === 'ident' && t.text.toUpperCase() === word;

/** Parse a filter into clauses; an empty filter matches every run. */
export function parseFilter(filter: string): Clause[] {
  const toks = tokenize(filter);
  const clauses: Clause[] = [];
  let i = 0;
  const where = () => (toks[i] ? `at character ${toks[i].at + 1}` : 'at the end');
  const value = (): Scalar => {
    const t = toks[i];
    if (t?.kind === 'string' || t?.kind === 'number') {
      i++;
      return t.value!;
    }
    if (KEYWORD(t, 'TRUE') || KEYWORD(t, 'FALSE')) {
      i++;
      return t.text.toUpperCase() === 'TRUE';
    }
    throw new FilterError(t?.at ?? filter.length, `Filter: expected a value (a number, 'text', true or false) ${where()}.`);
  };
  while (i < toks.length) {
    const col = toks[i];
    if (col.kind !== 'ident') throw new FilterError(col.at, `Filter: expected a column name at character ${col.at + 1}, found "${col.text}".`);
    const column = normaliseColumn(col);
    i++;
    const t = toks[i];
    if (t?.kind === 'op') {
      i++;
      clauses.push({ column, op: t.text as Op, values: [value()] });
    } else if (KEYWORD(t, 'LIKE') || KEYWORD(t, 'ILIKE')) {
      i++;
      const v = value();
      if (typeof v !== 'string') throw new FilterError(toks[i - 1].at, `Filter: ${t!.text.toUpperCase()} needs a quoted pattern such as '%cnn%'.`);
      clauses.push({ column, op: t!.text.toUpperCase() as Op, values: [v] });
    } else if (KEYWORD(t, 'IN')) {
      i++;
      if (toks[i]?.text !== '(') throw new FilterError(toks[i]?.at ?? filter.length, `Filter: IN needs a list in brackets ${where()}, such as IN ('adam', 'sgd').`);
      i++;
      const values = [value()];
      while (toks[i]?.text === ',') {
        i++;
        values.push(value());
      }
      if (toks[i]?.text !== ')') throw new FilterError(toks[i]?.at ?? filter.length, `Filter: the IN list is not closed with ")" ${where()}.`);
      i++;
      clauses.push({ column, op: 'IN', values });
    } else if (KEYWORD(t, 'IS')) {
      i++;
      const not = KEYWORD(toks[i], 'NOT');
      if (not) i++;
      if (!KEYWORD(toks[i], 'NULL')) throw new FilterError(toks[i]?.at ?? filter.length, `Filter: expected NULL ${where()}.`);
      i++;
      clauses.push({ column, op: not ? 'IS NOT NULL' : 'IS NULL', values: [] });
    } else {
      throw new FilterError(t?.at ?? filter.length, `Filter: expected a comparison (=, !=, <, <=, >, >=, LIKE, IN, IS NULL) after "${col.text}" ${where()}.`);
    }
    if (i < toks.length) {
      if (KEYWORD(toks[i], 'OR')) throw new FilterError(toks[i].at, 'Filter: OR is not supported (as in MLflow); run two searches instead.');
      if (!KEYWORD(toks[i], 'AND')) throw new FilterError(toks[i].at, `Filter: expected AND between clauses at character ${toks[i].at + 1}, found "${toks[i].text}".`);
      i++;
      if (i >= toks.length) throw new FilterError(filter.length, 'Filter: nothing after the last AND.');
    }
  }
  return clauses;
}

function normaliseColumn(t: Token): string {
  const c = t.text;
  const lower = c.toLowerCase();
  for (const ns of ['params.', 'metrics.']) if (lower.startsWith(ns) && c.length > ns.length) return ns + c.slice(ns.length);
  const attr = lower.startsWith('attributes.') ? c.slice(11) : c;
  const known = ATTRIBUTES.find((a) => a.toLowerCase() === attr.toLowerCase());
  if (known) return known;
  throw new FilterError(t.at, `Filter: unknown column "${c}"; use an attribute (${ATTRIBUTES.join(', ')}), params.<name> or metrics.<name>.`);
}

const likeRegex = (pattern: string, flags: string) => new RegExp(`^${pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, flags);

function matches(v: Scalar | undefined, c: Clause): boolean {
  if (c.op === 'IS NULL') return v === undefined;
  if (c.op === 'IS NOT NULL') return v !== undefined;
  if (v === undefined) return false;
  const x = c.values[0];
  switch (c.op) {
    case '=': return v === x;
    case '!=': return v !== x;
    case 'IN': return c.values.includes(v);
    case 'LIKE': return likeRegex(x as string, 's').test(String(v));
    case 'ILIKE': return likeRegex(x as string, 'si').test(String(v));
  }
  if (typeof v !== typeof x) return false;
  switch (c.op) {
    case '<': return v < x;
    case '<=': return v <= x;
    case '>': return v > x;
    default: return v >= x;
  }
}

export interface SearchOptions {
  /** MLflow-style filter; '' matches every run. */
  filter?: string;
  /** "column [ASC|DESC]", first key first; runs lacking a key sort last. Default newest first. */
  orderBy?: readonly string[];
  /** At most this many rows. */
  limit?: number;
}

export interface SearchResult {
  rows: RunRow[];
  /** Params or metrics the filter names that no run has (a typo, usually). */
  unknownColumns: string[];
}

export function searchRuns(rows: readonly RunRow[], opts: SearchOptions = {}): SearchResult {
  const clauses = parseFilter(opts.filter ?? '');
  const known = new Set(runColumns(rows));
  const unknownColumns = [...new Set(clauses.map((c) => c.column).filter((c) => !known.has(c)))];
  const order = (opts.orderBy ?? ['createdAt DESC']).map((o) => {
    const m = /^\s*(\S+)(?:\s+(ASC|DESC))?\s*$/i.exec(o);
    if (!m) throw new FilterError(0, `Order: cannot read "${o}"; write a column, then ASC or DESC.`);
    return { column: normaliseColumn({ kind: 'ident', text: m[1], at: 0 }), desc: m[2]?.toUpperCase() === 'DESC' };
  });
  const out = rows.filter((r) => clauses.every((c) => matches(columnValue(r, c.column), c)));
  out.sort((a, b) => {
    for (const { column, desc } of order) {
      const x = columnValue(a, column);
      const y = columnValue(b, column);
      if (x === y) continue;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      const cmp = typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : 1;
      return desc ? -cmp : cmp;
    }
    return a.id < b.id ? -1 : 1;
  });
  return { rows: opts.limit === undefined ? out : out.slice(0, opts.limit), unknownColumns };
}
