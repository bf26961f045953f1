// Elementwise ops for every numeric dtype, where f32's vector kernels (binary.ts, unary.ts) do
// not reach: arithmetic, bitwise and logical ops with broadcasting, comparisons (bool out),
// Where, and the integer unary ops. Lane by lane through AssemblyScript generics, one copy per
// element type; halves compute in f32. The semantics are the reference's: integer division
// truncates (by zero gives 0), narrow integers wrap like C, Max/Min propagate NaN.

import { bf16ToF32, f32ToBf16, f32ToHalf, halfToF32 } from './half';
import { delta, dimAt, resetCoords, rowCount, stepAxis } from './strided';
import { T_BF16, T_BOOL, T_F16, T_F32, T_F64, T_I16, T_I32, T_I64, T_I8, T_U16, T_U32, T_U64, T_U8 } from './types';

export const G_ADD = 0;
export const G_SUB = 1;
export const G_MUL = 2;
export const G_DIV = 3;
export const G_MAX = 4;
export const G_MIN = 5;
export const G_POW = 6;
export const G_PRELU = 7;
/** C remainder: the dividend's sign */
export const G_FMOD = 8;
/** Python remainder: the divisor's sign */
export const G_MOD = 9;
export const G_SHL = 10;
export const G_SHR = 11;
export const G_BIT_AND = 12;
export const G_BIT_OR = 13;
export const G_BIT_XOR = 14;
/** comparisons and logical ops write bool */
export const G_EQUAL = 20;
export const G_LESS = 21;
export const G_LESS_EQUAL = 22;
export const G_GREATER = 23;
export const G_GREATER_EQUAL = 24;
export const G_AND = 25;
export const G_OR = 26;
export const G_XOR = 27;

@inline function ipow<T>(x: T, y: T): T {
  if (isSigned<T>() && y < <T>0) return x == <T>1 ? <T>1 : x == <T>-1 ? ((y & <T>1) ? <T>-1 : <T>1) : <T>0;
  let r = <T>1;
  let b = x;
  let e = y;
  while (e) {
    if (e & <T>1) r = r * b;
    b = b * b;
    e = e >> <T>1;
  }
  return r;
}

@inline function arith<T>(op: i32, a: T, b: T): T {
  if (isFloat<T>()) {
    switch (op) {
      case G_ADD: return a + b;
      case G_SUB: return a - b;
      case G_MUL: return a * b;
      case G_DIV: return a / b;
      case G_MAX: return a != a || b != b ? <T>NaN : max(a, b);
      case G_MIN: return a != a || b != b ? <T>NaN : min(a, b);
      case G_POW: return <T>Math.pow(<f64>a, <f64>b);
      case G_PRELU: return a < <T>0 ? a * b : a;
      case G_FMOD: return a % b;
      default: {
        const r = a % b;
        return r != <T>0 && (r < <T>0) != (b < <T>0) ? r + b : r;
      }
    }
  } else {
    return intArith<T>(op, a, b);
  }
}

@inline function intArith<T>(op: i32, a: T, b: T): T {
  switch (op) {
    case G_ADD: return a + b;
    case G_SUB: return a - b;
    case G_MUL: return a * b;
    // integer division truncates; by zero (and the one overflowing quotient) as the reference
    case G_DIV: return b == <T>0 ? <T>0 : isSigned<T>() && b == <T>-1 ? <T>0 - a : a / b;
    case G_MAX: return max(a, b);
    case G_MIN: return min(a, b);
    case G_POW: return ipow<T>(a, b);
    case G_PRELU: return isSigned<T>() && a < <T>0 ? a * b : a;
    case G_FMOD: return b == <T>0 ? <T>0 : isSigned<T>() && b == <T>-1 ? <T>0 : a % b;
    case G_MOD: {
      if (b == <T>0) return <T>0;
      const r = isSigned<T>() && b == <T>-1 ? <T>0 : a % b;
      return isSigned<T>() && r != <T>0 && (r < <T>0) != (b < <T>0) ? r + b : r;
    }
    case G_SHL: return b >= <T>(sizeof<T>() * 8) ? <T>0 : a << b;
    case G_SHR: return b >= <T>(sizeof<T>() * 8) ? <T>0 : a >> b;
    case G_BIT_AND: return a & b;
    case G_BIT_OR: return a | b;
    default: return a ^ b;
  }
}

@inline function compare<T>(op: i32, a: T, b: T): bool {
  switch (op) {
    case G_EQUAL: return a == b;
    case G_LESS: return a < b;
    case G_LESS_EQUAL: return a <= b;
    case G_GREATER: return a > b;
    case G_GREATER_EQUAL: return a >= b;
    case G_AND: return a != <T>0 && b != <T>0;
    case G_OR: return a != <T>0 || b != <T>0;
    default: return (a != <T>0) != (b != <T>0);
  }
}

/** Loads element i of a half or bfloat16 tensor as f32. */
@inline function load16(type: i32, p: usize): f32 {
  const h = <u32>load<u16>(p);
  return type == T_F16 ? halfToF32(h) : bf16ToF32(h);
}

@inline function store16(type: i32, p: usize, v: f32): void {
  store<u16>(p, <u16>(type == T_F16 ? f32ToHalf(v) : f32ToBf16(v)));
}

@inline function binaryRows<T>(type: i32, op: i32, a: usize, b: usize, y: usize, rank: i32, dims: usize, sa: usize, sb: usize): void {
  const n = dimAt(dims, rank - 1);
  const ia = dimAt(sa, rank - 1), ib = dimAt(sb, rank - 1);
  const rows = rowCount(dims, rank);
  const half = type == T_F16 || type == T_BF16;
  const e = half ? <usize>2 : <usize>sizeof<T>();
  const ye: usize = op >= G_EQUAL ? 1 : e;
  resetCoords(rank);
  let oa = 0, ob = 0;
  for (let r = 0; r < rows; r++) {
    let pa = a + <usize>oa * e, pb = b + <usize>ob * e, py = y + <usize>r * <usize>n * ye;
    const da = <usize>ia * e, db = <usize>ib * e;
    for (let i = 0; i < n; i++, pa += da, pb += db, py += ye) {
      if (half) {
        const x = load16(type, pa), z = load16(type, pb);
        if (op >= G_EQUAL) store<u8>(py, compare<f32>(op, x, z) ? 1 : 0);
        else store16(type, py, arith<f32>(op, x, z));
      } else if (op >= G_EQUAL) store<u8>(py, compare<T>(op, load<T>(pa), load<T>(pb)) ? 1 : 0);
      else store<T>(py, arith<T>(op, load<T>(pa), load<T>(pb)));
    }
    const d = stepAxis(dims, rank);
    if (d < 0) break;
    oa += delta(dims, sa, rank, d);
    ob += delta(dims, sb, rank, d);
  }
}

/**
 * y = a op b over `dims` for any element type (y contiguous, a and b at element strides sa, sb);
 * comparison and logical ops (op ≥ G_EQUAL) write bool.
 */
export function binary_any(type: i32, op: i32, a: usize, b: usize, y: usize, rank: i32, dims: usize, sa: usize, sb: usize): void {
  switch (type) {
    case T_F32: binaryRows<f32>(type, op, a, b, y, rank, dims, sa, sb); break;
    case T_F64: binaryRows<f64>(type, op, a, b, y, rank, dims, sa, sb); break;
    case T_I8: binaryRows<i8>(type, op, a, b, y, rank, dims, sa, sb); break;
    case T_U8: case T_BOOL: binaryRows<u8>(type, op, a, b, y, rank, dims, sa, sb); break;
    case T_I16: binaryRows<i16>(type, op, a, b, y, rank, dims, sa, sb); break;
    case T_U16: binaryRows<u16>(type, op, a, b, y, rank, dims, sa, sb); break;
    case T_I32: binaryRows<i32>(type, op, a, b, y, rank, dims, sa, sb); break;
    case T_U32: binaryRows<u32>(type, op, a, b, y, rank, dims, sa, sb); break;
    case T_I64: binaryRows<i64>(type, op, a, b, y, rank, dims, sa, sb); break;
    case T_U64: binaryRows<u64>(type, op, a, b, y, rank, dims, sa, sb); break;
    default: binaryRows<f32>(type, op, a, b, y, rank, dims, sa, sb); // halves
  }
}

/**
 * y = cond ? a : b over `dims`, elements of `esize` bytes, cond bool; all three at element
 * strides (sc, sa, sb) into a contiguous y.
 */
export function where_any(esize: i32, cond: usize, a: usize, b: usize, y: usize, rank: i32, dims: usize, sc: usize, sa: usize, sb: usize): void {
  const n = dimAt(dims, rank - 1);
  const ic = dimAt(sc, rank - 1), ia = dimAt(sa, rank - 1), ib = dimAt(sb, rank - 1);
  const rows = rowCount(dims, rank);
  const e = <usize>esize;
  resetCoords(rank);
  let oc = 0, oa = 0, ob = 0;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < n; i++) {
      const pick = load<u8>(cond + <usize>(oc + i * ic)) != 0;
      const src = pick ? a + <usize>(oa + i * ia) * e : b + <usize>(ob + i * ib) * e;
      const dst = y + (<usize>(r * n + i)) * e;
      if (esize == 4) store<u32>(dst, load<u32>(src));
      else if (esize == 8) store<u64>(dst, load<u64>(src));
      else if (esize == 2) store<u16>(dst, load<u16>(src));
      else store<u8>(dst, load<u8>(src));
    }
    const d = stepAxis(dims, rank);
    if (d < 0) break;
    oc += delta(dims, sc, rank, d);
    oa += delta(dims, sa, rank, d);
    ob += delta(dims, sb, rank, d);
  }
}

export const GU_ABS = 0;
export const GU_NEG = 1;
export const GU_SIGN = 2;
export const GU_NOT = 3;
export const GU_BIT_NOT = 4;
export const GU_RELU = 5;
export const GU_IS_NAN = 6;
export const GU_IS_INF = 7;
export const GU_IS_POS_INF = 8;
export const GU_IS_NEG_INF = 9;

@inline function unaryOne<T>(op: i32, x: T): T {
  switch (op) {
    case GU_ABS: return isSigned<T>() || isFloat<T>() ? (x < <T>0 ? <T>0 - x : x) : x;
    case GU_NEG: return <T>0 - x;
    case GU_SIGN: return x > <T>0 ? <T>1 : x < <T>0 ? <T>-1 : x;
    case GU_NOT: return x != <T>0 ? <T>0 : <T>1;
    case GU_BIT_NOT: {
      if (isInteger<T>()) return ~x;
      else return x;
    }
    default: return x > <T>0 ? x : <T>0; // GU_RELU
  }
}

@inline function unaryRun<T>(op: i32, x: usize, y: usize, n: i32): void {
  const e = <usize>sizeof<T>();
  for (let i = 0; i < n; i++) {
    const v = load<T>(x + <usize>i * e);
    if (op >= GU_IS_NAN) {
      let r = false;
      if (isFloat<T>()) {
        if (op == GU_IS_NAN) r = v != v;
        else if (op == GU_IS_INF) r = v == <T>Infinity || v == <T>-Infinity;
        else if (op == GU_IS_POS_INF) r = v == <T>Infinity;
        else r = v == <T>-Infinity;
      }
      store<u8>(y + <usize>i, r ? 1 : 0);
    } else store<T>(y + <usize>i * e, unaryOne<T>(op, v));
  }
}

/** The integer, sign and predicate unary ops for any element type; predicates write bool. */
export function unary_any(type: i32, op: i32, x: usize, y: usize, n: i32): void {
  switch (type) {
    case T_F32: unaryRun<f32>(op, x, y, n); break;
    case T_F64: unaryRun<f64>(op, x, y, n); break;
    case T_I8: unaryRun<i8>(op, x, y, n); break;
    case T_U8: case T_BOOL: unaryRun<u8>(op, x, y, n); break;
    case T_I16: unaryRun<i16>(op, x, y, n); break;
    case T_U16: unaryRun<u16>(op, x, y, n); break;
    case T_I32: unaryRun<i32>(op, x, y, n); break;
    case T_U32: unaryRun<u32>(op, x, y, n); break;
    case T_I64: unaryRun<i64>(op, x, y, n); break;
    default: unaryRun<u64>(op, x, y, n);
  }
}
