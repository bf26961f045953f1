// Transposed convolution over NHWC: per chunk of input pixels, one GEMM gives every pixel's
// contributions (its channels times the filters, a row of KH·KW·Mg columns), which are then
// added into the output window they land on (col2im); the bias seeds the output and the fused
// activation runs last. Columns come tap-major (n = tap·Mg + co, channel runs contiguous: weights
// packed here) or channel-major (n = co·KH·KW + tap: weights packed at run time from ONNX order).

import { activate_f32 } from './activation';
import { gemm_f32 } from './gemm';

export function conv_transpose_nhwc_f32(
  x: usize, H: i32, W: i32, C: i32, w: usize, bias: usize, y: usize, OH: i32, OW: i32, M: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, DH: i32, DW: i32, PT: i32, PL: i32, group: i32,
  tapMajor: i32, scratch: usize, chunk: i32, act: i32, p0: f32, p1: f32,
): void {
  const Cg = C / group, Mg = M / group;
  const KK = KH * KW;
  const N = KK * Mg;
  const panels = (N + 7) >> 3;
  const P = H * W;
  // the output starts as the bias
  for (let p = 0; p < OH * OW; p++) {
    const row = y + ((<usize>p * <usize>M) << 2);
    for (let m = 0; m < M; m++) store<f32>(row + (<usize>m << 2), bias ? load<f32>(bias + (<usize>m << 2)) : 0);
  }
  for (let g = 0; g < group; g++) {
    const wg = w + ((<usize>g * <usize>panels * <usize>Cg) << 5);
    for (let r0 = 0; r0 < P; r0 += chunk) {
      const rows = min(chunk, P - r0);
      gemm_f32(x + ((<usize>r0 * <usize>C + <usize>(g * Cg)) << 2), C, wg, scratch, N, rows, N, Cg, 0, 0, 0, 0);
      for (let r = 0; r < rows; r++) {
        const p = r0 + r;
        const iy = p / W, ix = p % W;
        const cols = scratch + ((<usize>r * <usize>N) << 2);
        for (let ky = 0; ky < KH; ky++) {
          const oy = iy * SH - PT + ky * DH;
          if (oy < 0 || oy >= OH) continue;
          for (let kx = 0; kx < KW; kx++) {
            const ox = ix * SW - PL + kx * DW;
            if (ox < 0 || ox >= OW) continue;
            const tap = ky * KW + kx;
            const dst = y + ((<usize>(oy * OW + ox) * <usize>M + <usize>(g * Mg)) << 2);
            if (tapMajor) {
              const src = cols + ((<usize>tap * <usize>Mg) << 2);
              let c = 0;
              for (; c + 4 <= Mg; c += 4) {
                const o = <usize>c << 2;
                v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
              }
              for (; c < Mg; c++) {
                const o = <usize>c << 2;
                store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
              }
            } else {
              for (let c = 0; c < Mg; c++) {
                const o = <usize>c << 2;
                store<f32>(dst + o, load<f32>(dst + o) + load<f32>(cols + ((<usize>(c * KK + tap)) << 2)));
              }
            }
          }
        }
      }
    }
  }
  activate_f32(y, OH * OW * M, act, p0, p1);
}
