// Shared helpers for kernels: numpy-style broadcasting and axis normalisation.

import { OpError } from './spec';

/** The broadcast shape of several shapes (numpy rules); throws naming the op on a mismatch. */
export function broadcastShapes(op: string, shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      if (d === out[o] || d === 1) continue;
      if (out[o] === 1) out[o] = d;
      else throw new OpError(op, `shapes [${shapes.map((x) => x.join(',')).join('] and [')}] do not broadcast`);
    }
  }
  return out;
}

/**
 * For each output element index, the flat index into an input of shape `dims` broadcast to
 * `outDims`. Returned as an Int32Array for fast gathers.
 */
export function broadcastIndex(dims: readonly number[], outDims: readonly number[]): Int32Array {
  const rank = outDims.length;
  let n = 1;
  for (const d of outDims) n *= d;
  const idx = new Int32Array(n);
  const inStrides = new Array<number>(rank).fill(0);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    const o = rank - dims.length + i;
    inStrides[o] = dims[i] === 1 ? 0 : acc;
    acc *= dims[i];
  }
  const counter = new Array<number>(rank).fill(0);
  let cur = 0;
  for (let k = 0; k < n; k++) {
    idx[k] = cur;
    for (let a = rank - 1; a >= 0; a--) {
      counter[a]++;
      cur += inStrides[a];
      if (counter[a] < outDims[a]) break;
      cur -= inStrides[a] * counter[a];
      counter[a] = 0;
    }
  }
  return idx;
}

/** Normalises a possibly negative axis for a tensor of `rank`, checking its range. */
export function normAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= Math.max(rank, 1)) throw new OpError(op, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}
