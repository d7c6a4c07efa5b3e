/**
 * What crosses a worker boundary: errors as plain Errors (name, message, stack), and the buffers of a
 * result to transfer rather than copy. Shared by every engine; it imports nothing, so an engine that
 * uses it does not bundle another engine's code (engines/sim.ts imports every runner).
 */
/** Any thrown value as an Error with just a name and a message (and a stack where there was one). */
export function plainError(e: unknown): Error {
  const src = e as { name?: unknown; message?: unknown; stack?: unknown } | null;
  const out = new Error(typeof src?.message === 'string' ? src.message : String(e));
  out.name = typeof src?.name === 'string' ? src.name : 'Error';
  if (typeof src?.stack === 'string') out.stack = src.stack;
  return out;
}

/** The ArrayBuffers behind the typed arrays in a result (a few levels deep), to transfer rather than copy. */
export function transferables(value: unknown, depth = 0, out: ArrayBuffer[] = []): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer && !out.includes(value.buffer)) out.push(value.buffer);
  } else if (value && typeof value === 'object' && depth < 4) {
    for (const v of Object.values(value)) transferables(v, depth + 1, out);
  }
  return out;
}
