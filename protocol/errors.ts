// The error names that cross the wire: DOMException names a page can switch on, as in Chrome's
// built-in AI APIs. The worker picks one per failure; the page API rethrows it as a DOMException.

export const ERROR_NAMES = [
  'NotAllowedError', // the origin may not do this (opaque origin, another origin's session)
  'AbortError', // cancelled by the caller's AbortSignal, or the session was destroyed meanwhile
  'QuotaExceededError', // over a bound: tensor bytes, sessions per origin
  'NotSupportedError', // unknown backend, unsupported operator
  'DataError', // malformed request, wrong dtype/shape/length, corrupt model
  'OperationError', // the engine failed while running
  'NotFoundError', // unknown model id
  'InvalidStateError', // unknown or destroyed session, extension gone
  'NetworkError', // a model download failed (unreachable, HTTP error)
] as const;

export type ErrorName = (typeof ERROR_NAMES)[number];

export function isErrorName(s: unknown): s is ErrorName {
  return typeof s === 'string' && (ERROR_NAMES as readonly string[]).includes(s);
}

/** A failure with the DOMException name it should surface as. */
export interface Problem {
  readonly name: ErrorName;
  readonly message: string;
}
