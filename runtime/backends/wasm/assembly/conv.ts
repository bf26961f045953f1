// Convolution over NHWC activations with weights packed as GEMM panels (K = KH·KW·Cin/group rows
// in (ky, kx, ci) order, Cout/group columns per group). A pointwise convolution multiplies the
// input directly; any other gathers a chunk of output pixels' windows into `scratch` (im2col,
// sized to stay in L2) and multiplies that, so no full im2col matrix is ever built.

import { gemm_f32 } from './gemm';

/** Copies n floats (the windows' channel runs, 3 to hundreds long). */
@inline function copyFloats(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
}

@inline function zeroFloats(dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), f32x4.splat(0));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
}

/**
 * Rows [r0, r0 + rows) of the im2col matrix of group `g`: row r is output pixel r's window,
 * KH·KW runs of Cg channels, zeros where the window hangs over the padding.
 */
function im2col(
  x: usize, H: i32, W: i32, C: i32, OW: i32, KH: i32, KW: i32, SH: i32, SW: i32, DH: i32, DW: i32,
  PT: i32, PL: i32, c0: i32, Cg: i32, r0: i32, rows: i32, dst: usize,
): void {
  const K = KH * KW * Cg;
  let oy = r0 / OW, ox = r0 % OW;
  for (let r = 0; r < rows; r++) {
    let seg = dst + ((<usize>r * <usize>K) << 2);
    for (let ky = 0; ky < KH; ky++) {
      const iy = oy * SH - PT + ky * DH;
      if (iy < 0 || iy >= H) {
        zeroFloats(seg, KW * Cg);
        seg += <usize>(KW * Cg) << 2;
        continue;
      }
      const rowBase = x + ((<usize>(iy * W) * <usize>C + <usize>c0) << 2);
      const ix0 = ox * SW - PL;
      if (DW == 1 && Cg == C && ix0 >= 0 && ix0 + KW <= W) {
        // the whole window row is one run of KW·C floats in NHWC
        copyFloats(seg, rowBase + ((<usize>ix0 * <usize>C) << 2), KW * C);
        seg += <usize>(KW * C) << 2;
        continue;
      }
      for (let kx = 0; kx < KW; kx++) {
        const ix = ox * SW - PL + kx * DW;
        if (ix < 0 || ix >= W) zeroFloats(seg, Cg);
        else copyFloats(seg, rowBase + ((<usize>ix * <usize>C) << 2), Cg);
        seg += <usize>Cg << 2;
      }
    }
    if (++ox == OW) {
      ox = 0;
      oy++;
    }
  }
}

/**
 * One image: x [H, W, C] → y [OH, OW, M], output pixels `ldy` floats apart (M, or more when the
 * output is a channel slice of a concatenation). `w` holds each group's packed panels in turn,
 * `bias` each group's Mg floats padded to 8 (0 for none); `chunk` output pixels are gathered at
 * a time.
 */
export function conv2d_nhwc_f32(
  x: usize, H: i32, W: i32, C: i32, w: usize, bias: usize, y: usize, ldy: i32, OH: i32, OW: i32, M: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, DH: i32, DW: i32, PT: i32, PL: i32, group: i32,
  scratch: usize, chunk: i32, act: i32, p0: f32, p1: f32,
): void {
  const Cg = C / group, Mg = M / group;
  const K = KH * KW * Cg;
  const P = OH * OW;
  const panelsG = (Mg + 7) >> 3;
  const pointwise = KH == 1 && KW == 1 && SH == 1 && SW == 1 && PT == 0 && PL == 0 && OH == H && OW == W;
  for (let g = 0; g < group; g++) {
    const wg = w + ((<usize>g * <usize>panelsG * <usize>K) << 5);
    const bg = bias ? bias + ((<usize>g * <usize>panelsG) << 5) : 0;
    const yg = y + (<usize>(g * Mg) << 2);
    if (pointwise) {
      gemm_f32(x + (<usize>(g * Cg) << 2), C, wg, yg, ldy, P, Mg, K, bg, act, p0, p1);
      continue;
    }
    for (let r0 = 0; r0 < P; r0 += chunk) {
      const rows = min(chunk, P - r0);
      im2col(x, H, W, C, OW, KH, KW, SH, SW, DH, DW, PT, PL, g * Cg, Cg, r0, rows, scratch);
      gemm_f32(scratch, K, wg, yg + ((<usize>r0 * <usize>ldy) << 2), ldy, rows, Mg, K, bg, act, p0, p1);
    }
  }
}
