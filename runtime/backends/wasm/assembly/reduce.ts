// Reductions over the middle axis of a [outer, r, inner] view (the plan transposes first when the
// reduced axes are not contiguous): vectorised along r when it is innermost, across inner
// otherwise (the NHWC global pools: r = H·W, inner = C). ArgMax/ArgMin write int64 indices.

import { exp4 } from './vmath';

export const RED_SUM = 0;
export const RED_MEAN = 1;
export const RED_MAX = 2;
export const RED_MIN = 3;
export const RED_PROD = 4;
export const RED_SUM_SQUARE = 5;
export const RED_L1 = 6;
export const RED_L2 = 7;
export const RED_LOG_SUM = 8;
export const RED_LOG_SUM_EXP = 9;

@inline function init(op: i32): f32 {
  if (op == RED_MAX) return -Infinity;
  if (op == RED_MIN) return Infinity;
  return op == RED_PROD ? 1 : 0;
}

/** Folds one (transformed) vector into the accumulator. */
@inline function fold4(op: i32, acc: v128, v: v128): v128 {
  switch (op) {
    case RED_MAX: return f32x4.max(acc, v);
    case RED_MIN: return f32x4.min(acc, v);
    case RED_PROD: return f32x4.mul(acc, v);
    case RED_SUM_SQUARE: case RED_L2: return f32x4.add(acc, f32x4.mul(v, v));
    case RED_L1: return f32x4.add(acc, f32x4.abs(v));
    default: return f32x4.add(acc, v);
  }
}

@inline function fold1(op: i32, acc: f32, v: f32): f32 {
  switch (op) {
    case RED_MAX: return acc != acc || v != v ? NaN : max(acc, v);
    case RED_MIN: return acc != acc || v != v ? NaN : min(acc, v);
    case RED_PROD: return acc * v;
    case RED_SUM_SQUARE: case RED_L2: return acc + v * v;
    case RED_L1: return acc + Mathf.abs(v);
    default: return acc + v;
  }
}

@inline function finish(op: i32, acc: f32, r: i32): f32 {
  switch (op) {
    case RED_MEAN: return acc / <f32>r;
    case RED_L2: return Mathf.sqrt(acc);
    case RED_LOG_SUM: return Mathf.log(acc);
    default: return acc;
  }
}

@inline function lanes(op: i32, v: v128): f32 {
  let a = fold1(op == RED_SUM_SQUARE || op == RED_L2 || op == RED_L1 ? RED_SUM : op, f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1));
  const b = fold1(op == RED_SUM_SQUARE || op == RED_L2 || op == RED_L1 ? RED_SUM : op, f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3));
  return fold1(op == RED_SUM_SQUARE || op == RED_L2 || op == RED_L1 ? RED_SUM : op, a, b);
}

/** One contiguous run of r values. */
@inline function run1(op: i32, x: usize, r: i32): f32 {
  let a0 = f32x4.splat(init(op)), a1 = a0;
  let i = 0;
  for (; i + 8 <= r; i += 8) {
    a0 = fold4(op, a0, v128.load(x + (<usize>i << 2)));
    a1 = fold4(op, a1, v128.load(x + (<usize>i << 2), 16));
  }
  for (; i + 4 <= r; i += 4) a0 = fold4(op, a0, v128.load(x + (<usize>i << 2)));
  const combine = op == RED_SUM_SQUARE || op == RED_L2 || op == RED_L1 ? RED_SUM : op;
  let acc = lanes(op, fold4(combine, a0, a1));
  for (; i < r; i++) acc = fold1(op, acc, load<f32>(x + (<usize>i << 2)));
  return acc;
}

@inline function reduceAll(op: i32, x: usize, y: usize, outer: i32, r: i32, inner: i32): void {
  const stride = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const xo = x + ((<usize>o * <usize>r * <usize>inner) << 2);
    const yo = y + ((<usize>o * <usize>inner) << 2);
    if (inner == 1) {
      store<f32>(yo, finish(op, run1(op, xo, r), r));
      continue;
    }
    let j = 0;
    for (; j + 4 <= inner; j += 4) {
      let acc = f32x4.splat(init(op));
      for (let k = 0; k < r; k++) acc = fold4(op, acc, v128.load(xo + <usize>k * stride + (<usize>j << 2)));
      if (op == RED_MEAN) acc = f32x4.div(acc, f32x4.splat(<f32>r));
      else if (op == RED_L2) acc = f32x4.sqrt(acc);
      else if (op == RED_LOG_SUM) {
        for (let l = 0; l < 4; l++) store<f32>(yo + (<usize>(j + l) << 2), Mathf.log(laneOf(acc, l)));
        continue;
      }
      v128.store(yo + (<usize>j << 2), acc);
    }
    for (; j < inner; j++) {
      let acc = init(op);
      for (let k = 0; k < r; k++) acc = fold1(op, acc, load<f32>(xo + <usize>k * stride + (<usize>j << 2)));
      store<f32>(yo + (<usize>j << 2), finish(op, acc, r));
    }
  }
}

@inline function laneOf(v: v128, l: i32): f32 {
  if (l == 0) return f32x4.extract_lane(v, 0);
  if (l == 1) return f32x4.extract_lane(v, 1);
  return l == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
}

/** log Σ e^x along r, shifted by the maximum. */
function logSumExp(x: usize, y: usize, outer: i32, r: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = x + ((<usize>o * <usize>r * <usize>inner + <usize>j) << 2);
      const stride = <usize>inner << 2;
      let m: f32 = -Infinity;
      for (let k = 0; k < r; k++) m = max(m, load<f32>(base + <usize>k * stride));
      let s: f32 = 0;
      if (m == -Infinity || m == Infinity) {
        store<f32>(y + ((<usize>o * <usize>inner + <usize>j) << 2), m);
        continue;
      }
      for (let k = 0; k < r; k++) s += f32x4.extract_lane(exp4(f32x4.splat(load<f32>(base + <usize>k * stride) - m)), 0);
      store<f32>(y + ((<usize>o * <usize>inner + <usize>j) << 2), m + Mathf.log(s));
    }
  }
}

/** y [outer, inner] = the reduction of x [outer, r, inner] along r. */
export function reduce_f32(op: i32, x: usize, y: usize, outer: i32, r: i32, inner: i32): void {
  switch (op) {
    case RED_SUM: reduceAll(RED_SUM, x, y, outer, r, inner); break;
    case RED_MEAN: reduceAll(RED_MEAN, x, y, outer, r, inner); break;
    case RED_MAX: reduceAll(RED_MAX, x, y, outer, r, inner); break;
    case RED_MIN: reduceAll(RED_MIN, x, y, outer, r, inner); break;
    case RED_PROD: reduceAll(RED_PROD, x, y, outer, r, inner); break;
    case RED_SUM_SQUARE: reduceAll(RED_SUM_SQUARE, x, y, outer, r, inner); break;
    case RED_L1: reduceAll(RED_L1, x, y, outer, r, inner); break;
    case RED_L2: reduceAll(RED_L2, x, y, outer, r, inner); break;
    case RED_LOG_SUM: reduceAll(RED_LOG_SUM, x, y, outer, r, inner); break;
    default: logSumExp(x, y, outer, r, inner);
  }
}

/** y [outer, inner] (int64) = the index of the max (or min) of x [outer, r, inner] along r. */
export function argreduce_f32(x: usize, y: usize, outer: i32, r: i32, inner: i32, isMin: i32, selectLast: i32): void {
  const stride = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = x + ((<usize>o * <usize>r * <usize>inner + <usize>j) << 2);
      let best = load<f32>(base);
      let at = 0;
      for (let k = 1; k < r; k++) {
        const v = load<f32>(base + <usize>k * stride);
        const better = isMin ? (selectLast ? v <= best : v < best) : (selectLast ? v >= best : v > best);
        if (better) {
          best = v;
          at = k;
        }
      }
      store<i64>(y + ((<usize>o * <usize>inner + <usize>j) << 3), <i64>at);
    }
  }
}
