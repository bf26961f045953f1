// WGSL helper functions the activation and elementwise expressions call (k_erf, k_expm1, …),
// and `helpersFor`, which adds to a shader exactly the helpers its code calls.

/** The activation helpers by name; `helpersFor` adds the ones a shader calls (and theirs). */
const HELPERS: Readonly<Record<string, string>> = {
  k_erf: `
fn k_erf(x: f32) -> f32 {
  // Below 0.5 the Taylor series converges in a few terms and keeps relative accuracy near 0;
  // above it, Numerical Recipes' erfc (fractional error < 1.2e-7) as 1 - erfc.
  let a = abs(x);
  var r: f32;
  if (a < 0.5f) {
    let t = a * a;
    r = a * (1.1283791670955126f + t * (-0.3761263890318375f + t * (0.11283791670955126f + t * (-0.026866170645131252f + t * 0.005223977625442188f))));
  } else {
    let t = 1.0f / (1.0f + 0.5f * a);
    let y = t * exp(-a * a - 1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f)))))))));
    r = 1.0f - y;
  }
  return select(-r, r, x >= 0.0f);
}`,
  // log(1 + y) and exp(x) - 1 keeping relative accuracy near 0: a short series there, since the
  // GPU's log/exp may be accurate only in absolute terms near 1 (NVIDIA's lg2.approx: ~2^-22)
  k_log1p: `
fn k_log1p(y: f32) -> f32 {
  if (abs(y) < 0.01f) { return y * (1.0f - y * (0.5f - y * (0.3333333333f - y * 0.25f))); }
  return log(1.0f + y);
}`,
  k_expm1: `
fn k_expm1(x: f32) -> f32 {
  if (abs(x) < 0.01f) { return x * (1.0f + x * (0.5f + x * (0.1666666667f + x * 0.0416666667f))); }
  return exp(x) - 1.0f;
}`,
  k_softplus: `
fn k_softplus(x: f32) -> f32 { return max(x, 0.0f) + k_log1p(exp(-abs(x))); }`,
  k_sigmoid: `
fn k_sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0f + e), 1.0f / (1.0f + e), x >= 0.0f);
}`,
  // WGSL's tanh may overflow to NaN for large |x| on some drivers (it is ±1 to f32 there anyway),
  // and SwiftShader's loses relative accuracy near 0 (1e-3 at 5e-5), where the series is exact.
  k_tanh: `
fn k_tanh(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.05f) { let t = x * x; return x * (1.0f - t * (0.3333333333f - t * 0.1333333333f)); }
  return select(tanh(x), sign(x), a > 10.0f);
}`,
};

/** Math helpers the elementwise and reduction kernels call (pow, NaN-propagating max/min, ±inf). */
const MATH_HELPERS: Readonly<Record<string, string>> = {
  // pow with the sign of a negative base for integral exponents (WGSL's pow is undefined there)
  k_pow: `
fn k_pow(a: f32, b: f32) -> f32 {
  if (b == 0.0f) { return 1.0f; }
  if (a >= 0.0f) { return pow(a, b); }
  if (b != floor(b)) { return k_nan(); }
  let m = pow(-a, b);
  return select(m, -m, (i32(b) & 1) == 1);
}`,
  // integer power by squaring, wrapping like C; negative exponents give 1/x truncated
  k_ipow: `
fn k_ipow(a: i32, b: i32) -> i32 {
  if (b < 0) { return select(select(0i, select(-1i, 1i, (b & 1) == 0), a == -1i), 1i, a == 1i); }
  var r = 1i;
  var x = a;
  var e = b;
  loop {
    if (e == 0) { break; }
    if ((e & 1) == 1) { r = r * x; }
    x = x * x;
    e = e >> 1u;
  }
  return r;
}`,
  // max/min that propagate NaN like numpy (WGSL leaves it to the driver)
  k_fmax: `
fn k_fmax(a: f32, b: f32) -> f32 { return select(max(a, b), a + b, a != a || b != b); }`,
  k_fmin: `
fn k_fmin(a: f32, b: f32) -> f32 { return select(min(a, b), a + b, a != a || b != b); }`,
  // a / b correctly rounded: WGSL lets f32 division be 2.5 ULP off, and NVIDIA's is (H100:
  // -2.5 / 0.019607844 gave -127.5, not -127.49999, which moves quantization across a .5). Of the
  // quotient and its two neighbours, keep the one whose exact residual (fma) is smallest.
  k_div: `
fn k_div(a: f32, b: f32) -> f32 {
  let q = a / b;
  let bits = bitcast<i32>(q);
  let below = bitcast<f32>(bits - 1);
  let above = bitcast<f32>(bits + 1);
  var best = q;
  var r = abs(fma(-q, b, a));
  let rb = abs(fma(-below, b, a));
  let ra = abs(fma(-above, b, a));
  if (rb < r) { best = below; r = rb; }
  if (ra < r) { best = above; }
  return best;
}`,
  // infinities built at run time: WGSL rejects them in constant expressions
  k_inf: `
fn k_inf(s: f32) -> f32 { var k_bits = 0x7f800000u; return s * bitcast<f32>(k_bits); }`,
};

/** Every activation helper (what `activationExpr` may call), for shaders that do not use `helpersFor`. */
export const ACTIVATION_HELPERS = Object.values(HELPERS).join('\n');

/** The helper functions `code` calls (transitively), in dependency order. */
export function helpersFor(code: string, extra: Readonly<Record<string, string>> = {}): string {
  const all: Record<string, string> = { ...HELPERS, ...MATH_HELPERS, ...extra };
  const picked = new Set<string>();
  let text = code;
  let grew = true;
  while (grew) {
    grew = false;
    for (const [name, fn] of Object.entries(all)) {
      if (!picked.has(name) && text.includes(`${name}(`) && !code.includes(`fn ${name}(`)) {
        picked.add(name);
        text += fn;
        grew = true;
      }
    }
  }
  // WGSL module-scope declarations may come in any order
  return Object.keys(all).filter((n) => picked.has(n)).map((n) => all[n]).join('\n');
}

