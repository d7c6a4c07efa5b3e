import * as Comlink from 'comlink';
import { InferError, type InferErrorKind } from './infer-errors';

/**
 * Comlink sends a thrown Error across as {message, name, stack}; this keeps InferError's `kind` too,
 * so the page can tell a bad file from a bad shape. Call once in a worker, before expose.
 */
export function exposeErrorKinds(): void {
  const base = Comlink.transferHandlers.get('throw')!;
  Comlink.transferHandlers.set('throw', {
    canHandle: base.canHandle,
    serialize: (thrown: unknown) => {
      const value = (thrown as { value: unknown }).value;
      if (!(value instanceof Error)) return base.serialize(thrown);
      return [{ isError: true, value: { name: value.name, message: value.message, stack: value.stack, kind: (value as InferError).kind } }, []];
    },
    deserialize: base.deserialize,
  });
}

/** An error from a worker as an InferError (kind 'runtime' when the worker did not say). */
export function asInferError(e: unknown): InferError {
  if (e instanceof InferError) return e;
  const x = e as { kind?: InferErrorKind; message?: string } | undefined;
  return new InferError(x?.kind ?? 'runtime', x?.message ?? String(e));
}
