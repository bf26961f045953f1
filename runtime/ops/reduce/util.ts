// Helpers shared by the reduce family: axis sets, offset tables for walking chosen axes, small
// scalar inputs, exact element gathers and the common shape-inference shortcuts.

import type { Dim, TensorType } from '../../ir/graph';
import { allocData, sizeOf, stridesOf, toInts, type DType, type Tensor, type TypedArray } from '../../tensor';
import { normAxis } from '../broadcast';
import { codeName, dtypeOfCode } from '../../dtype-codes';
import { OpError } from '../spec';

/** Normalised, sorted, de-duplicated axes; throws naming the op on an out-of-range axis. */
export function normAxes(op: string, axes: readonly number[], rank: number): number[] {
  const set = new Set(axes.map((a) => normAxis(op, a, rank)));
  return [...set].sort((x, y) => x - y);
}

/**
 * Flat offsets of every position of `axes` (in row-major order over those axes) into a tensor
 * with `strides`. Pairing the offsets of the kept axes with those of the reduced axes gives
 * every input index as keep[i] + red[j] without per-element index arithmetic.
 */
export function axisOffsets(dims: readonly number[], strides: readonly number[], axes: readonly number[]): Int32Array {
  let n = 1;
  for (const a of axes) n *= dims[a];
  const out = new Int32Array(n);
  if (n === 0) return out;
  const k = axes.length;
  const counter = new Array<number>(k).fill(0);
  let cur = 0;
  for (let i = 0; i < n; i++) {
    out[i] = cur;
    for (let j = k - 1; j >= 0; j--) {
      const a = axes[j];
      counter[j]++;
      cur += strides[a];
      if (counter[j] < dims[a]) break;
      cur -= strides[a] * counter[j];
      counter[j] = 0;
    }
  }
  return out;
}

/** Splits a tensor's axes into kept and reduced ones and tabulates both offset sets. */
export interface ReducePlan {
  /** offset of each output element's first input element (output order) */
  readonly keep: Int32Array;
  /** offset of each reduced position, relative to keep[i] */
  readonly red: Int32Array;
  /** output dims (with or without the reduced axes as 1s) */
  readonly outDims: number[];
}

export function reducePlan(dims: readonly number[], axes: readonly number[], keepdims: boolean): ReducePlan {
  const strides = stridesOf(dims);
  const isRed = new Set(axes);
  const kept = dims.map((_, i) => i).filter((i) => !isRed.has(i));
  const outDims: number[] = [];
  dims.forEach((d, i) => {
    if (!isRed.has(i)) outDims.push(d);
    else if (keepdims) outDims.push(1);
  });
  return { keep: axisOffsets(dims, strides, kept), red: axisOffsets(dims, strides, axes), outDims };
}

/** Outer / axis / inner sizes for an op working along one axis of a row-major tensor. */
export function splitAt(dims: readonly number[], axis: number): { outer: number; len: number; inner: number } {
  return { outer: sizeOf(dims.slice(0, axis)), len: dims[axis], inner: sizeOf(dims.slice(axis + 1)) };
}

/** A scalar (or one-element) input read as an integer; `def` when the input is absent. */
export function scalarInt(op: string, t: Tensor | undefined, what: string, def?: number): number {
  if (!t) {
    if (def === undefined) throw new OpError(op, `input '${what}' is required`);
    return def;
  }
  if (sizeOf(t.dims) !== 1) throw new OpError(op, `input '${what}' must hold one value, got shape [${t.dims.join(',')}]`);
  return toInts(t)[0];
}

/** Copies the elements at `idx` of `src` into a new tensor of the same type (exact for every dtype). */
export function gatherElements(src: Tensor, idx: ArrayLike<number>, dims: readonly number[]): Tensor {
  const out = allocData(src.type, idx.length);
  if (Array.isArray(src.data)) {
    const s = src.data as string[];
    const o = out as string[];
    for (let i = 0; i < idx.length; i++) o[i] = s[idx[i]];
  } else {
    const s = src.data as TypedArray;
    const o = out as TypedArray;
    for (let i = 0; i < idx.length; i++) o[i] = s[idx[i]];
  }
  return { type: src.type, dims: [...dims], data: out };
}

/** Requires a present input, naming the op and input. */
export function need(op: string, t: Tensor | undefined, what: string): Tensor {
  if (!t) throw new OpError(op, `input '${what}' is required`);
  return t;
}

/** Requires a float tensor (float32/64/16, bfloat16). */
export function needFloat(op: string, t: Tensor, what = 'X'): Tensor {
  if (t.type !== 'float32' && t.type !== 'float64' && t.type !== 'float16' && t.type !== 'bfloat16') {
    throw new OpError(op, `input '${what}' must be a float tensor, got ${t.type}`);
  }
  return t;
}

// ---- shape inference shortcuts ----

export const tensorType = (dtype: DType, shape: readonly Dim[] | null): TensorType => ({ kind: 'tensor', dtype, shape });

/** The output has the input's type and shape (elementwise-shaped ops such as Softmax). */
export function sameAsInput(inputs: readonly (TensorType | null)[], n = 1): (TensorType | null)[] {
  const t = inputs[0] ?? null;
  return Array.from({ length: n }, () => t);
}

/** The shape after reducing `axes` (normalised) of `shape`; null when the rank is unknown. */
export function reducedShape(shape: readonly Dim[] | null, axes: readonly number[] | null, keepdims: boolean): Dim[] | null {
  if (!shape) return null;
  if (!axes) return keepdims ? shape.map(() => null) : null;
  const set = new Set(axes.map((a) => (a < 0 ? a + shape.length : a)));
  const out: Dim[] = [];
  shape.forEach((d, i) => {
    if (!set.has(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

export function onnxDType(op: string, code: number): DType {
  const t = dtypeOfCode(code);
  if (!t) throw new OpError(op, `element type ${codeName(code)} is not supported`);
  return t;
}
