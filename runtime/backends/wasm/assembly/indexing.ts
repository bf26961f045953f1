// Index-driven movement: GatherElements, ScatterElements and ScatterND (with their reductions),
// OneHot and Trilu. Indices may be int32 or int64 and negative (counted from the end); the
// reference raises on one out of range, here that traps.

import { coordAt, dimAt, resetCoords, rowCount, stepAxis } from './strided';
import { T_F32, T_F64, T_I16, T_I32, T_I64, T_I8, T_U16, T_U32, T_U64, T_U8 } from './types';

@inline function indexAt(idx: usize, idx64: i32, k: i32, len: i32): i32 {
  let j = idx64 ? <i32>load<i64>(idx + (<usize>k << 3)) : load<i32>(idx + (<usize>k << 2));
  if (j < 0) j += len;
  if (j < 0 || j >= len) unreachable();
  return j;
}

@inline function copyElement(esize: i32, dst: usize, src: usize): void {
  if (esize == 4) store<u32>(dst, load<u32>(src));
  else if (esize == 8) store<u64>(dst, load<u64>(src));
  else if (esize == 2) store<u16>(dst, load<u16>(src));
  else store<u8>(dst, load<u8>(src));
}

/** y [dims] = data at each element's coordinates with the axis one taken from the indices. */
export function gather_elements(esize: i32, data: usize, idx: usize, idx64: i32, y: usize, rank: i32, dims: usize, strides: usize, axis: i32, axisLen: i32): void {
  const n = dimAt(dims, rank - 1);
  const rows = rowCount(dims, rank);
  const last = rank - 1;
  const e = <usize>esize;
  resetCoords(rank);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    let base = 0;
    for (let d = 0; d < last; d++) if (d != axis) base += coordAt(d) * dimAt(strides, d);
    const sLast = dimAt(strides, last), sAxis = dimAt(strides, axis);
    for (let i = 0; i < n; i++, k++) {
      const j = indexAt(idx, idx64, k, axisLen);
      copyElement(esize, y + <usize>k * e, data + <usize>(base + (last == axis ? 0 : i * sLast) + j * sAxis) * e);
    }
    if (stepAxis(dims, rank) < 0) break;
  }
}

export const RED_NONE = 0;
export const RED_ADD = 1;
export const RED_MUL = 2;
export const RED_MAX = 3;
export const RED_MIN = 4;

@inline function combine<T>(reduction: i32, a: T, b: T): T {
  switch (reduction) {
    case RED_ADD: return a + b;
    case RED_MUL: return a * b;
    case RED_MAX: return max(a, b);
    case RED_MIN: return min(a, b);
    default: return b;
  }
}

@inline function scatterRows<T>(out: usize, idx: usize, idx64: i32, upd: usize, rank: i32, dims: usize, strides: usize, axis: i32, axisLen: i32, reduction: i32): void {
  const n = dimAt(dims, rank - 1);
  const rows = rowCount(dims, rank);
  const last = rank - 1;
  const e = <usize>sizeof<T>();
  resetCoords(rank);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    let base = 0;
    for (let d = 0; d < last; d++) if (d != axis) base += coordAt(d) * dimAt(strides, d);
    const sLast = dimAt(strides, last), sAxis = dimAt(strides, axis);
    for (let i = 0; i < n; i++, k++) {
      const j = indexAt(idx, idx64, k, axisLen);
      const p = out + <usize>(base + (last == axis ? 0 : i * sLast) + j * sAxis) * e;
      store<T>(p, combine<T>(reduction, load<T>(p), load<T>(upd + <usize>k * e)));
    }
    if (stepAxis(dims, rank) < 0) break;
  }
}

/**
 * ScatterElements into `out` (already a copy of data, strides `strides`): updates [dims] land at
 * their coordinates with the axis one taken from the indices, combined by `reduction`.
 */
export function scatter_elements(type: i32, out: usize, idx: usize, idx64: i32, upd: usize, rank: i32, dims: usize, strides: usize, axis: i32, axisLen: i32, reduction: i32): void {
  switch (type) {
    case T_F32: scatterRows<f32>(out, idx, idx64, upd, rank, dims, strides, axis, axisLen, reduction); break;
    case T_F64: scatterRows<f64>(out, idx, idx64, upd, rank, dims, strides, axis, axisLen, reduction); break;
    case T_I8: scatterRows<i8>(out, idx, idx64, upd, rank, dims, strides, axis, axisLen, reduction); break;
    case T_I16: scatterRows<i16>(out, idx, idx64, upd, rank, dims, strides, axis, axisLen, reduction); break;
    case T_U16: scatterRows<u16>(out, idx, idx64, upd, rank, dims, strides, axis, axisLen, reduction); break;
    case T_I32: scatterRows<i32>(out, idx, idx64, upd, rank, dims, strides, axis, axisLen, reduction); break;
    case T_U32: scatterRows<u32>(out, idx, idx64, upd, rank, dims, strides, axis, axisLen, reduction); break;
    case T_I64: scatterRows<i64>(out, idx, idx64, upd, rank, dims, strides, axis, axisLen, reduction); break;
    case T_U64: scatterRows<u64>(out, idx, idx64, upd, rank, dims, strides, axis, axisLen, reduction); break;
    default: scatterRows<u8>(out, idx, idx64, upd, rank, dims, strides, axis, axisLen, reduction);
  }
}

@inline function scatterNd<T>(out: usize, idx: usize, upd: usize, tuples: i32, k: i32, block: i32, dims: usize, strides: usize, reduction: i32): void {
  const e = <usize>sizeof<T>();
  for (let p = 0; p < tuples; p++) {
    let dst = 0;
    for (let j = 0; j < k; j++) {
      let v = <i32>load<i64>(idx + (<usize>(p * k + j) << 3));
      const len = dimAt(dims, j);
      if (v < 0) v += len;
      if (v < 0 || v >= len) unreachable();
      dst += v * dimAt(strides, j);
    }
    for (let b = 0; b < block; b++) {
      const q = out + <usize>(dst + b) * e;
      store<T>(q, combine<T>(reduction, load<T>(q), load<T>(upd + <usize>(p * block + b) * e)));
    }
  }
}

/** ScatterND into `out` (a copy of data): `tuples` int64 index tuples of k coordinates, each a block of updates. */
export function scatter_nd(type: i32, out: usize, idx: usize, upd: usize, tuples: i32, k: i32, block: i32, dims: usize, strides: usize, reduction: i32): void {
  switch (type) {
    case T_F32: scatterNd<f32>(out, idx, upd, tuples, k, block, dims, strides, reduction); break;
    case T_F64: scatterNd<f64>(out, idx, upd, tuples, k, block, dims, strides, reduction); break;
    case T_I8: scatterNd<i8>(out, idx, upd, tuples, k, block, dims, strides, reduction); break;
    case T_I16: scatterNd<i16>(out, idx, upd, tuples, k, block, dims, strides, reduction); break;
    case T_U16: scatterNd<u16>(out, idx, upd, tuples, k, block, dims, strides, reduction); break;
    case T_I32: scatterNd<i32>(out, idx, upd, tuples, k, block, dims, strides, reduction); break;
    case T_U32: scatterNd<u32>(out, idx, upd, tuples, k, block, dims, strides, reduction); break;
    case T_I64: scatterNd<i64>(out, idx, upd, tuples, k, block, dims, strides, reduction); break;
    case T_U64: scatterNd<u64>(out, idx, upd, tuples, k, block, dims, strides, reduction); break;
    default: scatterNd<u8>(out, idx, upd, tuples, k, block, dims, strides, reduction);
  }
}

/** An index of any numeric type, truncated toward zero. */
@inline function numberAt(type: i32, p: usize, k: i32): i64 {
  switch (type) {
    case T_F32: return <i64>load<f32>(p + (<usize>k << 2));
    case T_F64: return <i64>load<f64>(p + (<usize>k << 3));
    case T_I8: return <i64>load<i8>(p + <usize>k);
    case T_U8: return <i64>load<u8>(p + <usize>k);
    case T_I16: return <i64>load<i16>(p + (<usize>k << 1));
    case T_U16: return <i64>load<u16>(p + (<usize>k << 1));
    case T_I32: return <i64>load<i32>(p + (<usize>k << 2));
    case T_U32: return <i64>load<u32>(p + (<usize>k << 2));
    default: return load<i64>(p + (<usize>k << 3));
  }
}

/**
 * OneHot: indices [outer, inner] (any numeric type) → y [outer, depth, inner] of esize-byte
 * values: `on` where the index (negative ones from the end) names the row, `off` elsewhere.
 */
export function onehot(idxType: i32, idx: usize, esize: i32, y: usize, outer: i32, depth: i32, inner: i32, off: usize, on: usize): void {
  const e = <usize>esize;
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < inner; r++) {
      let j = numberAt(idxType, idx, o * inner + r);
      if (j < 0) j += depth;
      for (let d = 0; d < depth; d++) copyElement(esize, y + (<usize>((o * depth + d) * inner + r)) * e, <i64>d == j ? on : off);
    }
  }
}

/**
 * Trilu over `batch` matrices [rows, cols]: keep j - i ≥ k (upper) or j - i ≤ k (lower), zero the
 * rest; k is the int64 at kPtr (0: k = 0).
 */
export function trilu(esize: i32, x: usize, y: usize, batch: i32, rows: i32, cols: i32, kPtr: usize, upper: i32): void {
  const e = <usize>esize;
  const k64 = kPtr ? load<i64>(kPtr) : 0;
  const k = <i32>(k64 > 1 << 30 ? 1 << 30 : k64 < -(1 << 30) ? -(1 << 30) : k64);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const at = (<usize>((b * rows + i) * cols + j)) * e;
        const d = j - i;
        const keep = upper ? d >= k : d <= k;
        if (keep) copyElement(esize, y + at, x + at);
        else if (esize == 4) store<u32>(y + at, 0);
        else if (esize == 8) store<u64>(y + at, 0);
        else if (esize == 2) store<u16>(y + at, 0);
        else store<u8>(y + at, 0);
      }
    }
  }
}
