// The fused activation epilogue: what the passes' `kiln_activation` attributes mean, applied to
// a vector of results before it is stored. The codes match ACT in ../activation.ts.

import { erf4, exp4, expm14, sigmoid4, tanh4 } from './vmath';

export const ACT_NONE = 0;
/** clamp(x, p0, p1): Relu (0, +inf), Clip, Relu6 */
export const ACT_CLIP = 1;
/** x < 0 ? p0·x : x */
export const ACT_LEAKY = 2;
/** clamp(p0·x + p1, 0, 1) */
export const ACT_HARD_SIGMOID = 3;
/** x · clamp(x/6 + 1/2, 0, 1) */
export const ACT_HARD_SWISH = 4;
export const ACT_SIGMOID = 5;
export const ACT_TANH = 6;
/** 0.5·x·(1 + erf(x/√2)) */
export const ACT_GELU = 7;
/** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) */
export const ACT_GELU_TANH = 8;
/** x < 0 ? p0·(e^x - 1) : x */
export const ACT_ELU = 9;
/** log(1 + e^x) */
export const ACT_SOFTPLUS = 10;
/** x · sigmoid(p0·x): Swish, and SiLU (p0 = 1) as exporters write it */
export const ACT_SWISH = 11;

/**
 * The cheap activations (clamps and piecewise-linear ones) inline, where a kernel holds its
 * accumulators in registers; `act` must be at most ACT_HARD_SWISH.
 */
@inline export function cheap4(v: v128, act: i32, p0: f32, p1: f32): v128 {
  // pmin/pmax are single instructions; they map NaN to the bound instead of propagating it
  if (act == ACT_CLIP) return f32x4.pmin(f32x4.pmax(v, f32x4.splat(p0)), f32x4.splat(p1));
  if (act == ACT_LEAKY) return v128.bitselect(f32x4.mul(v, f32x4.splat(p0)), v, f32x4.lt(v, f32x4.splat(0)));
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  if (act == ACT_HARD_SIGMOID) {
    return f32x4.pmin(f32x4.pmax(f32x4.add(f32x4.mul(v, f32x4.splat(p0)), f32x4.splat(p1)), zero), one);
  }
  if (act == ACT_HARD_SWISH) {
    const g = f32x4.pmin(f32x4.pmax(f32x4.add(f32x4.mul(v, f32x4.splat(<f32>(1.0 / 6.0))), f32x4.splat(0.5)), zero), one);
    return f32x4.mul(v, g);
  }
  return v;
}

/** Any activation on one vector (not inlined: the transcendental ones are long). */
export function act4(v: v128, act: i32, p0: f32, p1: f32): v128 {
  switch (act) {
    case ACT_NONE: return v;
    case ACT_SIGMOID: return sigmoid4(v);
    case ACT_SWISH: return f32x4.mul(v, sigmoid4(f32x4.mul(v, f32x4.splat(p0))));
    case ACT_TANH: return tanh4(v);
    case ACT_GELU: {
      const h = f32x4.mul(v, f32x4.splat(0.5));
      return f32x4.add(h, f32x4.mul(h, erf4(f32x4.mul(v, f32x4.splat(0.7071067811865476)))));
    }
    case ACT_GELU_TANH: {
      const inner = f32x4.mul(f32x4.splat(0.7978845608028654), f32x4.add(v, f32x4.mul(f32x4.splat(0.044715), f32x4.mul(v, f32x4.mul(v, v)))));
      const h = f32x4.mul(v, f32x4.splat(0.5));
      return f32x4.add(h, f32x4.mul(h, tanh4(inner)));
    }
    case ACT_ELU: return v128.bitselect(f32x4.mul(f32x4.splat(p0), expm14(v)), v, f32x4.lt(v, f32x4.splat(0)));
    case ACT_SOFTPLUS: {
      // max(x, 0) + log1p(e^-|x|), lane by lane: rare enough not to need a vector log
      const e = exp4(f32x4.neg(f32x4.abs(v)));
      const m = f32x4.pmax(v, f32x4.splat(0));
      let r = f32x4.splat(0);
      r = f32x4.replace_lane(r, 0, f32x4.extract_lane(m, 0) + Mathf.log1p(f32x4.extract_lane(e, 0)));
      r = f32x4.replace_lane(r, 1, f32x4.extract_lane(m, 1) + Mathf.log1p(f32x4.extract_lane(e, 1)));
      r = f32x4.replace_lane(r, 2, f32x4.extract_lane(m, 2) + Mathf.log1p(f32x4.extract_lane(e, 2)));
      r = f32x4.replace_lane(r, 3, f32x4.extract_lane(m, 3) + Mathf.log1p(f32x4.extract_lane(e, 3)));
      return r;
    }
    default: return cheap4(v, act, p0, p1);
  }
}

/** One scalar through the activation (tails of vector loops). */
@inline export function act1(x: f32, act: i32, p0: f32, p1: f32): f32 {
  return act == ACT_NONE ? x : f32x4.extract_lane(act4(f32x4.splat(x), act, p0, p1), 0);
}

/** Applies the activation in place to `n` floats at `p` (kernels whose epilogue runs apart). */
export function activate_f32(p: usize, n: i32, act: i32, p0: f32, p1: f32): void {
  if (act == ACT_NONE) return;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const q = p + (<usize>i << 2);
    v128.store(q, act4(v128.load(q), act, p0, p1));
  }
  for (; i < n; i++) {
    const q = p + (<usize>i << 2);
    store<f32>(q, act1(load<f32>(q), act, p0, p1));
  }
}
