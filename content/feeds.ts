// Turns a page's feeds into wire tensors: checks them with the protocol's rules for an early
// DOMException, and copies only views that would drag a larger buffer along (those copies are ours,
// so they are transferred; the caller's own arrays are cloned, never detached).

import { LIMITS, tensorProblem, typedArrayClass, type TypedArray, type WireTensor } from '../protocol';

export interface PreparedFeeds {
  readonly feeds: Record<string, WireTensor>;
  readonly transfer: ArrayBuffer[];
}

export function prepareFeeds(feeds: unknown): PreparedFeeds {
  if (typeof feeds !== 'object' || feeds === null || Array.isArray(feeds)) {
    throw new DOMException('run(feeds) expects an object mapping input names to tensors {type, data, dims}', 'DataError');
  }
  const names = Object.keys(feeds);
  if (names.length > LIMITS.maxFeeds) throw new DOMException(`${names.length} feeds, over the limit of ${LIMITS.maxFeeds}`, 'DataError');
  const out: Record<string, WireTensor> = {};
  const transfer: ArrayBuffer[] = [];
  let total = 0;
  for (const name of names) {
    const given = (feeds as Record<string, unknown>)[name];
    const tensor = compact(given);
    const problem = tensorProblem(name, tensor.value);
    if (problem) throw new DOMException(problem.message, problem.name);
    const t = tensor.value as WireTensor;
    total += t.data.byteLength;
    out[name] = { type: t.type, dims: Array.from(t.dims), data: t.data };
    if (tensor.copied) transfer.push(t.data.buffer as ArrayBuffer);
  }
  if (total > LIMITS.maxFeedsBytes) throw new DOMException(`feeds total ${total} bytes, over the limit of ${LIMITS.maxFeedsBytes} bytes per run`, 'QuotaExceededError');
  return { feeds: out, transfer };
}

/** A tensor whose data is a compact, unshared typed array (a copy only where one is needed). */
function compact(given: unknown): { value: unknown; copied: boolean } {
  if (typeof given !== 'object' || given === null) return { value: given, copied: false };
  const data = (given as { data?: unknown }).data;
  if (typedArrayClass(data) === undefined) return { value: given, copied: false };
  const view = data as TypedArray;
  const whole = view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && view.buffer instanceof ArrayBuffer;
  if (whole || view.byteLength > LIMITS.maxTensorBytes) return { value: given, copied: false };
  const g = given as { type?: unknown; dims?: unknown };
  return { value: { type: g.type, dims: g.dims, data: view.slice() }, copied: true };
}
