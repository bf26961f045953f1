// Elementwise binary ops with broadcasting on f32 (Add, Sub, Mul, Div, Max, Min, Pow, PRelu,
// Mod), with the fused activation applied to each result. The plan collapses the shapes so the
// innermost axis is as long as possible; a row whose inputs are contiguous or splatted runs as
// vectors, others lane by lane.

import { ACT_HARD_SWISH, ACT_NONE, act1, act4, cheap4 } from './activation';
import { delta, dimAt, resetCoords, rowCount, stepAxis } from './strided';

export const BIN_ADD = 0;
export const BIN_SUB = 1;
export const BIN_MUL = 2;
export const BIN_DIV = 3;
export const BIN_MAX = 4;
export const BIN_MIN = 5;
export const BIN_POW = 6;
/** a < 0 ? a·b : a */
export const BIN_PRELU = 7;
/** C fmod: the result takes the dividend's sign */
export const BIN_FMOD = 8;

@inline function op1(op: i32, a: f32, b: f32): f32 {
  switch (op) {
    case BIN_ADD: return a + b;
    case BIN_SUB: return a - b;
    case BIN_MUL: return a * b;
    case BIN_DIV: return a / b;
    case BIN_MAX: return a != a || b != b ? NaN : max(a, b);
    case BIN_MIN: return a != a || b != b ? NaN : min(a, b);
    case BIN_POW: return Mathf.pow(a, b);
    case BIN_PRELU: return a < 0 ? a * b : a;
    default: return a % b;
  }
}

@inline function op4(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case BIN_ADD: return f32x4.add(a, b);
    case BIN_SUB: return f32x4.sub(a, b);
    case BIN_MUL: return f32x4.mul(a, b);
    case BIN_DIV: return f32x4.div(a, b);
    case BIN_MAX: return f32x4.max(a, b);
    case BIN_MIN: return f32x4.min(a, b);
    case BIN_PRELU: return v128.bitselect(f32x4.mul(a, b), a, f32x4.lt(a, f32x4.splat(0)));
    default: {
      let r = f32x4.splat(0);
      r = f32x4.replace_lane(r, 0, op1(op, f32x4.extract_lane(a, 0), f32x4.extract_lane(b, 0)));
      r = f32x4.replace_lane(r, 1, op1(op, f32x4.extract_lane(a, 1), f32x4.extract_lane(b, 1)));
      r = f32x4.replace_lane(r, 2, op1(op, f32x4.extract_lane(a, 2), f32x4.extract_lane(b, 2)));
      r = f32x4.replace_lane(r, 3, op1(op, f32x4.extract_lane(a, 3), f32x4.extract_lane(b, 3)));
      return r;
    }
  }
}

@inline function epi4(v: v128, act: i32, p0: f32, p1: f32): v128 {
  if (act == ACT_NONE) return v;
  return act <= ACT_HARD_SWISH ? cheap4(v, act, p0, p1) : act4(v, act, p0, p1);
}

/** One row of n results; ia/ib are the inputs' element strides along it. */
@inline function row(op: i32, a: usize, ia: i32, b: usize, ib: i32, y: usize, n: i32, act: i32, p0: f32, p1: f32): void {
  let i = 0;
  if (ia == 1 && ib == 1) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, epi4(op4(op, v128.load(a + o), v128.load(b + o)), act, p0, p1));
    }
  } else if (ia == 1 && ib == 0) {
    const bv = v128.load32_splat(b);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, epi4(op4(op, v128.load(a + o), bv), act, p0, p1));
    }
  } else if (ia == 0 && ib == 1) {
    const av = v128.load32_splat(a);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, epi4(op4(op, av, v128.load(b + o)), act, p0, p1));
    }
  }
  for (; i < n; i++) {
    const r = op1(op, load<f32>(a + (<usize>(i * ia) << 2)), load<f32>(b + (<usize>(i * ib) << 2)));
    store<f32>(y + (<usize>i << 2), act1(r, act, p0, p1));
  }
}

@inline function run(op: i32, a: usize, b: usize, y: usize, rank: i32, dims: usize, sa: usize, sb: usize, act: i32, p0: f32, p1: f32): void {
  const n = dimAt(dims, rank - 1);
  const ia = dimAt(sa, rank - 1), ib = dimAt(sb, rank - 1);
  const rows = rowCount(dims, rank);
  resetCoords(rank);
  let oa = 0, ob = 0;
  for (let r = 0; r < rows; r++) {
    row(op, a + (<usize>oa << 2), ia, b + (<usize>ob << 2), ib, y + ((<usize>r * <usize>n) << 2), n, act, p0, p1);
    const d = stepAxis(dims, rank);
    if (d < 0) break;
    oa += delta(dims, sa, rank, d);
    ob += delta(dims, sb, rank, d);
  }
}

/** y = act(a op b) over `dims` (rank ≥ 1), y contiguous, a and b at element strides sa, sb. */
export function binary_f32(op: i32, a: usize, b: usize, y: usize, rank: i32, dims: usize, sa: usize, sb: usize, act: i32, p0: f32, p1: f32): void {
  // each op gets its own copy of the loops, with the op folded in
  switch (op) {
    case BIN_ADD: run(BIN_ADD, a, b, y, rank, dims, sa, sb, act, p0, p1); break;
    case BIN_SUB: run(BIN_SUB, a, b, y, rank, dims, sa, sb, act, p0, p1); break;
    case BIN_MUL: run(BIN_MUL, a, b, y, rank, dims, sa, sb, act, p0, p1); break;
    case BIN_DIV: run(BIN_DIV, a, b, y, rank, dims, sa, sb, act, p0, p1); break;
    case BIN_MAX: run(BIN_MAX, a, b, y, rank, dims, sa, sb, act, p0, p1); break;
    case BIN_MIN: run(BIN_MIN, a, b, y, rank, dims, sa, sb, act, p0, p1); break;
    case BIN_POW: run(BIN_POW, a, b, y, rank, dims, sa, sb, act, p0, p1); break;
    case BIN_PRELU: run(BIN_PRELU, a, b, y, rank, dims, sa, sb, act, p0, p1); break;
    default: run(BIN_FMOD, a, b, y, rank, dims, sa, sb, act, p0, p1);
  }
}
