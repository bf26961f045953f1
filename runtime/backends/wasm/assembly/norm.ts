// Normalisations: LayerNormalization over rows (two passes: mean, then variance of the
// centred values, for accuracy), InstanceNormalization over each (n, c) plane, and the per-channel
// affine map a BatchNormalization that was not folded into a Conv becomes.

@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Mean of n floats. */
function meanOf(x: usize, n: i32): f32 {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    s0 = f32x4.add(s0, v128.load(x + (<usize>i << 2)));
    s1 = f32x4.add(s1, v128.load(x + (<usize>i << 2), 16));
  }
  let s = hsum(f32x4.add(s0, s1));
  for (; i < n; i++) s += load<f32>(x + (<usize>i << 2));
  return s / <f32>n;
}

/** Mean of (x - m)² over n floats. */
function varianceOf(x: usize, n: i32, m: f32): f32 {
  const mv = f32x4.splat(m);
  let s0 = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const d = f32x4.sub(v128.load(x + (<usize>i << 2)), mv);
    s0 = f32x4.add(s0, f32x4.mul(d, d));
  }
  let s = hsum(s0);
  for (; i < n; i++) {
    const d = load<f32>(x + (<usize>i << 2)) - m;
    s += d * d;
  }
  return s / <f32>n;
}

/**
 * y = (x - mean) / sqrt(var + eps) · scale + bias per row of n; scale and bias hold n floats
 * (bias 0: none); mean and invStd (0: not wanted) receive one float per row. With `rms` the mean
 * is taken as 0 (RMSNormalization: x / sqrt(mean(x²) + eps) · scale).
 */
export function layernorm_f32(x: usize, scale: usize, bias: usize, y: usize, rows: i32, n: i32, eps: f32, mean: usize, invStd: usize, rms: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + ((<usize>r * <usize>n) << 2), yr = y + ((<usize>r * <usize>n) << 2);
    const m: f32 = rms ? 0 : meanOf(xr, n);
    const inv = <f32>1 / Mathf.sqrt(varianceOf(xr, n, m) + eps);
    if (mean) store<f32>(mean + (<usize>r << 2), m);
    if (invStd) store<f32>(invStd + (<usize>r << 2), inv);
    const mv = f32x4.splat(m), iv = f32x4.splat(inv);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      let v = f32x4.mul(f32x4.mul(f32x4.sub(v128.load(xr + o), mv), iv), v128.load(scale + o));
      if (bias) v = f32x4.add(v, v128.load(bias + o));
      v128.store(yr + o, v);
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      let v = (load<f32>(xr + o) - m) * inv * load<f32>(scale + o);
      if (bias) v += load<f32>(bias + o);
      store<f32>(yr + o, v);
    }
  }
}

/** y = x · s[c] + t[c] over x [outer, C, inner] (NCHW: inner = H·W; NHWC: inner = 1). */
export function affine_f32(x: usize, y: usize, outer: i32, C: i32, inner: i32, s: usize, t: usize): void {
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      const xo = x + ((<usize>o * <usize>C) << 2), yo = y + ((<usize>o * <usize>C) << 2);
      let c = 0;
      for (; c + 4 <= C; c += 4) {
        const k = <usize>c << 2;
        v128.store(yo + k, f32x4.add(f32x4.mul(v128.load(xo + k), v128.load(s + k)), v128.load(t + k)));
      }
      for (; c < C; c++) {
        const k = <usize>c << 2;
        store<f32>(yo + k, load<f32>(xo + k) * load<f32>(s + k) + load<f32>(t + k));
      }
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < C; c++) {
      const base = (<usize>(o * C + c) * <usize>inner) << 2;
      const sc = load<f32>(s + (<usize>c << 2)), tc = load<f32>(t + (<usize>c << 2));
      const sv = f32x4.splat(sc), tv = f32x4.splat(tc);
      let i = 0;
      for (; i + 4 <= inner; i += 4) {
        const k = base + (<usize>i << 2);
        v128.store(y + k, f32x4.add(f32x4.mul(v128.load(x + k), sv), tv));
      }
      for (; i < inner; i++) {
        const k = base + (<usize>i << 2);
        store<f32>(y + k, load<f32>(x + k) * sc + tc);
      }
    }
  }
}

/** InstanceNormalization on NCHW: each (n, c) plane of `plane` floats normalised, then scale[c], bias[c]. */
export function instancenorm_f32(x: usize, y: usize, N: i32, C: i32, plane: i32, scale: usize, bias: usize, eps: f32): void {
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const off = (<usize>(n * C + c) * <usize>plane) << 2;
      const m = meanOf(x + off, plane);
      const inv = <f32>1 / Mathf.sqrt(varianceOf(x + off, plane, m) + eps);
      const a = inv * load<f32>(scale + (<usize>c << 2));
      const b = load<f32>(bias + (<usize>c << 2)) - m * a;
      const av = f32x4.splat(a), bv = f32x4.splat(b);
      let i = 0;
      for (; i + 4 <= plane; i += 4) {
        const k = off + (<usize>i << 2);
        v128.store(y + k, f32x4.add(f32x4.mul(v128.load(x + k), av), bv));
      }
      for (; i < plane; i++) {
        const k = off + (<usize>i << 2);
        store<f32>(y + k, load<f32>(x + k) * a + b);
      }
    }
  }
}
