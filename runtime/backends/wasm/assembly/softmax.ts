// Softmax and LogSoftmax over one axis of a [outer, n, inner] view: max-subtracted exponentials,
// vectorised along the axis when it is innermost, across the inner axis otherwise.

import { exp4 } from './vmath';

@inline function hmax(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

@inline function exp1(x: f32): f32 {
  return f32x4.extract_lane(exp4(f32x4.splat(x)), 0);
}

/** One contiguous row of n. */
function row(x: usize, y: usize, n: i32, log: bool): void {
  let i = 0;
  let mv = f32x4.splat(-Infinity);
  for (; i + 4 <= n; i += 4) mv = f32x4.max(mv, v128.load(x + (<usize>i << 2)));
  let m = hmax(mv);
  for (; i < n; i++) m = max(m, load<f32>(x + (<usize>i << 2)));
  const msplat = f32x4.splat(m);
  let sv = f32x4.splat(0);
  let s: f32 = 0;
  i = 0;
  if (log) {
    for (; i + 4 <= n; i += 4) sv = f32x4.add(sv, exp4(f32x4.sub(v128.load(x + (<usize>i << 2)), msplat)));
    s = hsum(sv);
    for (; i < n; i++) s += exp1(load<f32>(x + (<usize>i << 2)) - m);
    const shift = f32x4.splat(m + Mathf.log(s));
    i = 0;
    for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), f32x4.sub(v128.load(x + (<usize>i << 2)), shift));
    for (; i < n; i++) store<f32>(y + (<usize>i << 2), load<f32>(x + (<usize>i << 2)) - f32x4.extract_lane(shift, 0));
    return;
  }
  for (; i + 4 <= n; i += 4) {
    const e = exp4(f32x4.sub(v128.load(x + (<usize>i << 2)), msplat));
    v128.store(y + (<usize>i << 2), e);
    sv = f32x4.add(sv, e);
  }
  s = hsum(sv);
  for (; i < n; i++) {
    const e = exp1(load<f32>(x + (<usize>i << 2)) - m);
    store<f32>(y + (<usize>i << 2), e);
    s += e;
  }
  const inv = f32x4.splat(<f32>1 / s);
  i = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), f32x4.mul(v128.load(y + (<usize>i << 2)), inv));
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), load<f32>(y + (<usize>i << 2)) * f32x4.extract_lane(inv, 0));
}

/** Four neighbouring columns of a [n, inner] block at once (the axis is not innermost). */
function columns4(x: usize, y: usize, n: i32, stride: usize, log: bool): void {
  let m = f32x4.splat(-Infinity);
  for (let k = 0; k < n; k++) m = f32x4.max(m, v128.load(x + <usize>k * stride));
  let s = f32x4.splat(0);
  for (let k = 0; k < n; k++) {
    const e = exp4(f32x4.sub(v128.load(x + <usize>k * stride), m));
    if (!log) v128.store(y + <usize>k * stride, e);
    s = f32x4.add(s, e);
  }
  if (log) {
    // log of each lane's sum, lane by lane
    let ls = f32x4.splat(0);
    ls = f32x4.replace_lane(ls, 0, Mathf.log(f32x4.extract_lane(s, 0)));
    ls = f32x4.replace_lane(ls, 1, Mathf.log(f32x4.extract_lane(s, 1)));
    ls = f32x4.replace_lane(ls, 2, Mathf.log(f32x4.extract_lane(s, 2)));
    ls = f32x4.replace_lane(ls, 3, Mathf.log(f32x4.extract_lane(s, 3)));
    const shift = f32x4.add(m, ls);
    for (let k = 0; k < n; k++) v128.store(y + <usize>k * stride, f32x4.sub(v128.load(x + <usize>k * stride), shift));
    return;
  }
  const inv = f32x4.div(f32x4.splat(1), s);
  for (let k = 0; k < n; k++) v128.store(y + <usize>k * stride, f32x4.mul(v128.load(y + <usize>k * stride), inv));
}

/** One column of a [n, inner] block. */
function column1(x: usize, y: usize, n: i32, stride: usize, log: bool): void {
  let m: f32 = -Infinity;
  for (let k = 0; k < n; k++) m = max(m, load<f32>(x + <usize>k * stride));
  let s: f32 = 0;
  for (let k = 0; k < n; k++) {
    const e = exp1(load<f32>(x + <usize>k * stride) - m);
    if (!log) store<f32>(y + <usize>k * stride, e);
    s += e;
  }
  if (log) {
    const shift = m + Mathf.log(s);
    for (let k = 0; k < n; k++) store<f32>(y + <usize>k * stride, load<f32>(x + <usize>k * stride) - shift);
    return;
  }
  const inv = <f32>1 / s;
  for (let k = 0; k < n; k++) store<f32>(y + <usize>k * stride, load<f32>(y + <usize>k * stride) * inv);
}

/** Softmax (log = 0) or LogSoftmax (log = 1) of x [outer, n, inner] along n, into y. */
export function softmax_f32(x: usize, y: usize, outer: i32, n: i32, inner: i32, log: i32): void {
  const block = <usize>(n * inner) << 2;
  const stride = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const xo = x + <usize>o * block, yo = y + <usize>o * block;
    if (inner == 1) {
      row(xo, yo, n, log != 0);
      continue;
    }
    let j = 0;
    for (; j + 4 <= inner; j += 4) columns4(xo + (<usize>j << 2), yo + (<usize>j << 2), n, stride, log != 0);
    for (; j < inner; j++) column1(xo + (<usize>j << 2), yo + (<usize>j << 2), n, stride, log != 0);
  }
}
