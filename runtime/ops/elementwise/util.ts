// Helpers shared by the elementwise family: input checks, number views of tensor storage,
// output buffers that encode halves and 64-bit ints, broadcast plans and type inference.

import type { Dim, TensorType } from '../../ir/graph';
import {
  allocData, fromNumbers, isBigIntType, isFloatType, sizeOf, tensor, toNumbers,
  type DType, type Tensor,
} from '../../tensor';
import { broadcastIndex, broadcastShapes } from '../broadcast';
import { OpError } from '../spec';

/** Typed arrays whose elements read and write as plain JS numbers. */
export type NumArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
export type BigArray = BigInt64Array | BigUint64Array;
/** Any tensor storage, read and written element by element without caring about its type. */
export type AnyArray = { [i: number]: unknown; readonly length: number };

export const isIntType = (t: DType): boolean =>
  t === 'int8' || t === 'uint8' || t === 'int16' || t === 'uint16' || t === 'int32' || t === 'uint32' ||
  t === 'int64' || t === 'uint64';
export const isNumericType = (t: DType): boolean => isFloatType(t) || isIntType(t);
export const isSignedType = (t: DType): boolean =>
  isFloatType(t) || t === 'int8' || t === 'int16' || t === 'int32' || t === 'int64';

/** Which input types an op accepts, with the phrase its error message uses. */
export interface Accept {
  readonly ok: (t: DType) => boolean;
  readonly says: string;
}
export const FLOAT: Accept = { ok: isFloatType, says: 'a float tensor' };
export const SIGNED: Accept = { ok: isSignedType, says: 'a float or signed integer tensor' };
export const NUMERIC: Accept = { ok: isNumericType, says: 'a numeric tensor' };
export const INTEGER: Accept = { ok: isIntType, says: 'an integer tensor' };
export const BOOL: Accept = { ok: (t) => t === 'bool', says: 'a bool tensor' };

/** Requires a present input, naming the op and input. */
export function need(op: string, t: Tensor | undefined, what: string): Tensor {
  if (!t) throw new OpError(op, `input '${what}' is required`);
  return t;
}

/** Requires the input's dtype to be one `accept` takes. */
export function needType(op: string, t: Tensor, accept: Accept, what = 'X'): Tensor {
  if (!accept.ok(t.type)) throw new OpError(op, `input '${what}' must be ${accept.says}, got ${t.type}`);
  return t;
}

/** Requires every input to share the first one's dtype. */
export function needSameType(op: string, ts: readonly Tensor[]): DType {
  const t = ts[0].type;
  for (const x of ts) if (x.type !== t) throw new OpError(op, `inputs must share one type, got ${ts.map((y) => y.type).join(' and ')}`);
  return t;
}

/** Storage types whose elements already are JS numbers (no decoding needed). */
const isDirect = (t: DType): boolean => !isBigIntType(t) && t !== 'float16' && t !== 'bfloat16' && t !== 'string';

/** A tensor's elements as numbers: its own array where that already holds numbers, else a decoded copy. */
export function numView(t: Tensor): NumArray {
  if (t.type === 'string') throw new TypeError(`expected a numeric tensor, got a string tensor`);
  return isDirect(t.type) ? (t.data as NumArray) : toNumbers(t);
}

/**
 * A buffer to fill with `n` numbers for an output of `type`: the output's own storage where it
 * takes numbers (a store into it rounds float32 and wraps narrow ints like C), else float64 scratch.
 */
export function numBuffer(type: DType, n: number): NumArray {
  return isDirect(type) ? (allocData(type, n) as NumArray) : new Float64Array(n);
}

/** The tensor of `type` made from a buffer numBuffer() gave (halves and 64-bit ints encoded here). */
export function numTensor(type: DType, dims: readonly number[], buf: NumArray): Tensor {
  return isDirect(type) ? tensor(type, dims, buf) : fromNumbers(type, dims, buf);
}

// ---- broadcasting ----

/** Output dims and, per input, the flat source index of each output element (null: the same index). */
export interface Broadcast {
  readonly dims: number[];
  readonly n: number;
  readonly idx: (Int32Array | null)[];
}

export function broadcastPlan(op: string, ts: readonly Tensor[]): Broadcast {
  const dims = broadcastShapes(op, ts.map((t) => t.dims));
  const same = (d: readonly number[]) => d.length === dims.length && d.every((x, i) => x === dims[i]);
  return { dims, n: sizeOf(dims), idx: ts.map((t) => (same(t.dims) ? null : broadcastIndex(t.dims, dims))) };
}

/** out[i] = f(a[i'], b[i'']) over numbers with broadcasting, into an output of `outType`. */
export function zipNumbers(op: string, a: Tensor, b: Tensor, outType: DType, f: (x: number, y: number) => number): Tensor {
  const { dims, n, idx: [ia, ib] } = broadcastPlan(op, [a, b]);
  const A = numView(a), B = numView(b);
  const out = numBuffer(outType, n);
  if (!ia && !ib) for (let i = 0; i < n; i++) out[i] = f(A[i], B[i]);
  else if (!ia && B.length === 1) {
    const y = B[0]; // the common tensor-op-constant case, without an index table
    for (let i = 0; i < n; i++) out[i] = f(A[i], y);
  } else for (let i = 0; i < n; i++) out[i] = f(A[ia ? ia[i] : i], B[ib ? ib[i] : i]);
  return numTensor(outType, dims, out);
}

/** out[i] = f(a[i'], b[i'']) over exact 64-bit integers; the output store wraps like C. */
export function zipBigInts(op: string, a: Tensor, b: Tensor, outType: 'int64' | 'uint64', f: (x: bigint, y: bigint) => bigint): Tensor {
  const { dims, n, idx: [ia, ib] } = broadcastPlan(op, [a, b]);
  const A = a.data as BigArray, B = b.data as BigArray;
  const out = allocData(outType, n) as BigArray;
  for (let i = 0; i < n; i++) out[i] = f(A[ia ? ia[i] : i], B[ib ? ib[i] : i]);
  return tensor(outType, dims, out);
}

/** A bool tensor with out[i] = test(a[i'], b[i'']) over the raw elements (bigint, number or string). */
export function zipTest<T>(op: string, a: Tensor, b: Tensor, read: (t: Tensor) => ArrayLike<T>, test: (x: T, y: T) => boolean): Tensor {
  const { dims, n, idx: [ia, ib] } = broadcastPlan(op, [a, b]);
  const A = read(a), B = read(b);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = test(A[ia ? ia[i] : i], B[ib ? ib[i] : i]) ? 1 : 0;
  return tensor('bool', dims, out);
}

/** out[i] = f(x[i]) over numbers, into an output of `outType` (default: the input's type). */
export function mapNumbers(x: Tensor, f: (v: number) => number, outType: DType = x.type): Tensor {
  const src = numView(x);
  const n = src.length;
  const out = numBuffer(outType, n);
  for (let i = 0; i < n; i++) out[i] = f(src[i]);
  return numTensor(outType, x.dims, out);
}

/** out[i] = f(x[i]) over exact 64-bit integers, keeping the type. */
export function mapBigInts(x: Tensor, f: (v: bigint) => bigint): Tensor {
  const src = x.data as BigArray;
  const out = allocData(x.type, src.length) as BigArray;
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]);
  return tensor(x.type, x.dims, out);
}

// ---- ONNX element-type codes (Cast's `to`) ----

const ONNX_DTYPES: Record<number, DType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};
const ONNX_TYPE_NAMES: Record<number, string> = {
  14: 'complex64', 15: 'complex128', 17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2',
  20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4', 23: 'float4e2m1', 24: 'float8e8m0', 25: 'uint2', 26: 'int2',
};

/** The engine dtype for an ONNX element-type code, or undefined for one it lacks (float8, int4, …). */
export const dtypeOfCode = (code: number): DType | undefined => ONNX_DTYPES[code];
export const codeName = (code: number): string => ONNX_TYPE_NAMES[code] ?? `code ${code}`;

// ---- shape inference ----

export const tensorType = (dtype: DType, shape: readonly Dim[] | null): TensorType => ({ kind: 'tensor', dtype, shape });

/** One output dim from two broadcast dims: a known size beats a symbol, equal symbols stay. */
function combineDims(op: string, d: Dim, x: Dim): Dim {
  if (x === 1 || x === d) return d;
  if (d === 1) return x;
  if (typeof d === 'number' && typeof x === 'number') throw new OpError(op, `dims ${d} and ${x} do not broadcast`);
  if (typeof d === 'number') return d;
  if (typeof x === 'number') return x;
  return null;
}

/** The broadcast of possibly symbolic shapes; null when any rank is unknown. */
export function broadcastDims(op: string, shapes: readonly (readonly Dim[] | null)[]): Dim[] | null {
  if (shapes.some((s) => s === null)) return null;
  const ss = shapes as readonly (readonly Dim[])[];
  const rank = Math.max(0, ...ss.map((s) => s.length));
  const out = new Array<Dim>(rank).fill(1);
  for (const s of ss) for (let i = 0; i < s.length; i++) {
    const o = rank - s.length + i;
    out[o] = combineDims(op, out[o], s[i]);
  }
  return out;
}

/** Inference for a broadcasting op: the output dtype (default: the first input's) over the broadcast shape. */
export function inferBroadcast(op: string, inputs: readonly (TensorType | null)[], dtype?: DType): (TensorType | null)[] {
  const dt = dtype ?? inputs.find((t) => t)?.dtype;
  if (!dt) return [null];
  return [tensorType(dt, broadcastDims(op, inputs.map((t) => t?.shape ?? null)))];
}

/** Inference for an op whose output has its first input's shape and `dtype` (default: its type). */
export function inferSameShape(inputs: readonly (TensorType | null)[], dtype?: DType): (TensorType | null)[] {
  const t = inputs[0] ?? null;
  if (!t) return [dtype ? tensorType(dtype, null) : null];
  return [dtype ? tensorType(dtype, t.shape) : t];
}
