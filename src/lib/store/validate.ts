/**
 * One schema for what the store holds, used both when a file is imported and when runs are read
 * back: every field of a run record is checked on its own (valibot schemas), and a field that is
 * off is repaired to a safe value with a note saying what changed, or, where no safe value
 * exists (no id, no lab), the record is refused. Reading never hides a run: one that cannot be
 * repaired comes back as a 'damaged' run, with its id, so the learner can still see and delete it.
 */
import * as v from 'valibot';
import type { Checkpoint, LabProgress, RunRecord, RunStatus } from './types.ts';

const STATUSES = ['running', 'paused', 'done', 'stopped', 'failed', 'interrupted', 'damaged'] as const satisfies readonly RunStatus[];
const TECHNIQUES = ['baseline', 'prune', 'quantize', 'distill', 'lowrank'] as const;

/**
 * A number, NaN and ±Infinity included (a diverged loss, an empty reliability bin): the file format
 * round-trips them. valibot's number() refuses NaN, hence the custom check.
 */
const num = v.custom<number>((x) => typeof x === 'number', 'Expected a number');
const finite = v.pipe(v.number(), v.finite());
const count = v.pipe(v.number(), v.finite(), v.minValue(0));
const text = v.string();
const numbers = v.array(num);

const EpochMetricsSchema = v.object({ epoch: finite, valLoss: num, valAcc: num, timeMs: num });
const ReliabilitySchema = v.object({ confidence: numbers, accuracy: numbers, count: numbers });
const FinalSchema = v.object({
  testAcc: num,
  testLoss: num,
  confusion: numbers,
  calibration: v.optional(v.object({
    temperature: num, eceBefore: num, eceAfter: num, nllBefore: num, nllAfter: num, before: ReliabilitySchema, after: ReliabilitySchema,
  })),
  robustness: v.optional(v.object({ clean: num, noise: num, occlusion: num, shift: num })),
});
const VariantSchema = v.object({
  technique: v.picklist(TECHNIQUES),
  description: text,
  accuracy: num,
  bytes: count,
  params: count,
  nonzero: v.optional(count),
  latencyMs: num,
  latencyBackend: text,
  exportWeights: v.optional(v.picklist(['float32', 'int8'])),
  parentRunId: v.optional(text),
});
/** Settings and summaries: any JSON object (the labs read their own keys defensively). */
const ParamsSchema = v.record(v.string(), v.unknown());

type Fixable = { schema: v.GenericSchema; fallback: (r: Record<string, unknown>) => unknown; label: string };

/** Each field of a run record: its schema, and the safe value a bad one is repaired to. */
const FIELDS: Record<string, Fixable & { optional?: boolean }> = {
  name: { schema: text, fallback: () => undefined, label: 'name', optional: true },
  params: { schema: ParamsSchema, fallback: () => ({}), label: 'settings' },
  seed: { schema: finite, fallback: () => 0, label: 'seed' },
  dataHash: { schema: text, fallback: () => '', label: 'data hash' },
  backend: { schema: text, fallback: () => 'unknown', label: 'backend' },
  appVersion: { schema: text, fallback: () => 'unknown', label: 'app version' },
  status: { schema: v.picklist(STATUSES), fallback: () => 'failed', label: 'status' },
  statusMessage: { schema: text, fallback: () => undefined, label: 'status message', optional: true },
  createdAt: { schema: finite, fallback: () => 0, label: 'creation time' },
  updatedAt: { schema: finite, fallback: (r) => (typeof r.createdAt === 'number' && Number.isFinite(r.createdAt) ? r.createdAt : 0), label: 'update time' },
  durationMs: { schema: count, fallback: () => 0, label: 'duration' },
  epochsDone: { schema: count, fallback: () => 0, label: 'epochs done' },
  stepsDone: { schema: count, fallback: () => 0, label: 'steps done' },
  final: { schema: FinalSchema, fallback: () => undefined, label: 'final metrics', optional: true },
  variant: { schema: VariantSchema, fallback: () => undefined, label: 'model variant', optional: true },
};

const METRIC_KEYS = ['step', 'epoch', 'trainLoss', 'trainAcc'] as const;

export interface CheckedRun {
  run: RunRecord;
  /** One line per repaired field, for the learner ("run x: its seed was not a number; set to 0"). */
  repairs: string[];
}

const describe = (x: unknown) => (x === null ? 'null' : Array.isArray(x) ? 'a list' : typeof x === 'object' ? 'an object' : typeof x === 'string' ? `"${x.slice(0, 40)}"` : String(x));

/**
 * Check a run record field by field. Returns the record with bad fields repaired and a note per
 * repair, or a reason when it cannot be kept at all (no usable id or lab).
 */
export function checkRun(raw: unknown): CheckedRun | { refused: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { refused: `a run record is ${describe(raw)}, not a record` };
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== 'string' || r.id.length === 0 || r.id.length > 200) return { refused: `a run has no usable id (${describe(r.id)})` };
  const who = `run ${typeof r.name === 'string' ? `"${r.name.slice(0, 60)}"` : r.id}`;
  if (typeof r.lab !== 'string' || r.lab.length === 0 || r.lab.length > 100) return { refused: `${who} names no lab (${describe(r.lab)})` };
  const repairs: string[] = [];
  const out: Record<string, unknown> = { id: r.id, lab: r.lab };
  for (const [key, f] of Object.entries(FIELDS)) {
    const value = r[key];
    if (value === undefined && f.optional) continue;
    if (v.safeParse(f.schema, value).success) {
      out[key] = value;
      continue;
    }
    const fixed = f.fallback(r);
    if (fixed !== undefined) out[key] = fixed;
    repairs.push(`${who}: its ${f.label} was ${describe(value)}; ${fixed === undefined ? 'dropped' : `set to ${describe(fixed)}`}.`);
  }
  out.metrics = checkMetrics(r.metrics, who, repairs);
  out.epochMetrics = checkEpochMetrics(r.epochMetrics, who, repairs);
  if (repairs.length > 0 && out.status === 'running') out.status = 'interrupted';
  return { run: out as unknown as RunRecord, repairs };
}

/** Per-step curves: four number columns of one length. A non-number point becomes NaN (a gap); unequal columns are cut to the shortest. */
function checkMetrics(m: unknown, who: string, repairs: string[]): RunRecord['metrics'] {
  const out = { step: [] as number[], epoch: [] as number[], trainLoss: [] as number[], trainAcc: [] as number[] };
  if (typeof m !== 'object' || m === null) {
    if (m !== undefined) repairs.push(`${who}: its training curves were ${describe(m)}; dropped.`);
    return out;
  }
  const cols = m as Record<string, unknown>;
  let bad = 0;
  for (const k of METRIC_KEYS) {
    const col = cols[k];
    if (!Array.isArray(col)) {
      if (col !== undefined) repairs.push(`${who}: its ${k} curve was ${describe(col)}; dropped.`);
      continue;
    }
    out[k] = col.map((x) => {
      if (typeof x === 'number') return x;
      bad++;
      return NaN;
    });
  }
  const n = Math.min(...METRIC_KEYS.map((k) => out[k].length));
  if (METRIC_KEYS.some((k) => out[k].length !== n)) {
    repairs.push(`${who}: its training curves had unequal lengths; cut to ${n} points.`);
    for (const k of METRIC_KEYS) out[k].length = n;
  }
  if (bad > 0) repairs.push(`${who}: ${bad} training-curve point${bad === 1 ? ' was' : 's were'} not a number; shown as gaps.`);
  return out;
}

function checkEpochMetrics(e: unknown, who: string, repairs: string[]): RunRecord['epochMetrics'] {
  if (!Array.isArray(e)) {
    if (e !== undefined) repairs.push(`${who}: its per-epoch results were ${describe(e)}; dropped.`);
    return [];
  }
  const ok = e.filter((x) => v.safeParse(EpochMetricsSchema, x).success) as RunRecord['epochMetrics'];
  if (ok.length < e.length) repairs.push(`${who}: ${e.length - ok.length} malformed per-epoch result${e.length - ok.length === 1 ? '' : 's'} dropped.`);
  return ok;
}

/**
 * What the run table shows for a stored record that cannot be kept: its id (so Delete works), its
 * lab when readable, status 'damaged' and why. Never throws.
 */
export function damagedRun(raw: unknown, why: string, key?: string): RunRecord {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const id = typeof r.id === 'string' && r.id ? r.id : (key ?? 'unknown');
  return {
    id, lab: typeof r.lab === 'string' ? r.lab : 'unknown', params: {}, seed: 0, dataHash: '', backend: 'unknown', appVersion: 'unknown',
    status: 'damaged', statusMessage: `This saved run cannot be read (${why}). You can delete it; your other runs are unaffected.`,
    createdAt: typeof r.createdAt === 'number' && Number.isFinite(r.createdAt) ? r.createdAt : 0, updatedAt: 0, durationMs: 0, epochsDone: 0, stepsDone: 0,
    metrics: { step: [], epoch: [], trainLoss: [], trainAcc: [] }, epochMetrics: [],
  };
}

/** A stored record as the store returns it: repaired where it can be, else 'damaged'. Never throws. */
export function readableRun(raw: unknown, key?: string): RunRecord {
  const c = checkRun(raw);
  if ('refused' in c) return damagedRun(raw, c.refused, key);
  if (c.repairs.length > 0) {
    const note = `Repaired when read: ${c.repairs.join(' ')}`;
    c.run.statusMessage = c.run.statusMessage ? `${c.run.statusMessage} ${note}` : note;
  }
  return c.run;
}

const TensorSchema = v.object({ name: text, shape: v.array(v.pipe(v.number(), v.integer(), v.minValue(0))) });

/** A checkpoint is kept only whole: its ids, step and tensors must all be sound (weights cannot be repaired). */
export function checkCheckpoint(cp: unknown): string | undefined {
  const c = cp as Partial<Checkpoint> | null;
  if (typeof c !== 'object' || c === null) return 'a checkpoint is not a record';
  if (typeof c.runId !== 'string' || !v.safeParse(count, c.step).success || !v.safeParse(count, c.epoch).success) return 'a checkpoint has no run, step or epoch';
  for (const t of [...(c.weights ?? []), ...(c.optimizer ?? [])]) {
    if (!v.safeParse(TensorSchema, t).success) return `a tensor of the checkpoint of epoch ${c.epoch} is malformed`;
  }
  return undefined;
}

const ProgressSchema = v.object({
  lab: text,
  visited: finite,
  exercises: v.record(v.string(), v.object({ passed: v.boolean(), at: finite, runId: v.optional(text), answer: v.optional(text) })),
});

/** Lab progress as stored, or a fresh one when what is stored is unreadable. */
export function readableProgress(raw: unknown, lab: string): LabProgress | undefined {
  if (raw === undefined) return undefined;
  return v.safeParse(ProgressSchema, raw).success ? (raw as LabProgress) : { lab, exercises: {}, visited: Date.now() };
}
