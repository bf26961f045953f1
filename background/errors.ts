// Worker-side failures as wire problems: KilnError carries a DOMException name chosen where the
// failure is understood; problemOf() maps engine errors (FeedError, ModelFormatError, …) to names.

import { LIMITS, type ErrorName, type Problem } from '../protocol';
import { FeedError } from '../runtime/session';
import { ModelFormatError } from '../runtime/onnx/import';
import { NotSupportedOpError, OpError } from '../runtime/ops/spec';
import { KilnError } from './kiln-error';

export { abortError, KilnError } from './kiln-error';

const ENGINE_ERRORS: readonly [new (...args: never[]) => Error, ErrorName][] = [
  [FeedError, 'DataError'],
  [ModelFormatError, 'DataError'],
  [NotSupportedOpError, 'NotSupportedError'], // before OpError: it is a subclass
  [OpError, 'OperationError'],
];

export function problemOf(e: unknown): Problem {
  if (e instanceof KilnError) return { name: e.domName, message: clip(e.message) };
  if (e instanceof DOMException && e.name === 'AbortError') return { name: 'AbortError', message: clip(e.message) };
  for (const [cls, name] of ENGINE_ERRORS) {
    if (e instanceof cls) return { name, message: clip(e.message) };
  }
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { name: 'OperationError', message: clip(`internal error in the Kiln worker: ${message}`) };
}

function clip(s: string): string {
  return s.length > LIMITS.maxMessageLength ? `${s.slice(0, LIMITS.maxMessageLength - 1)}…` : s;
}
