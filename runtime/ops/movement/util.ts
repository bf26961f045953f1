// Shared helpers for the movement ops: dtype-agnostic element copying (strings, bools and int64
// are copied as they are, never through float), index maps over strides, and small shape utilities.

import type { Dim, TensorType } from '../../ir/graph';
import { allocData, type DType, stridesOf, type Tensor, type TensorData, toNumbers } from '../../tensor';
import { codeName, dtypeOfCode } from '../../dtype-codes';
import { OpError } from '../spec';

/** Any tensor data seen as an indexable list of elements (typed array or string[]). */
export type Elems = { [i: number]: unknown; readonly length: number };

const elems = (d: TensorData): Elems => d as unknown as Elems;

/** A copy of tensor data (typed arrays and string arrays alike). */
export function copyData(d: TensorData): TensorData {
  return Array.isArray(d) ? d.slice() : d.slice();
}

/** The same elements under new dims (copied, so outputs never alias inputs). */
export function withDims(t: Tensor, dims: readonly number[]): Tensor {
  return { type: t.type, dims: [...dims], data: copyData(t.data) };
}

/** A tensor of `t`'s type whose element i is `t.data[idx[i]]`. */
export function take(t: Tensor, dims: readonly number[], idx: ArrayLike<number>): Tensor {
  const out = allocData(t.type, idx.length);
  const o = elems(out), s = elems(t.data);
  for (let i = 0; i < idx.length; i++) o[i] = s[idx[i]];
  return { type: t.type, dims: [...dims], data: out };
}

/** Like take, but an index of -1 yields `fill` (a raw element of `t`'s type). */
export function takeOr(t: Tensor, dims: readonly number[], idx: ArrayLike<number>, fill: unknown): Tensor {
  const out = allocData(t.type, idx.length);
  const o = elems(out), s = elems(t.data);
  for (let i = 0; i < idx.length; i++) o[i] = idx[i] < 0 ? fill : s[idx[i]];
  return { type: t.type, dims: [...dims], data: out };
}

/** Copies `n` elements from src[srcOff..] into dst[dstOff..]. */
export function copyRange(dst: TensorData, dstOff: number, src: TensorData, srcOff: number, n: number): void {
  if (n <= 0) return;
  if (!Array.isArray(dst) && !Array.isArray(src)) {
    // same element type on both sides, so a typed-array set is a plain copy
    (dst as Float64Array).set((src as Float64Array).subarray(srcOff, srcOff + n), dstOff);
    return;
  }
  const o = elems(dst), s = elems(src);
  for (let i = 0; i < n; i++) o[dstOff + i] = s[srcOff + i];
}

/**
 * The slabs of `t` at `positions` along axis `a`, in that order (a position may repeat), as a
 * tensor of `outDims`: Gather's and Compress's copy.
 */
export function takeAlong(t: Tensor, a: number, positions: readonly number[], outDims: readonly number[]): Tensor {
  const dim = t.dims[a];
  const outer = product(t.dims, 0, a), inner = product(t.dims, a + 1);
  const out = allocData(t.type, outer * positions.length * inner);
  let k = 0;
  for (let o = 0; o < outer; o++) {
    for (const j of positions) {
      copyRange(out, k, t.data, (o * dim + j) * inner, inner);
      k += inner;
    }
  }
  return { type: t.type, dims: [...outDims], data: out };
}

/** Data of `n` elements of `type`, each set to `value` (one element of a tensor of that type). */
export function filled(type: DType, n: number, value: unknown): TensorData {
  const out = allocData(type, n);
  const o = elems(out);
  for (let i = 0; i < n; i++) o[i] = value;
  return out;
}

/** Element i of a tensor, in its own representation (number, bigint or string). */
export function elemAt(t: Tensor, i: number): unknown {
  return elems(t.data)[i];
}

/** Writes one raw element (as returned by elemAt on a tensor of the same type). */
export function setElem(d: TensorData, i: number, v: unknown): void {
  elems(d)[i] = v;
}

/**
 * For each element of an output of shape `outDims`, the flat source index
 * `offset + Σ coord[a] * strides[a]` (strides may be 0 or negative).
 */
export function stridedIndex(outDims: readonly number[], strides: readonly number[], offset = 0): Int32Array {
  const rank = outDims.length;
  let n = 1;
  for (const d of outDims) n *= d;
  const idx = new Int32Array(n);
  if (n === 0) return idx;
  const counter = new Array<number>(rank).fill(0);
  let cur = offset;
  for (let k = 0; k < n; k++) {
    idx[k] = cur;
    for (let a = rank - 1; a >= 0; a--) {
      counter[a]++;
      cur += strides[a];
      if (counter[a] < outDims[a]) break;
      cur -= strides[a] * counter[a];
      counter[a] = 0;
    }
  }
  return idx;
}

/**
 * Flat source indices for an output whose coordinate c on axis a comes from input coordinate
 * `maps[a][c]` (-1: no source, e.g. padding). Built axis by axis, so the work is O(output size).
 */
export function mappedIndex(inDims: readonly number[], maps: readonly ArrayLike<number>[]): Int32Array {
  const strides = stridesOf(inDims);
  let cur = new Int32Array([0]);
  maps.forEach((m, a) => {
    const next = new Int32Array(cur.length * m.length);
    let k = 0;
    for (let p = 0; p < cur.length; p++) {
      const base = cur[p];
      for (let c = 0; c < m.length; c++) next[k++] = base < 0 || m[c] < 0 ? -1 : base + m[c] * strides[a];
    }
    cur = next;
  });
  return cur;
}

/** Reads an integer input (int32/int64 shape, axes, indices...) as plain numbers. */
export function ints(t: Tensor): number[] {
  if (t.type === 'string' || t.type === 'bool') throw new TypeError(`expected an integer tensor, got ${t.type}`);
  return Array.from(toNumbers(t));
}

/** The single integer in a scalar (or one-element) tensor. */
export function scalarInt(op: string, t: Tensor | undefined, what: string): number {
  if (!t) throw new OpError(op, `input '${what}' is required`);
  if (t.data.length !== 1) throw new OpError(op, `'${what}' must hold one value, got shape [${t.dims.join(',')}]`);
  return ints(t)[0];
}

/** Returns the input or throws naming the op and the missing input. */
export function need(op: string, t: Tensor | undefined, what: string): Tensor {
  if (!t) throw new OpError(op, `input '${what}' is required`);
  return t;
}

/** Normalises axes against `rank`, checking range and duplicates. */
export function normAxes(op: string, axes: readonly number[], rank: number): number[] {
  const out = axes.map((a) => {
    const n = a < 0 ? a + rank : a;
    if (n < 0 || n >= rank) throw new OpError(op, `axis ${a} is out of range for rank ${rank}`);
    return n;
  });
  if (new Set(out).size !== out.length) throw new OpError(op, `axes [${axes.join(',')}] repeat an axis`);
  return out;
}

export const product = (dims: readonly number[], from = 0, to = dims.length): number => {
  let n = 1;
  for (let i = from; i < to; i++) n *= dims[i];
  return n;
};

export function dtypeFromCode(op: string, code: number): DType {
  const t = dtypeOfCode(code);
  if (!t) throw new OpError(op, `element type ${codeName(code)} is not supported`);
  return t;
}

// ---- inference helpers ----

export const tensorType = (dtype: DType, shape: readonly Dim[] | null): TensorType => ({ kind: 'tensor', dtype, shape });

/** The product of dims when all are known numbers, else null. */
export function knownProduct(dims: readonly Dim[]): number | null {
  let n = 1;
  for (const d of dims) {
    if (typeof d !== 'number') return null;
    n *= d;
  }
  return n;
}
