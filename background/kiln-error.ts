// The worker's failures with the DOMException name they reach the caller as. Kept apart from
// errors.ts (which maps engine errors and so imports runtime/) so that the store and the
// extension pages that use it stay small.

import type { ErrorName } from '../protocol';

export class KilnError extends Error {
  constructor(
    readonly domName: ErrorName,
    message: string,
  ) {
    super(message);
    this.name = 'KilnError';
  }
}

export function abortError(what = 'the request was cancelled'): DOMException {
  return new DOMException(what, 'AbortError');
}
