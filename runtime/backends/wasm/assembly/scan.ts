// Scans and selections along one axis of a [outer, n, inner] view: CumSum/CumProd (any numeric
// type, exclusive and reversed forms), TopK (values and int64 indices, ties to the lower index),
// Hardmax and LpNormalization.

import { T_F32, T_F64, T_I16, T_I32, T_I64, T_I8, T_U16, T_U32, T_U64, T_U8 } from './types';

@inline function scanRows<T>(x: usize, y: usize, outer: i32, n: i32, inner: i32, exclusive: i32, reverse: i32, product: i32): void {
  const e = <usize>sizeof<T>();
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let acc: T = product ? <T>1 : <T>0;
      for (let s = 0; s < n; s++) {
        const k = reverse ? n - 1 - s : s;
        const p = <usize>(base + k * inner) * e;
        const v = load<T>(x + p);
        if (exclusive) store<T>(y + p, acc);
        acc = product ? acc * v : acc + v;
        if (!exclusive) store<T>(y + p, acc);
      }
    }
  }
}

/** CumSum (product = 0) or CumProd along n. */
export function cumulate(type: i32, x: usize, y: usize, outer: i32, n: i32, inner: i32, exclusive: i32, reverse: i32, product: i32): void {
  switch (type) {
    case T_F32: scanRows<f32>(x, y, outer, n, inner, exclusive, reverse, product); break;
    case T_F64: scanRows<f64>(x, y, outer, n, inner, exclusive, reverse, product); break;
    case T_I8: scanRows<i8>(x, y, outer, n, inner, exclusive, reverse, product); break;
    case T_U8: scanRows<u8>(x, y, outer, n, inner, exclusive, reverse, product); break;
    case T_I16: scanRows<i16>(x, y, outer, n, inner, exclusive, reverse, product); break;
    case T_U16: scanRows<u16>(x, y, outer, n, inner, exclusive, reverse, product); break;
    case T_I32: scanRows<i32>(x, y, outer, n, inner, exclusive, reverse, product); break;
    case T_U32: scanRows<u32>(x, y, outer, n, inner, exclusive, reverse, product); break;
    case T_I64: scanRows<i64>(x, y, outer, n, inner, exclusive, reverse, product); break;
    default: scanRows<u64>(x, y, outer, n, inner, exclusive, reverse, product);
  }
}

/**
 * CumSum/CumProd along the axis given at run time: the scalar int32/int64 at axisPtr (negative
 * counts from the end), over a tensor of `rank` dims.
 */
export function cumulate_axis(type: i32, x: usize, y: usize, rank: i32, dims: usize, axisPtr: usize, axis64: i32, exclusive: i32, reverse: i32, product: i32): void {
  let axis = axis64 ? <i32>load<i64>(axisPtr) : load<i32>(axisPtr);
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) unreachable();
  let outer = 1, inner = 1;
  for (let d = 0; d < axis; d++) outer *= load<i32>(dims + (<usize>d << 2));
  for (let d = axis + 1; d < rank; d++) inner *= load<i32>(dims + (<usize>d << 2));
  cumulate(type, x, y, outer, load<i32>(dims + (<usize>axis << 2)), inner, exclusive, reverse, product);
}

/** Positions picked so far for the row being selected (k ≤ this). */
const PICKED: usize = memory.data(4 * 4096, 16);

@inline function topkRows<T>(x: usize, values: usize, indices: usize, outer: i32, n: i32, inner: i32, k: i32, largest: i32): void {
  const e = <usize>sizeof<T>();
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      // insertion into a sorted list of the best k so far: stable, so ties keep the lower index
      let count = 0;
      for (let j = 0; j < n; j++) {
        const v = load<T>(x + <usize>(base + j * inner) * e);
        let at = count;
        while (at > 0) {
          const w = load<T>(x + <usize>(base + load<i32>(PICKED + (<usize>(at - 1) << 2)) * inner) * e);
          if (largest ? v > w : v < w) at--;
          else break;
        }
        if (at >= k) continue;
        const last = min(count, k - 1);
        for (let q = last; q > at; q--) store<i32>(PICKED + (<usize>q << 2), load<i32>(PICKED + (<usize>(q - 1) << 2)));
        store<i32>(PICKED + (<usize>at << 2), j);
        if (count < k) count++;
      }
      for (let q = 0; q < k; q++) {
        const j = load<i32>(PICKED + (<usize>q << 2));
        const dst = o * k * inner + q * inner + i;
        store<T>(values + <usize>dst * e, load<T>(x + <usize>(base + j * inner) * e));
        store<i64>(indices + (<usize>dst << 3), <i64>j);
      }
    }
  }
}

/** TopK along n: values [outer, k, inner] and their int64 indices; k ≤ 4096. */
export function topk(type: i32, x: usize, values: usize, indices: usize, outer: i32, n: i32, inner: i32, k: i32, largest: i32): void {
  switch (type) {
    case T_F32: topkRows<f32>(x, values, indices, outer, n, inner, k, largest); break;
    case T_F64: topkRows<f64>(x, values, indices, outer, n, inner, k, largest); break;
    case T_I8: topkRows<i8>(x, values, indices, outer, n, inner, k, largest); break;
    case T_U8: topkRows<u8>(x, values, indices, outer, n, inner, k, largest); break;
    case T_I16: topkRows<i16>(x, values, indices, outer, n, inner, k, largest); break;
    case T_U16: topkRows<u16>(x, values, indices, outer, n, inner, k, largest); break;
    case T_I32: topkRows<i32>(x, values, indices, outer, n, inner, k, largest); break;
    case T_U32: topkRows<u32>(x, values, indices, outer, n, inner, k, largest); break;
    case T_I64: topkRows<i64>(x, values, indices, outer, n, inner, k, largest); break;
    default: topkRows<u64>(x, values, indices, outer, n, inner, k, largest);
  }
}

/** Hardmax along n: 1 at the first maximum, 0 elsewhere. */
export function hardmax_f32(x: usize, y: usize, outer: i32, n: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = 0;
      for (let j = 1; j < n; j++) if (load<f32>(x + (<usize>(base + j * inner) << 2)) > load<f32>(x + (<usize>(base + best * inner) << 2))) best = j;
      for (let j = 0; j < n; j++) store<f32>(y + (<usize>(base + j * inner) << 2), j == best ? 1 : 0);
    }
  }
}

/** LpNormalization along n (p = 1 or 2); an all-zero slice stays zero. */
export function lpnorm_f32(x: usize, y: usize, outer: i32, n: i32, inner: i32, p: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let s: f32 = 0;
      for (let j = 0; j < n; j++) {
        const v = load<f32>(x + (<usize>(base + j * inner) << 2));
        s += p == 1 ? Mathf.abs(v) : v * v;
      }
      const norm = p == 1 ? s : Mathf.sqrt(s);
      const f: f32 = norm == 0 ? 0 : <f32>1 / norm;
      for (let j = 0; j < n; j++) {
        const q = <usize>(base + j * inner) << 2;
        store<f32>(y + q, load<f32>(x + q) * f);
      }
    }
  }
}
