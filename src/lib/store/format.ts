/**
 * The runs export file ("prodlab-runs", format version 2): runs with their checkpoints, so a
 * learner can move work between browsers or share it.
 *
 *   bytes 0..7     magic "PRODLAB\0"
 *   bytes 8..11    H, uint32 little-endian: byte length of the header
 *   bytes 12..12+H header, UTF-8 JSON (RunsFileHeader): format, version, schemaVersion, the
 *                  run records in full (metrics included), and each checkpoint with its tensors
 *                  replaced by {name, shape, offset, length} pointing into the payload;
 *                  (from schema v3) `registry`, the model-registry events that travel with the runs;
 *                  NaN, ±Infinity and −0 are written as {"$f": "NaN"} etc., since JSON has no such numbers
 *   rest           payload: every tensor's float32 values, little-endian, back to back;
 *                  header.payload.bytes and header.payload.crc32 guard against truncation and bit rot
 *   last 4 bytes   (version 2) CRC-32 of every byte before it, little-endian: a change anywhere in
 *                  the file (header, runs' metrics and settings included) is refused, not imported.
 *                  CRC-32 detects every 1-, 2- and 3-bit error and every burst up to 32 bits.
 *                  Version 1 files (no trailer) still import, their records checked field by field.
 *
 * The magic and the header's `format` and `version` keep their place in every future version,
 * so an older Prodlab can tell "newer file" (StoreError 'version') from "not ours" ('corrupt').
 * Float32 values are copied as raw bytes, so weights round-trip bit-exact (NaN payloads too).
 * Every engine Prodlab targets is little-endian, which is what the raw copy assumes.
 */
import { StoreError } from './errors.ts';
import type { Checkpoint, NamedTensor, RegistryEventRecord, RunRecord } from './types.ts';
import { checkCheckpoint, checkRun } from './validate.ts';

export const FILE_FORMAT = 'prodlab-runs';
export const FILE_VERSION = 2;
const TRAILER = 4;
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

/** A decoded file with what checking its records found: repairs made and records refused, one line each. */
export interface CheckedRunsFile extends RunsFile {
  repairs: string[];
  refused: string[];
  /** The file format version it was written in (1 has no whole-file checksum). */
  version: number;
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
  const out = new Uint8Array(PREFIX + json.length + payload.length + TRAILER);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(MAGIC.length, json.length, true);
  out.set(json, PREFIX);
  out.set(payload, PREFIX + json.length);
  view.setUint32(out.length - TRAILER, crc32(out.subarray(0, out.length - TRAILER)), true);
  return out;
}

const corrupt = (why: string) => new StoreError('corrupt', `This file cannot be imported: ${why}.`);

/**
 * Parse and check a runs file. Throws StoreError 'corrupt' for foreign, truncated or damaged
 * files (any changed byte, in version 2) and 'version' for files from a newer Prodlab (format or
 * schema newer than `maxSchema`). Run records are checked field by field (validate.ts checkRun):
 * fixable fields are repaired and listed in `repairs`, unusable records listed in `refused`.
 */
export function decodeRunsFile(bytes: Uint8Array, maxSchema: number): CheckedRunsFile {
  if (bytes.length < PREFIX || MAGIC.some((b, i) => bytes[i] !== b)) throw corrupt('it is not a Prodlab runs file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getUint32(MAGIC.length, true);
  if (PREFIX + headerLen > bytes.length) throw corrupt('it is truncated (header cut short)');
  const version = peekVersion(bytes.subarray(PREFIX, PREFIX + headerLen));
  // Version 2 and later end with a whole-file CRC-32: check it before trusting a byte of the header.
  if (version === undefined || (version >= 2 && version <= FILE_VERSION)) {
    if (bytes.length < PREFIX + headerLen + TRAILER) throw corrupt('it is truncated (checksum cut off)');
    const stored = view.getUint32(bytes.length - TRAILER, true);
    if (crc32(bytes.subarray(0, bytes.length - TRAILER)) !== stored) throw corrupt('it was changed or damaged after it was exported (checksum mismatch)');
  }
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
  const payload = bytes.subarray(PREFIX + headerLen, bytes.length - (header.version >= 2 ? TRAILER : 0));
  if (!isObject(header.payload) || payload.length !== header.payload.bytes) throw corrupt('it is truncated (checkpoint data cut short)');
  if (crc32(payload) !== header.payload.crc32) throw corrupt('its checkpoint data is damaged (checksum mismatch)');
  if (!Array.isArray(header.runs)) throw corrupt('its run list is malformed');
  if (!Array.isArray(header.checkpoints)) throw corrupt('the checkpoint list is malformed');
  const repairs: string[] = [];
  const refused: string[] = [];
  const runs: RunRecord[] = [];
  for (const raw of header.runs) {
    const c = checkRun(raw);
    if ('refused' in c) refused.push(`${c.refused[0].toUpperCase()}${c.refused.slice(1)}: not imported.`);
    else {
      runs.push(c.run);
      repairs.push(...c.repairs);
    }
  }
  const runIds = new Set(runs.map((r) => r.id));
  const tensor = (t: TensorRef): NamedTensor => {
    const ok =
      isObject(t) && typeof t.name === 'string' && Array.isArray(t.shape) && Number.isInteger(t.offset) && Number.isInteger(t.length) &&
      t.offset >= 0 && t.length >= 0 && t.offset + 4 * t.length <= payload.length && t.shape.reduce((a, b) => a * b, 1) === t.length;
    if (!ok) throw corrupt('a checkpoint tensor is malformed');
    // slice copies, so the Float32Array is aligned and owns its buffer whatever the input's offset.
    const data = new Float32Array(payload.slice(t.offset, t.offset + 4 * t.length).buffer);
    return { name: t.name, shape: [...t.shape], data };
  };
  const refusedIds = new Set((header.runs as unknown[]).map((r) => (isObject(r) ? r.id : undefined)).filter((id) => !runIds.has(id)));
  const checkpoints: Checkpoint[] = [];
  for (const cp of header.checkpoints as unknown[]) {
    if (isObject(cp) && refusedIds.has(cp.runId)) continue;
    if (!isObject(cp) || !runIds.has(cp.runId) || typeof cp.step !== 'number' || typeof cp.epoch !== 'number') {
      throw corrupt('a checkpoint belongs to no run in the file');
    }
    if (!Array.isArray(cp.weights) || !Array.isArray(cp.optimizer)) throw corrupt('a checkpoint tensor list is malformed');
    const problem = checkCheckpoint(cp);
    if (problem) throw corrupt(problem);
    checkpoints.push({ ...(cp as unknown as Checkpoint), weights: cp.weights.map(tensor), optimizer: cp.optimizer.map(tensor) });
  }
  if (header.registry !== undefined && !(Array.isArray(header.registry) && header.registry.every(isRegistryEvent))) throw corrupt('a model-registry entry is malformed');
  return { schemaVersion: header.schemaVersion, runs, checkpoints, repairs, refused, version: header.version, ...(header.registry?.length ? { registry: header.registry } : {}) };
}

function isRegistryEvent(e: unknown): e is RegistryEventRecord {
  return isObject(e) && typeof e.kind === 'string' && typeof e.model === 'string' && typeof e.at === 'number' && typeof e.actor === 'string' && (e.runId === undefined || typeof e.runId === 'string');
}

/** The header's "version" without trusting the rest of it (the checksum comes first). */
function peekVersion(json: Uint8Array): number | undefined {
  const m = /"version"\s*:\s*(\d+)/.exec(new TextDecoder().decode(json.subarray(0, 200)));
  return m ? Number(m[1]) : undefined;
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
