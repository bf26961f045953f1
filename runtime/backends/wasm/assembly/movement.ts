// Data movement for any element size (1, 2, 4 or 8 bytes): strided copies (Transpose, Slice,
// Expand, Concat, Split, layout changes), per-axis index maps (Pad's modes, Tile, nearest
// Resize), Gather along one axis, and fills.

import { coordAt, delta, dimAt, resetCoords, rowCount, stepAxis } from './strided';

/** Copies `bytes` bytes (regions do not overlap). */
@inline function copyBytes(dst: usize, src: usize, bytes: usize): void {
  if (bytes >= 256) {
    memory.copy(dst, src, bytes);
    return;
  }
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(dst + i, v128.load(src + i));
  for (; i + 4 <= bytes; i += 4) store<u32>(dst + i, load<u32>(src + i));
  for (; i < bytes; i++) store<u8>(dst + i, load<u8>(src + i));
}

@inline function copyElement(esize: i32, dst: usize, src: usize): void {
  if (esize == 4) store<u32>(dst, load<u32>(src));
  else if (esize == 8) store<u64>(dst, load<u64>(src));
  else if (esize == 2) store<u16>(dst, load<u16>(src));
  else store<u8>(dst, load<u8>(src));
}

@inline function stridedRow(esize: i32, dst: usize, id: i32, src: usize, is: i32, n: i32): void {
  const e = <usize>esize;
  if (is == 1 && id == 1) {
    copyBytes(dst, src, <usize>n * e);
    return;
  }
  const sStep = <usize>is * e, dStep = <usize>id * e;
  switch (esize) {
    case 4: for (let i = 0; i < n; i++, src += sStep, dst += dStep) store<u32>(dst, load<u32>(src)); break;
    case 8: for (let i = 0; i < n; i++, src += sStep, dst += dStep) store<u64>(dst, load<u64>(src)); break;
    case 2: for (let i = 0; i < n; i++, src += sStep, dst += dStep) store<u16>(dst, load<u16>(src)); break;
    default: for (let i = 0; i < n; i++, src += sStep, dst += dStep) store<u8>(dst, load<u8>(src));
  }
}

/**
 * dst[i] = src[i] over `dims` (rank ≥ 1) with element strides ss (source) and ds (destination),
 * either of which may be negative (reversed slices) or 0 (broadcast source).
 */
export function copy_nd(esize: i32, src: usize, dst: usize, rank: i32, dims: usize, ss: usize, ds: usize): void {
  const n = dimAt(dims, rank - 1);
  const is = dimAt(ss, rank - 1), id = dimAt(ds, rank - 1);
  const rows = rowCount(dims, rank);
  const e = <usize>esize;
  resetCoords(rank);
  let os = 0, od = 0;
  for (let r = 0; r < rows; r++) {
    stridedRow(esize, dst + <usize>od * e, id, src + <usize>os * e, is, n);
    const d = stepAxis(dims, rank);
    if (d < 0) break;
    os += delta(dims, ss, rank, d);
    od += delta(dims, ds, rank, d);
  }
}

/**
 * dst [dims] contiguous, dst[i0, …, ik] = src[t0[i0], …, tk[ik]] where axis d's map td (dims[d]
 * i32s, the maps one after another at `tables`) gives the source coordinate, or -1 for `fill`
 * (esize bytes). Source element strides ss.
 */
export function take_nd(esize: i32, src: usize, dst: usize, rank: i32, dims: usize, ss: usize, tables: usize, fill: usize): void {
  const e = <usize>esize;
  const n = dimAt(dims, rank - 1);
  const is = dimAt(ss, rank - 1);
  let lastTable = tables;
  for (let d = 0; d < rank - 1; d++) lastTable += <usize>dimAt(dims, d) << 2;
  const rows = rowCount(dims, rank);
  resetCoords(rank);
  for (let r = 0; r < rows; r++) {
    let off = 0;
    let outside = false;
    let table = tables;
    for (let d = 0; d < rank - 1; d++) {
      const t = load<i32>(table + (<usize>coordAt(d) << 2));
      if (t < 0) outside = true;
      off += t * dimAt(ss, d);
      table += <usize>dimAt(dims, d) << 2;
    }
    const row = dst + <usize>r * <usize>n * e;
    for (let i = 0; i < n; i++) {
      const t = load<i32>(lastTable + (<usize>i << 2));
      const from = outside || t < 0 ? fill : src + <usize>(off + t * is) * e;
      copyElement(esize, row + <usize>i * e, from);
    }
    if (stepAxis(dims, rank) < 0) break;
  }
}

/**
 * Gather along one axis: data [outer, axisLen, inner] and `count` indices (int64 when idx64,
 * else int32; negative ones count from the end) → y [outer, count, inner].
 */
export function gather(esize: i32, data: usize, idx: usize, idx64: i32, y: usize, outer: i32, axisLen: i32, inner: i32, count: i32): void {
  const rowBytes = <usize>inner * <usize>esize;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      let k = idx64 ? <i32>load<i64>(idx + (<usize>j << 3)) : load<i32>(idx + (<usize>j << 2));
      if (k < 0) k += axisLen;
      if (k < 0 || k >= axisLen) unreachable(); // the reference raises; a trap is the nearest here
      copyBytes(y + (<usize>(o * count + j)) * rowBytes, data + (<usize>(o * axisLen + k)) * rowBytes, rowBytes);
    }
  }
}

/** n elements of esize bytes at dst, each a copy of the one at `value`. */
export function fill(esize: i32, dst: usize, n: i32, value: usize): void {
  const e = <usize>esize;
  const bytes = <usize>n * e;
  let v: v128;
  if (esize == 1) v = i8x16.splat(load<u8>(value));
  else if (esize == 2) v = i16x8.splat(load<u16>(value));
  else if (esize == 4) v = i32x4.splat(load<u32>(value));
  else v = i64x2.splat(load<u64>(value));
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(dst + i, v);
  for (; i < bytes; i += e) copyElement(esize, dst + i, value);
}
