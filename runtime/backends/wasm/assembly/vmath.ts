// Vector math over f32x4 for the kernels' epilogues and maps: exp, expm1, sigmoid, tanh, erf.
// Polynomials after Cephes' single-precision routines; accurate to a few ulp, which the project's
// float32 tolerance (rtol 1e-3) leaves far behind, and near 0 they keep relative accuracy.

// exp(x) = 2^n · e^r with n = round(x·log2 e) and |r| ≤ ln2/2; ln 2 split in two for exact r.
const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
// Inputs are clamped so that 2^n stays a normal float (above, the result saturates near FLT_MAX).
const EXP_HI: f32 = 88.3762626647949;
const EXP_LO: f32 = -87.3365447504;

/** e^x per lane (NaN stays NaN). */
@inline export function exp4(x: v128): v128 {
  let v = f32x4.pmin(f32x4.pmax(x, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
  const fx = f32x4.nearest(f32x4.mul(v, f32x4.splat(LOG2E)));
  v = f32x4.sub(v, f32x4.mul(fx, f32x4.splat(LN2_HI)));
  v = f32x4.sub(v, f32x4.mul(fx, f32x4.splat(LN2_LO)));
  const z = f32x4.mul(v, v);
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, v), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, v), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, v), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, v), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, v), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(p, z), v), f32x4.splat(1));
  // 2^n built in the exponent field
  const n = i32x4.trunc_sat_f32x4_s(fx);
  const pow2n = i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
  const r = f32x4.mul(p, pow2n);
  return v128.bitselect(x, r, f32x4.ne(x, x));
}

/** e^x - 1 per lane, keeping relative accuracy near 0 (a Taylor polynomial below |x| = 0.35). */
@inline export function expm14(x: v128): v128 {
  // the series' first omitted term, x^8/8!, is below 1e-7 relative at 0.35
  let p = f32x4.splat(1.0 / 5040.0);
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(1.0 / 720.0));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(1.0 / 120.0));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(1.0 / 24.0));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(1.0 / 6.0));
  p = f32x4.add(f32x4.mul(p, x), f32x4.splat(0.5));
  p = f32x4.mul(f32x4.add(f32x4.mul(p, x), f32x4.splat(1)), x);
  const big = f32x4.sub(exp4(x), f32x4.splat(1));
  return v128.bitselect(p, big, f32x4.lt(f32x4.abs(x), f32x4.splat(0.35)));
}

/** 1 / (1 + e^-x) per lane. */
@inline export function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

/** tanh per lane: an odd polynomial below |x| = 0.625, 1 - 2/(e^2|x| + 1) with the sign above. */
@inline export function tanh4(x: v128): v128 {
  const a = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(x, f32x4.mul(f32x4.mul(p, z), x));
  const one = f32x4.splat(1);
  const e = exp4(f32x4.add(a, a));
  let big = f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(e, one)));
  // copy the sign of x onto |tanh|
  big = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, big, f32x4.lt(a, f32x4.splat(0.625)));
}

/** erf per lane: the Taylor series below |x| = 0.5, Numerical Recipes' erfc (error < 1.2e-7) above. */
@inline export function erf4(x: v128): v128 {
  const a = f32x4.abs(x);
  const t2 = f32x4.mul(a, a);
  let s = f32x4.splat(0.005223977625442188);
  s = f32x4.add(f32x4.mul(s, t2), f32x4.splat(-0.026866170645131252));
  s = f32x4.add(f32x4.mul(s, t2), f32x4.splat(0.11283791670955126));
  s = f32x4.add(f32x4.mul(s, t2), f32x4.splat(-0.3761263890318375));
  s = f32x4.add(f32x4.mul(s, t2), f32x4.splat(1.1283791670955126));
  const small = f32x4.mul(s, a);
  const t = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), f32x4.mul(f32x4.splat(0.5), a)));
  let q = f32x4.splat(0.17087277);
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(-0.82215223));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(1.48851587));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(-1.13520398));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(0.27886807));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(-0.18628806));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(0.09678418));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(0.37409196));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(1.00002368));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(-1.26551223));
  const erfc = f32x4.mul(t, exp4(f32x4.sub(q, t2)));
  const big = f32x4.sub(f32x4.splat(1), erfc);
  const r = v128.bitselect(small, big, f32x4.lt(a, f32x4.splat(0.5)));
  return v128.or(r, v128.and(x, i32x4.splat(0x80000000)));
}
