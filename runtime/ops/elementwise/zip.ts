// Broadcasting loops for binary (and ternary) elementwise ops. The output is walked as runs of
// contiguous elements within which every input either advances by one or repeats one element, so
// the common cases (same shapes, a scalar, a per-channel bias) need no per-element index table.

import { allocData, sizeOf, tensor, type DType, type Tensor } from '../../tensor';
import { broadcastIndex, broadcastShapes } from '../broadcast';
import { numBuffer, numTensor, numView, type BigArray, type NumArray } from './numeric';

export interface Runs {
  readonly dims: number[];
  /** number of runs */
  readonly outer: number;
  /** elements per run */
  readonly inner: number;
  /** per input, the flat index of each run's first element */
  readonly base: Int32Array[];
  /** per input, 1 when it walks along a run, 0 when it repeats one element */
  readonly step: number[];
}

/**
 * Splits the broadcast output into runs: the longest trailing block of axes over which each input
 * either matches the output or is all 1s; the leading axes are walked with a small index table.
 */
export function broadcastRuns(op: string, shapes: readonly (readonly number[])[]): Runs {
  const dims = broadcastShapes(op, shapes);
  const rank = dims.length;
  const padded = shapes.map((s) => [...new Array<number>(rank - s.length).fill(1), ...s]);
  const walks: (boolean | null)[] = shapes.map(() => null);
  let k = rank;
  for (let a = rank - 1; a >= 0; a--) {
    if (dims[a] !== 1) {
      const w = padded.map((p) => p[a] === dims[a]);
      if (w.some((x, j) => walks[j] !== null && walks[j] !== x)) break;
      w.forEach((x, j) => (walks[j] = x));
    }
    k = a;
  }
  const inner = sizeOf(dims.slice(k));
  const outerDims = dims.slice(0, k);
  const base = padded.map((p, j) => {
    const idx = broadcastIndex(p.slice(0, k), outerDims);
    if (walks[j] !== false && inner !== 1) for (let i = 0; i < idx.length; i++) idx[i] *= inner;
    return idx;
  });
  return { dims, outer: sizeOf(outerDims), inner, base, step: walks.map((w) => (w === false ? 0 : 1)) };
}

/**
 * One run of a binary kernel: out[i + j] = f(A[pa + j*sa], B[pb + j*sb]) for j < n. Hot ops pass
 * their own loop so that the scalar function is inlined rather than called per element.
 */
export type RunKernel = (out: NumArray, i: number, A: NumArray, pa: number, sa: number, B: NumArray, pb: number, sb: number, n: number) => void;

/** out = f(a, b) elementwise over numbers with broadcasting, into an output of `outType`. */
export function zipNumbers(
  op: string, a: Tensor, b: Tensor, outType: DType, f: (x: number, y: number) => number, run?: RunKernel,
): Tensor {
  const { dims, outer, inner, base: [ba, bb], step: [sa, sb] } = broadcastRuns(op, [a.dims, b.dims]);
  const A = numView(a), B = numView(b);
  const out = numBuffer(outType, outer * inner);
  let i = 0;
  for (let o = 0; o < outer; o++) {
    if (run) {
      run(out, i, A, ba[o], sa, B, bb[o], sb, inner);
      i += inner;
    } else {
      for (let j = 0, pa = ba[o], pb = bb[o]; j < inner; j++, pa += sa, pb += sb) out[i++] = f(A[pa], B[pb]);
    }
  }
  return numTensor(outType, dims, out);
}

/** out = f(a, b) elementwise over exact 64-bit integers; the output store wraps like C. */
export function zipBigInts(op: string, a: Tensor, b: Tensor, outType: 'int64' | 'uint64', f: (x: bigint, y: bigint) => bigint): Tensor {
  const { dims, outer, inner, base: [ba, bb], step: [sa, sb] } = broadcastRuns(op, [a.dims, b.dims]);
  const A = a.data as BigArray, B = b.data as BigArray;
  const out = allocData(outType, outer * inner) as BigArray;
  let i = 0;
  for (let o = 0; o < outer; o++) {
    for (let j = 0, pa = ba[o], pb = bb[o]; j < inner; j++, pa += sa, pb += sb) out[i++] = f(A[pa], B[pb]);
  }
  return tensor(outType, dims, out);
}

/** A bool tensor of test(a, b) elementwise over the elements `read` gives (bigints, numbers, strings). */
export function zipTest<T>(op: string, a: Tensor, b: Tensor, read: (t: Tensor) => ArrayLike<T>, test: (x: T, y: T) => boolean): Tensor {
  const { dims, outer, inner, base: [ba, bb], step: [sa, sb] } = broadcastRuns(op, [a.dims, b.dims]);
  const A = read(a), B = read(b);
  const out = new Uint8Array(outer * inner);
  let i = 0;
  for (let o = 0; o < outer; o++) {
    for (let j = 0, pa = ba[o], pb = bb[o]; j < inner; j++, pa += sa, pb += sb) out[i++] = test(A[pa], B[pb]) ? 1 : 0;
  }
  return tensor('bool', dims, out);
}
