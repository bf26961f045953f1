// Depthwise convolution over NHWC (one filter per channel), weights packed [KH·KW][C] so that a
// tap's weights for four channels are one vector load. A 3×3 filter runs pixel-major: per output
// pixel, all its channels, nine input and nine weight loads per four (the weights, 9·C floats,
// stay in L1; the input is read in order). Measured here, that beat the weight-stationary order
// (nine weight vectors in registers, a channel block across a row) by 1.5×: the row's window
// then strides by C floats and falls out of L1 between channel blocks. Edge pixels point their
// outside taps at a zero vector instead of branching per tap; other filter sizes take the
// checked per-tap path.

import { ACT_CLIP, ACT_HARD_SWISH, ACT_NONE, act1, act4, cheap4 } from './activation';
import { madd } from './madd';

@inline function epilogue(v: v128, act: i32, p0: f32, p1: f32): v128 {
  if (act == ACT_NONE) return v;
  return act <= ACT_HARD_SWISH ? cheap4(v, act, p0, p1) : act4(v, act, p0, p1);
}

/** One output pixel over all channels, with bounds checks on every tap. */
function pixel(
  x: usize, H: i32, W: i32, C: i32, w: usize, bias: usize, out: usize,
  KH: i32, KW: i32, DH: i32, DW: i32, iy0: i32, ix0: i32, act: i32, p0: f32, p1: f32,
): void {
  const rowBytes = <usize>(W * C) << 2;
  let c = 0;
  for (; c + 4 <= C; c += 4) {
    const co = <usize>c << 2;
    let acc = bias ? v128.load(bias + co) : f32x4.splat(0);
    for (let ky = 0; ky < KH; ky++) {
      const iy = iy0 + ky * DH;
      if (iy < 0 || iy >= H) continue;
      const row = x + <usize>iy * rowBytes + co;
      const wr = w + ((<usize>(ky * KW) * <usize>C) << 2) + co;
      for (let kx = 0; kx < KW; kx++) {
        const ix = ix0 + kx * DW;
        if (ix < 0 || ix >= W) continue;
        acc = madd(acc, v128.load(row + ((<usize>ix * <usize>C) << 2)), v128.load(wr + ((<usize>kx * <usize>C) << 2)));
      }
    }
    v128.store(out + co, epilogue(acc, act, p0, p1));
  }
  for (; c < C; c++) {
    const co = <usize>c << 2;
    let acc: f32 = bias ? load<f32>(bias + co) : 0;
    for (let ky = 0; ky < KH; ky++) {
      const iy = iy0 + ky * DH;
      if (iy < 0 || iy >= H) continue;
      for (let kx = 0; kx < KW; kx++) {
        const ix = ix0 + kx * DW;
        if (ix < 0 || ix >= W) continue;
        acc += load<f32>(x + ((<usize>(iy * W + ix) * <usize>C) << 2) + co) * load<f32>(w + ((<usize>((ky * KW + kx) * C)) << 2) + co);
      }
    }
    store<f32>(out + co, act1(acc, act, p0, p1));
  }
}

/** Zeros standing in for the input where a 3×3 window hangs over the padding (C ≤ 4096). */
const ZEROS: usize = memory.data(4096 * 4, 16);

/**
 * One output pixel of a 3×3 filter, all channels, its nine taps given as pointers t0…t8 (ZEROS
 * where outside the input): nine input and nine weight loads per four channels.
 */
@inline function taps9(
  t0: usize, t1: usize, t2: usize, t3: usize, t4: usize, t5: usize, t6: usize, t7: usize, t8: usize,
  C: i32, C4: usize, w: usize, bias: usize, dst: usize, act: i32, p0: f32, p1: f32, lo: v128, hi: v128,
): void {
  let c = 0;
  for (; c + 4 <= C; c += 4) {
    const co = <usize>c << 2;
    const wc = w + co;
    let acc = bias ? v128.load(bias + co) : f32x4.splat(0);
    acc = madd(acc, v128.load(t0 + co), v128.load(wc));
    acc = madd(acc, v128.load(t1 + co), v128.load(wc + C4));
    acc = madd(acc, v128.load(t2 + co), v128.load(wc + 2 * C4));
    acc = madd(acc, v128.load(t3 + co), v128.load(wc + 3 * C4));
    acc = madd(acc, v128.load(t4 + co), v128.load(wc + 4 * C4));
    acc = madd(acc, v128.load(t5 + co), v128.load(wc + 5 * C4));
    acc = madd(acc, v128.load(t6 + co), v128.load(wc + 6 * C4));
    acc = madd(acc, v128.load(t7 + co), v128.load(wc + 7 * C4));
    acc = madd(acc, v128.load(t8 + co), v128.load(wc + 8 * C4));
    // the clamp (Relu, Relu6) inline with its bounds hoisted; other epilogues through the shared one
    v128.store(dst + co, act == ACT_CLIP ? f32x4.pmin(f32x4.pmax(acc, lo), hi) : epilogue(acc, act, p0, p1));
  }
  for (; c < C; c++) {
    const co = <usize>c << 2;
    let acc: f32 = bias ? load<f32>(bias + co) : 0;
    acc += load<f32>(t0 + co) * load<f32>(w + co) + load<f32>(t1 + co) * load<f32>(w + C4 + co) + load<f32>(t2 + co) * load<f32>(w + 2 * C4 + co);
    acc += load<f32>(t3 + co) * load<f32>(w + 3 * C4 + co) + load<f32>(t4 + co) * load<f32>(w + 4 * C4 + co) + load<f32>(t5 + co) * load<f32>(w + 5 * C4 + co);
    acc += load<f32>(t6 + co) * load<f32>(w + 6 * C4 + co) + load<f32>(t7 + co) * load<f32>(w + 7 * C4 + co) + load<f32>(t8 + co) * load<f32>(w + 8 * C4 + co);
    store<f32>(dst + co, act1(acc, act, p0, p1));
  }
}

/** A tap's pointer: the input pixel (iy, ix), or ZEROS outside. */
@inline function tap(x: usize, H: i32, W: i32, C4: usize, iy: i32, ix: i32): usize {
  return iy >= 0 && iy < H && ix >= 0 && ix < W ? x + <usize>(iy * W + ix) * C4 : ZEROS;
}

/**
 * A run of output pixels [ox0, ox1) of one row whose windows lie inside the input: pixel-major,
 * each pixel's nine taps at fixed offsets from its window's corner.
 */
function row3x3(
  x: usize, W: i32, C: i32, w: usize, bias: usize, yrow: usize, Y4: usize, iy: i32, ox0: i32, ox1: i32,
  SW: i32, PL: i32, DH: i32, DW: i32, act: i32, p0: f32, p1: f32, lo: v128, hi: v128,
): void {
  const C4 = <usize>C << 2;
  const rowStep = <usize>(W * DH) * C4, colStep = <usize>DW * C4, pixStep = <usize>SW * C4;
  let p = x + <usize>(iy * W + ox0 * SW - PL) * C4;
  let dst = yrow + <usize>ox0 * Y4;
  for (let ox = ox0; ox < ox1; ox++, p += pixStep, dst += Y4) {
    const r1 = p + rowStep, r2 = r1 + rowStep;
    taps9(p, p + colStep, p + 2 * colStep, r1, r1 + colStep, r1 + 2 * colStep, r2, r2 + colStep, r2 + 2 * colStep, C, C4, w, bias, dst, act, p0, p1, lo, hi);
  }
}

/**
 * Every output pixel of a 3×3 filter, pixel-major (all channels of a pixel, then the next): the
 * weights stay in L1 while the input streams by. Windows inside the input go through row3x3;
 * those at the edges point their outside taps at zeros.
 */
function conv3x3(
  x: usize, H: i32, W: i32, C: i32, w: usize, bias: usize, y: usize, Y4: usize, OH: i32, OW: i32,
  SH: i32, SW: i32, DH: i32, DW: i32, PT: i32, PL: i32, act: i32, p0: f32, p1: f32,
): void {
  const C4 = <usize>C << 2;
  // the clamp's bounds, for the inline Relu/Relu6 epilogue
  const lo = f32x4.splat(p0), hi = f32x4.splat(p1);
  // columns whose whole window lies inside the input
  const oxLo = min((PL + SW - 1) / SW, OW);
  let oxHi = W - 1 - 2 * DW + PL < 0 ? 0 : (W - 1 - 2 * DW + PL) / SW + 1;
  oxHi = max(oxLo, min(oxHi, OW));
  for (let oy = 0; oy < OH; oy++) {
    const iy = oy * SH - PT;
    const yrow = y + <usize>(oy * OW) * Y4;
    const inside = iy >= 0 && iy + 2 * DH < H;
    for (let ox = 0; ox < OW; ox++) {
      if (inside && ox == oxLo && oxHi > oxLo) {
        row3x3(x, W, C, w, bias, yrow, Y4, iy, oxLo, oxHi, SW, PL, DH, DW, act, p0, p1, lo, hi);
        ox = oxHi - 1;
        continue;
      }
      const jx = ox * SW - PL;
      taps9(
        tap(x, H, W, C4, iy, jx), tap(x, H, W, C4, iy, jx + DW), tap(x, H, W, C4, iy, jx + 2 * DW),
        tap(x, H, W, C4, iy + DH, jx), tap(x, H, W, C4, iy + DH, jx + DW), tap(x, H, W, C4, iy + DH, jx + 2 * DW),
        tap(x, H, W, C4, iy + 2 * DH, jx), tap(x, H, W, C4, iy + 2 * DH, jx + DW), tap(x, H, W, C4, iy + 2 * DH, jx + 2 * DW),
        C, C4, w, bias, yrow + <usize>ox * Y4, act, p0, p1, lo, hi,
      );
    }
  }
}

/**
 * One image: x [H, W, C] → y [OH, OW, C] with output pixels `ldy` floats apart; `w` [KH·KW][C],
 * `bias` [C] (0 for none).
 */
export function dwconv_nhwc_f32(
  x: usize, H: i32, W: i32, C: i32, w: usize, bias: usize, y: usize, ldy: i32, OH: i32, OW: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, DH: i32, DW: i32, PT: i32, PL: i32, act: i32, p0: f32, p1: f32,
): void {
  const Y4 = <usize>ldy << 2;
  if (KH == 3 && KW == 3 && C <= 4096) {
    conv3x3(x, H, W, C, w, bias, y, Y4, OH, OW, SH, SW, DH, DW, PT, PL, act, p0, p1);
    return;
  }
  for (let oy = 0; oy < OH; oy++) {
    const yrow = y + <usize>(oy * OW) * Y4;
    for (let ox = 0; ox < OW; ox++) pixel(x, H, W, C, w, bias, yrow + <usize>ox * Y4, KH, KW, DH, DW, oy * SH - PT, ox * SW - PL, act, p0, p1);
  }
}
