/**
 * The runs export file ("prodlab-runs", format version 1): runs with their checkpoints, so a
 * learner can move work between browsers or share it.
 *
 *   bytes 0..7     magic "PRODLAB\0"
 *   bytes 8..11    H, uint32 little-endian: byte length of the header
 *   bytes 12..12+H header, UTF-8 JSON (RunsFileHeader): format, version, schemaVersion, the
 *                  run records in full (metrics included), and each checkpoint with its tensors
 *                  replaced by {name, shape, offset, length} pointing into the payload;
 *                  NaN, ±Infinity and −0 are written as {"$f": "NaN"} etc., since JSON has no such numbers
 *                  and, from schema v3, `registry`: the model-registry events that travel with the runs
 *   rest           payload: every tensor's float32 values, little-endian, back to back;
 *                  header.payload.bytes and header.payload.crc32 guard against truncation and bit rot
 *
 * The magic and the header's `format` and `version` keep their place in every future version,
 * so an older Prodlab can tell "newer file" (StoreError 'version') from "not ours" ('corrupt').
 * Float32 values are copied as raw bytes, so weights round-trip bit-exact (NaN payloads too).
 * Every engine Prodlab targets is little-endian, which is what the raw copy assumes.
 */
import { StoreError } from './errors.ts';
import type { Checkpoint, NamedTensor, RegistryEventRecord, RunRecord } from './types.ts';

export const FILE_FORMAT = 'prodlab-runs';
export const FILE_VERSION = 1;
const MAGIC = new Uint8Array([0x50, 0x52, 0x4f, 0x44, 0x4c, 0x41, 0x42, 0x00]); // "PRODLAB\0"
const PREFIX = MAGIC.length + 4;

interface TensorRef {
  name: string;
  shape: number[];
  /** Byte offset into the payload. */
  offset: number;
  /** Number of float32 values. */
  length: number;
}

type CheckpointRef = Omit<Checkpoint, 'weights' | 'optimizer'> & { weights: TensorRef[]; optimizer: TensorRef[] };

export interface RunsFileHeader {
  format: typeof FILE_FORMAT;
  version: number;
  /** DB_VERSION of the store that wrote the file. */
  schemaVersion: number;
  appVersion?: string;
  exportedAt: number;
  runs: RunRecord[];
  checkpoints: CheckpointRef[];
  /** Model-registry events (schema v3), oldest first; absent when none travel. */
  registry?: RegistryEventRecord[];
  payload: { bytes: number; crc32: number };
}

export interface RunsFile {
  schemaVersion: number;
  runs: RunRecord[];
  checkpoints: Checkpoint[];
  registry?: RegistryEventRecord[];
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as in zip and PNG. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function encodeRunsFile(file: RunsFile, appVersion?: string): Uint8Array {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const ref = (t: NamedTensor): TensorRef => {
    const r = { name: t.name, shape: [...t.shape], offset, length: t.data.length };
    chunks.push(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    offset += t.data.byteLength;
    return r;
  };
  const checkpoints = file.checkpoints.map((cp) => ({ ...cp, weights: cp.weights.map(ref), optimizer: cp.optimizer.map(ref) }));
  const payload = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    payload.set(c, at);
    at += c.length;
  }
  const header: RunsFileHeader = {
    format: FILE_FORMAT,
    version: FILE_VERSION,
    schemaVersion: file.schemaVersion,
    ...(appVersion === undefined ? {} : { appVersion }),
    exportedAt: Date.now(),
    runs: file.runs,
    checkpoints,
    ...(file.registry?.length ? { registry: file.registry } : {}),
    payload: { bytes: payload.length, crc32: crc32(payload) },
  };
  const json = new TextEncoder().encode(JSON.stringify(header, keepNonFinite));
  const out = new Uint8Array(PREFIX + json.length + payload.length);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(MAGIC.length, json.length, true);
  out.set(json, PREFIX);
  out.set(payload, PREFIX + json.length);
  return out;
}

const corrupt = (why: string) => new StoreError('corrupt', `This file cannot be imported: ${why}.`);

/**
 * Parse and check a runs file. Throws StoreError 'corrupt' for foreign, truncated or damaged
 * files and 'version' for files from a newer Prodlab (format or schema newer than `maxSchema`).
 */
export function decodeRunsFile(bytes: Uint8Array, maxSchema: number): RunsFile {
  if (bytes.length < PREFIX || MAGIC.some((b, i) => bytes[i] !== b)) throw corrupt('it is not a Prodlab runs file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getUint32(MAGIC.length, true);
  if (PREFIX + headerLen > bytes.length) throw corrupt('it is truncated (header cut short)');
  let header: RunsFileHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX, PREFIX + headerLen)), restoreNonFinite);
  } catch {
    throw corrupt('its header is damaged');
  }
  if (!isObject(header) || header.format !== FILE_FORMAT) throw corrupt(`it is not a ${FILE_FORMAT} file`);
  if (typeof header.version !== 'number' || typeof header.schemaVersion !== 'number') throw corrupt('its header has no version');
  if (header.version > FILE_VERSION || header.schemaVersion > maxSchema) {
    throw new StoreError(
      'version',
      `This file was exported by a newer Prodlab (file format v${header.version}, schema v${header.schemaVersion}; ` +
        `this page reads up to v${FILE_VERSION}, schema v${maxSchema}). Reload the page to update, then import again.`,
    );
  }
  const payload = bytes.subarray(PREFIX + headerLen);
  if (!isObject(header.payload) || payload.length !== header.payload.bytes) throw corrupt('it is truncated (checkpoint data cut short)');
  if (crc32(payload) !== header.payload.crc32) throw corrupt('its checkpoint data is damaged (checksum mismatch)');
  if (!Array.isArray(header.runs) || !header.runs.every(isRunRecord)) throw corrupt('a run record is malformed');
  if (!Array.isArray(header.checkpoints)) throw corrupt('the checkpoint list is malformed');
  const runIds = new Set(header.runs.map((r) => r.id));
  const tensor = (t: TensorRef): NamedTensor => {
    const ok =
      isObject(t) && typeof t.name === 'string' && Array.isArray(t.shape) && Number.isInteger(t.offset) && Number.isInteger(t.length) &&
      t.offset >= 0 && t.length >= 0 && t.offset + 4 * t.length <= payload.length && t.shape.reduce((a, b) => a * b, 1) === t.length;
    if (!ok) throw corrupt('a checkpoint tensor is malformed');
    // slice copies, so the Float32Array is aligned and owns its buffer whatever the input's offset.
    const data = new Float32Array(payload.slice(t.offset, t.offset + 4 * t.length).buffer);
    return { name: t.name, shape: [...t.shape], data };
  };
  const checkpoints = header.checkpoints.map((cp): Checkpoint => {
    if (!isObject(cp) || !runIds.has(cp.runId) || typeof cp.step !== 'number' || typeof cp.epoch !== 'number') {
      throw corrupt('a checkpoint belongs to no run in the file');
    }
    if (!Array.isArray(cp.weights) || !Array.isArray(cp.optimizer)) throw corrupt('a checkpoint tensor list is malformed');
    return { ...cp, weights: cp.weights.map(tensor), optimizer: cp.optimizer.map(tensor) };
  });
  if (header.registry !== undefined && !(Array.isArray(header.registry) && header.registry.every(isRegistryEvent))) throw corrupt('a model-registry entry is malformed');
  return { schemaVersion: header.schemaVersion, runs: header.runs, checkpoints, ...(header.registry?.length ? { registry: header.registry } : {}) };
}

function isRegistryEvent(e: unknown): e is RegistryEventRecord {
  return isObject(e) && typeof e.kind === 'string' && typeof e.model === 'string' && typeof e.at === 'number' && typeof e.actor === 'string' && (e.runId === undefined || typeof e.runId === 'string');
}

// JSON has no NaN or ±Infinity (a diverged run's loss is NaN) and writes −0 as 0, so these
// travel as {"$f": "NaN"}, {"$f": "-0"}, ...
function keepNonFinite(_key: string, v: unknown): unknown {
  if (typeof v !== 'number') return v;
  if (Object.is(v, -0)) return { $f: '-0' };
  return Number.isFinite(v) ? v : { $f: String(v) };
}

function restoreNonFinite(_key: string, v: unknown): unknown {
  if (isObject(v) && typeof v.$f === 'string' && Object.keys(v).length === 1) {
    if (v.$f === 'NaN') return NaN;
    if (v.$f === 'Infinity') return Infinity;
    if (v.$f === '-Infinity') return -Infinity;
    if (v.$f === '-0') return -0;
  }
  return v;
}

function isObject(x: unknown): x is Record<string, any> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const isNumArray = (x: unknown): x is number[] => Array.isArray(x) && x.every((v) => typeof v === 'number');

function isRunRecord(r: unknown): r is RunRecord {
  if (!isObject(r)) return false;
  const m = r.metrics;
  return (
    typeof r.id === 'string' && r.id.length > 0 && typeof r.lab === 'string' && isObject(r.params) &&
    typeof r.seed === 'number' && typeof r.createdAt === 'number' && typeof r.status === 'string' &&
    isObject(m) && isNumArray(m.step) && isNumArray(m.epoch) && isNumArray(m.trainLoss) && isNumArray(m.trainAcc) &&
    m.epoch.length === m.step.length && m.trainLoss.length === m.step.length && m.trainAcc.length === m.step.length &&
    Array.isArray(r.epochMetrics)
  );
}
