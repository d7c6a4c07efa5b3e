/**
 * Parquet bytes → apache-arrow Table, the same call in Node and in a browser worker.
 *
 * parquet-wasm's package exports pick the build: under the 'node' condition (Node, vitest) it
 * resolves the CommonJS build, which instantiates its wasm synchronously on load; everywhere
 * else (Vite page or worker bundles) the ESM build, whose default export must be awaited once
 * with the .wasm URL. Vite's `?url` import emits that .wasm as an asset and gives its URL;
 * under Node it is only a string that is never fetched.
 */
import * as parquetWasm from 'parquet-wasm';
import wasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import { tableFromIPC, type Table } from 'apache-arrow';
import { DatasetError } from './errors.ts';

const MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1", at both ends of every Parquet file

let ready: Promise<void> | undefined;

/** Instantiate parquet-wasm once; later calls share the same promise. */
export function initParquet(): Promise<void> {
  ready ??= (async () => {
    // The ESM build exports its init as default; the node build has none (its `default` is the
    // CommonJS exports object) because it is ready as soon as it is imported.
    const init: unknown = (parquetWasm as { default?: unknown }).default;
    if (typeof init === 'function') await parquetWasm.default({ module_or_path: wasmUrl });
  })();
  ready.catch(() => (ready = undefined)); // a failed fetch may be retried
  return ready;
}

function hasMagic(bytes: Uint8Array, at: number): boolean {
  return MAGIC.every((b, i) => bytes[at + i] === b);
}

/** Read a whole Parquet file into an Arrow table. Throws DatasetError for bytes that are not a readable Parquet file. */
export async function readParquet(bytes: Uint8Array): Promise<Table> {
  if (bytes.byteLength < 12 || !hasMagic(bytes, 0)) {
    throw new DatasetError(`not a Parquet file: ${bytes.byteLength} bytes without the leading "PAR1" magic`);
  }
  if (!hasMagic(bytes, bytes.byteLength - 4)) {
    throw new DatasetError(`corrupt Parquet file: no trailing "PAR1" magic (truncated? ${bytes.byteLength} bytes)`);
  }
  await initParquet();
  let ipc: Uint8Array;
  try {
    ipc = parquetWasm.readParquet(bytes).intoIPCStream();
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new DatasetError(`corrupt Parquet file: ${why}`, { cause: e });
  }
  return tableFromIPC(ipc);
}
