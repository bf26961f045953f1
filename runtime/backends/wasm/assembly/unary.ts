// Elementwise unary ops on contiguous f32: the activations and the float math ops. The common
// ones run as vectors (vmath.ts); the rarely used transcendental ones (trigonometry, log) go lane
// by lane through AssemblyScript's Mathf. Codes match UNARY in ../kernels/unary.ts.

import { ACT_CLIP, ACT_ELU, ACT_GELU, ACT_GELU_TANH, ACT_HARD_SIGMOID, ACT_HARD_SWISH, ACT_LEAKY, act4, cheap4 } from './activation';
import { erf4, exp4, expm14, sigmoid4, tanh4 } from './vmath';

export const UN_ABS = 0;
export const UN_NEG = 1;
export const UN_SQRT = 2;
export const UN_RECIPROCAL = 3;
export const UN_FLOOR = 4;
export const UN_CEIL = 5;
/** round half to even */
export const UN_ROUND = 6;
export const UN_EXP = 7;
export const UN_SIGMOID = 8;
export const UN_TANH = 9;
/** clamp(x, p0, p1) */
export const UN_CLIP = 10;
export const UN_LEAKY = 11;
export const UN_ELU = 12;
/** p1 · (x > 0 ? x : p0·(e^x - 1)) */
export const UN_SELU = 13;
/** max(0, x) + min(0, p0·(e^(x/p0) - 1)) */
export const UN_CELU = 14;
export const UN_HARD_SIGMOID = 15;
export const UN_HARD_SWISH = 16;
/** x · sigmoid(p0·x) */
export const UN_SWISH = 17;
/** x > p0 ? x : 0 */
export const UN_THRESHOLDED_RELU = 18;
export const UN_SOFTSIGN = 19;
export const UN_GELU = 20;
export const UN_GELU_TANH = 21;
export const UN_ERF = 22;
/** x < -p0 ? x + p1 : x > p0 ? x - p1 : 0 */
export const UN_SHRINK = 23;
export const UN_SIGN = 24;
// lane by lane from here on
export const UN_LOG = 25;
export const UN_SIN = 26;
export const UN_COS = 27;
export const UN_TAN = 28;
export const UN_ASIN = 29;
export const UN_ACOS = 30;
export const UN_ATAN = 31;
export const UN_SINH = 32;
export const UN_COSH = 33;
export const UN_ASINH = 34;
export const UN_ACOSH = 35;
export const UN_ATANH = 36;
export const UN_SOFTPLUS = 37;
export const UN_MISH = 38;
/** x > 0 ? x : 0 (NaN gives 0, as the reference's comparison does) */
export const UN_RELU = 39;

@inline function vec(op: i32, x: v128, p0: f32, p1: f32): v128 {
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  switch (op) {
    case UN_ABS: return f32x4.abs(x);
    case UN_NEG: return f32x4.neg(x);
    case UN_SQRT: return f32x4.sqrt(x);
    case UN_RECIPROCAL: return f32x4.div(one, x);
    case UN_FLOOR: return f32x4.floor(x);
    case UN_CEIL: return f32x4.ceil(x);
    case UN_ROUND: return f32x4.nearest(x);
    case UN_EXP: return exp4(x);
    case UN_SIGMOID: return sigmoid4(x);
    case UN_TANH: return tanh4(x);
    // f32x4.max/min propagate NaN as the reference does
    case UN_CLIP: return f32x4.min(f32x4.max(x, f32x4.splat(p0)), f32x4.splat(p1));
    case UN_LEAKY: return cheap4(x, ACT_LEAKY, p0, p1);
    case UN_ELU: return act4(x, ACT_ELU, p0, p1);
    case UN_SELU: {
      const neg = f32x4.mul(f32x4.splat(p0), expm14(x));
      return f32x4.mul(f32x4.splat(p1), v128.bitselect(x, neg, f32x4.gt(x, zero)));
    }
    case UN_CELU: {
      const e = f32x4.mul(f32x4.splat(p0), expm14(f32x4.div(x, f32x4.splat(p0))));
      return f32x4.add(f32x4.pmax(x, zero), f32x4.pmin(e, zero));
    }
    case UN_HARD_SIGMOID: return cheap4(x, ACT_HARD_SIGMOID, p0, p1);
    case UN_HARD_SWISH: return cheap4(x, ACT_HARD_SWISH, p0, p1);
    case UN_SWISH: return f32x4.mul(x, sigmoid4(f32x4.mul(x, f32x4.splat(p0))));
    case UN_THRESHOLDED_RELU: return v128.and(x, f32x4.gt(x, f32x4.splat(p0)));
    case UN_SOFTSIGN: return f32x4.div(x, f32x4.add(one, f32x4.abs(x)));
    case UN_GELU: return act4(x, ACT_GELU, p0, p1);
    case UN_GELU_TANH: return act4(x, ACT_GELU_TANH, p0, p1);
    case UN_ERF: return erf4(x);
    case UN_SHRINK: {
      const l = f32x4.splat(p0), b = f32x4.splat(p1);
      const lo = v128.and(f32x4.add(x, b), f32x4.lt(x, f32x4.neg(l)));
      const hi = v128.and(f32x4.sub(x, b), f32x4.gt(x, l));
      return v128.or(lo, hi);
    }
    case UN_RELU: return cheap4(x, ACT_CLIP, 0, Infinity);
    case UN_SIGN: {
      const pos = v128.and(one, f32x4.gt(x, zero));
      const neg = v128.and(f32x4.neg(one), f32x4.lt(x, zero));
      // NaN keeps NaN
      return v128.bitselect(x, v128.or(pos, neg), f32x4.ne(x, x));
    }
    default: return x;
  }
}

@inline function softplus1(x: f32): f32 {
  return max(x, 0) + Mathf.log1p(Mathf.exp(-Mathf.abs(x)));
}

@inline function lane(op: i32, x: f32): f32 {
  switch (op) {
    case UN_LOG: return Mathf.log(x);
    case UN_SIN: return Mathf.sin(x);
    case UN_COS: return Mathf.cos(x);
    case UN_TAN: return Mathf.tan(x);
    case UN_ASIN: return Mathf.asin(x);
    case UN_ACOS: return Mathf.acos(x);
    case UN_ATAN: return Mathf.atan(x);
    case UN_SINH: return Mathf.sinh(x);
    case UN_COSH: return Mathf.cosh(x);
    case UN_ASINH: return Mathf.asinh(x);
    case UN_ACOSH: return Mathf.acosh(x);
    case UN_ATANH: return Mathf.atanh(x);
    case UN_SOFTPLUS: return softplus1(x);
    default: return x * <f32>Math.tanh(<f64>softplus1(x)); // UN_MISH
  }
}

/** A zero-padded vector for the last n % 4 elements, so the tail gets the very same arithmetic. */
const TAIL: usize = memory.data(16, 16);

@inline function runVec(op: i32, x: usize, y: usize, n: i32, p0: f32, p1: f32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, vec(op, v128.load(x + o), p0, p1));
  }
  if (i < n) {
    const o = <usize>i << 2, bytes = <usize>(n - i) << 2;
    v128.store(TAIL, f32x4.splat(0));
    memory.copy(TAIL, x + o, bytes);
    v128.store(TAIL, vec(op, v128.load(TAIL), p0, p1));
    memory.copy(y + o, TAIL, bytes);
  }
}

@inline function runLane(op: i32, x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, lane(op, load<f32>(x + o)));
  }
}

/** y[i] = op(x[i]) for n contiguous floats (x and y may be the same). */
export function unary_f32(op: i32, x: usize, y: usize, n: i32, p0: f32, p1: f32): void {
  switch (op) {
    case UN_ABS: runVec(UN_ABS, x, y, n, p0, p1); break;
    case UN_NEG: runVec(UN_NEG, x, y, n, p0, p1); break;
    case UN_SQRT: runVec(UN_SQRT, x, y, n, p0, p1); break;
    case UN_RECIPROCAL: runVec(UN_RECIPROCAL, x, y, n, p0, p1); break;
    case UN_FLOOR: runVec(UN_FLOOR, x, y, n, p0, p1); break;
    case UN_CEIL: runVec(UN_CEIL, x, y, n, p0, p1); break;
    case UN_ROUND: runVec(UN_ROUND, x, y, n, p0, p1); break;
    case UN_EXP: runVec(UN_EXP, x, y, n, p0, p1); break;
    case UN_SIGMOID: runVec(UN_SIGMOID, x, y, n, p0, p1); break;
    case UN_TANH: runVec(UN_TANH, x, y, n, p0, p1); break;
    case UN_CLIP: runVec(UN_CLIP, x, y, n, p0, p1); break;
    case UN_LEAKY: runVec(UN_LEAKY, x, y, n, p0, p1); break;
    case UN_ELU: runVec(UN_ELU, x, y, n, p0, p1); break;
    case UN_SELU: runVec(UN_SELU, x, y, n, p0, p1); break;
    case UN_CELU: runVec(UN_CELU, x, y, n, p0, p1); break;
    case UN_HARD_SIGMOID: runVec(UN_HARD_SIGMOID, x, y, n, p0, p1); break;
    case UN_HARD_SWISH: runVec(UN_HARD_SWISH, x, y, n, p0, p1); break;
    case UN_SWISH: runVec(UN_SWISH, x, y, n, p0, p1); break;
    case UN_THRESHOLDED_RELU: runVec(UN_THRESHOLDED_RELU, x, y, n, p0, p1); break;
    case UN_SOFTSIGN: runVec(UN_SOFTSIGN, x, y, n, p0, p1); break;
    case UN_GELU: runVec(UN_GELU, x, y, n, p0, p1); break;
    case UN_GELU_TANH: runVec(UN_GELU_TANH, x, y, n, p0, p1); break;
    case UN_ERF: runVec(UN_ERF, x, y, n, p0, p1); break;
    case UN_SHRINK: runVec(UN_SHRINK, x, y, n, p0, p1); break;
    case UN_SIGN: runVec(UN_SIGN, x, y, n, p0, p1); break;
    case UN_RELU: runVec(UN_RELU, x, y, n, p0, p1); break;
    case UN_LOG: runLane(UN_LOG, x, y, n); break;
    case UN_SIN: runLane(UN_SIN, x, y, n); break;
    case UN_COS: runLane(UN_COS, x, y, n); break;
    case UN_TAN: runLane(UN_TAN, x, y, n); break;
    case UN_ASIN: runLane(UN_ASIN, x, y, n); break;
    case UN_ACOS: runLane(UN_ACOS, x, y, n); break;
    case UN_ATAN: runLane(UN_ATAN, x, y, n); break;
    case UN_SINH: runLane(UN_SINH, x, y, n); break;
    case UN_COSH: runLane(UN_COSH, x, y, n); break;
    case UN_ASINH: runLane(UN_ASINH, x, y, n); break;
    case UN_ACOSH: runLane(UN_ACOSH, x, y, n); break;
    case UN_ATANH: runLane(UN_ATANH, x, y, n); break;
    case UN_SOFTPLUS: runLane(UN_SOFTPLUS, x, y, n); break;
    default: runLane(UN_MISH, x, y, n);
  }
}
