/** StoreError: the one error type the store throws, with a code the UI can act on. */

export type StoreErrorCode = 'quota' | 'corrupt' | 'version' | 'not-found' | 'blocked' | 'lost' | 'unknown';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

// Browsers report a full disk as QuotaExceededError (Firefox before 2020: NS_ERROR_DOM_QUOTA_REACHED),
// either thrown by put() or, more often, as the transaction's error after it aborts; idb then
// rejects tx.done with that error, or with an AbortError whose cause/target carries it.
const QUOTA_NAMES = new Set(['QuotaExceededError', 'NS_ERROR_DOM_QUOTA_REACHED']);

export function isQuotaError(e: unknown, depth = 0): boolean {
  if (depth > 4 || typeof e !== 'object' || e === null) return false;
  const err = e as { name?: unknown; code?: unknown; cause?: unknown; error?: unknown; target?: unknown };
  if (typeof err.name === 'string' && QUOTA_NAMES.has(err.name)) return true;
  if (typeof DOMException !== 'undefined' && e instanceof DOMException && e.code === DOMException.QUOTA_EXCEEDED_ERR) return true;
  return isQuotaError(err.cause, depth + 1) || isQuotaError(err.error, depth + 1) || isQuotaError(err.target, depth + 1);
}

/**
 * Turn whatever IndexedDB threw into a StoreError. `what` names the data for the user
 * ("the checkpoint for epoch 3"); every write is one transaction, so a failed one changed nothing.
 */
export function toStoreError(e: unknown, what: string, op: 'save' | 'read' = 'save'): StoreError {
  const failed = op === 'save' ? 'was not saved' : 'could not be read';
  if (e instanceof StoreError) return e;
  if (isQuotaError(e)) {
    return new StoreError(
      'quota',
      `Browser storage is full: ${what} was not saved. Earlier runs and checkpoints are intact. ` +
        'Free space by deleting old runs.',
      { cause: e },
    );
  }
  const name = (e as { name?: unknown } | null)?.name;
  if (name === 'VersionError') {
    return new StoreError(
      'version',
      'Saved data was written by a newer version of Prodlab. Reload the page to get the newest version.',
      { cause: e },
    );
  }
  if (name === 'InvalidStateError') {
    // The store itself knows why its database closed (a newer tab, or the browser taking it away)
    // and says so before a transaction is tried; here the cause is unknown, so say what happened.
    return new StoreError('lost', `Storage was closed under this page: ${what} ${failed}. Reload the page.`, { cause: e });
  }
  const detail = e instanceof Error ? e.message : String(e);
  return new StoreError('unknown', `Storage error: ${what} ${failed} (${detail}).`, { cause: e });
}
