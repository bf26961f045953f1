// Tensors on the wire: `{type, dims, data}` with the typed array that the dtype calls for, and the
// one function that says whether a value is such a tensor within the bounds (used by the worker's
// validator and, for early errors, by the page API).

import type { Problem } from './errors';
import { LIMITS } from './limits';

export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

type TypedArrayCtor =
  | Float32ArrayConstructor | Float64ArrayConstructor | Int8ArrayConstructor | Uint8ArrayConstructor
  | Int16ArrayConstructor | Uint16ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor
  | BigInt64ArrayConstructor | BigUint64ArrayConstructor;

/** Each wire dtype and the typed array that carries it (float16/bfloat16: raw bits; bool: 0/1 bytes). */
export const DTYPE_ARRAYS = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  bfloat16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
} as const satisfies Record<string, TypedArrayCtor>;

export type WireDType = keyof typeof DTYPE_ARRAYS;
export const WIRE_DTYPES = Object.keys(DTYPE_ARRAYS) as WireDType[];

export interface WireTensor {
  readonly type: WireDType;
  readonly dims: readonly number[];
  readonly data: TypedArray;
}

export function isWireDType(s: unknown): s is WireDType {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_ARRAYS, s);
}

// %TypedArray%.prototype[@@toStringTag] names the true class of a typed array (undefined for
// anything else) and cannot be faked by the object itself; it also works across realms (frames).
const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int8Array.prototype) as object, Symbol.toStringTag)!.get!;

/** The class name of a genuine typed array ('Float32Array', …), or undefined. */
export function typedArrayClass(v: unknown): string | undefined {
  return typedArrayTag.call(v) as string | undefined;
}

export function isTypedArray(v: unknown): v is TypedArray {
  return typedArrayClass(v) !== undefined;
}

function arrayName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a plain Array';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return `a ${typeof v}`;
}

/**
 * Why `t` is not an acceptable wire tensor for input `name`, or null when it is. Checks dtype,
 * dims (integers, rank and size bounds), the typed array class for the dtype, its length against
 * the product of dims, and the byte bounds.
 */
export function tensorProblem(name: string, t: unknown): Problem | null {
  const where = `input '${name}'`;
  if (typeof t !== 'object' || t === null) return { name: 'DataError', message: `${where} must be a tensor {type, data, dims}, got ${arrayName(t)}` };
  const { type, dims, data } = t as { type?: unknown; dims?: unknown; data?: unknown };
  if (!isWireDType(type)) {
    return { name: 'DataError', message: `${where}: type must be one of ${WIRE_DTYPES.join(', ')}; got ${JSON.stringify(type) ?? String(type)}` };
  }
  if (!Array.isArray(dims)) return { name: 'DataError', message: `${where}: dims must be an array of integers, got ${arrayName(dims)}` };
  if (dims.length > LIMITS.maxRank) return { name: 'DataError', message: `${where}: rank ${dims.length} is over the limit of ${LIMITS.maxRank}` };
  let elements = 1;
  for (const d of dims as unknown[]) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > LIMITS.maxDim) {
      return { name: 'DataError', message: `${where}: each dim must be an integer in [0, ${LIMITS.maxDim}], got ${String(d)}` };
    }
    elements *= d;
  }
  const ctor = DTYPE_ARRAYS[type];
  const bytes = elements * ctor.BYTES_PER_ELEMENT;
  if (bytes > LIMITS.maxTensorBytes) {
    return { name: 'QuotaExceededError', message: `${where}: ${type}[${dims.join(',')}] is ${bytes} bytes, over the limit of ${LIMITS.maxTensorBytes} bytes per tensor` };
  }
  if (typedArrayClass(data) !== ctor.name) {
    return { name: 'DataError', message: `${where}: a ${type} tensor must carry its data in a ${ctor.name}, got ${arrayName(data)}` };
  }
  const view = data as TypedArray;
  if (view.buffer.byteLength > LIMITS.maxTensorBytes) {
    return { name: 'QuotaExceededError', message: `${where}: its data lies in a ${view.buffer.byteLength}-byte buffer, over the limit of ${LIMITS.maxTensorBytes} bytes per tensor` };
  }
  if (view.length !== elements) {
    return { name: 'DataError', message: `${where}: dims [${dims.join(',')}] need ${elements} elements, data has ${view.length}` };
  }
  return null;
}

/** The bytes a tensor's data occupies. */
export function tensorBytes(t: WireTensor): number {
  return t.data.byteLength;
}
