// Number views of tensor storage and output buffers that encode halves and 64-bit ints, so one
// scalar kernel over JS numbers serves every numeric dtype; plus the unary maps built on them.

import { allocData, fromNumbers, storesNumbers, tensor, toNumbers, type DType, type Tensor } from '../../tensor';

/** Typed arrays whose elements read and write as plain JS numbers. */
export type NumArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
export type BigArray = BigInt64Array | BigUint64Array;
/** Any tensor storage, read and written element by element without caring about its type. */
export type AnyArray = { [i: number]: unknown; readonly length: number };

/** Storage types whose elements already are JS numbers (no decoding or wrapping needed). */
const isDirect = storesNumbers;

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
