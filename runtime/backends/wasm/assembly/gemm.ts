// The GEMM at the heart of Conv, MatMul and Gemm: C[M×N] = A[M×K] · B[K×N] + bias, then the
// fused activation. B comes packed in panels of NR = 8 columns (K rows of 8 floats, the last panel
// zero-padded), so that the 4×8 microkernel streams it with two aligned loads per k while it
// broadcasts four A values: 8 f32x4 accumulators, 2 B vectors and one A splat fit in the 16 SIMD
// registers V8 allocates on x64 (a 6×8 tile spilled and ran at half the speed). Measured on this
// machine's Zen 5: inlining the tile into the loops was worth 20%; unrolling k by two lost 40%
// (V8 then spills the accumulators).

import { ACT_HARD_SWISH, ACT_NONE, act4, cheap4 } from './activation';
import { madd } from './madd';

/** 4 rows × 8 floats of staging for tiles narrower than a panel. */
const TILE: usize = memory.data(4 * 8 * 4, 16);

/** A row block of A small enough to stay in L2 while every panel of B passes over it. */
const A_BLOCK_FLOATS: i32 = 48 * 1024;

/**
 * C = A·B (+ bias) then the activation. A is row-major with row stride `lda` floats, B packed by
 * pack_b_f32, C row-major with row stride `ldc`; `bias` (0 for none) holds N floats padded to a
 * multiple of 8.
 */
export function gemm_f32(
  a: usize, lda: i32, b: usize, c: usize, ldc: i32, M: i32, N: i32, K: i32,
  bias: usize, act: i32, p0: f32, p1: f32,
): void {
  if (M <= 0 || N <= 0) return;
  const panels = (N + 7) >> 3;
  const panelBytes = <usize>K << 5;
  const lda4 = <usize>lda << 2, ldc4 = <usize>ldc << 2;
  let mc = (A_BLOCK_FLOATS / max(K, 1)) & ~3;
  if (mc < 4) mc = 4;
  for (let i0 = 0; i0 < M; i0 += mc) {
    const i1 = min(M, i0 + mc);
    for (let p = 0; p < panels; p++) {
      const j = p << 3;
      const nr = min(8, N - j);
      const bp = b + <usize>p * panelBytes;
      const bj = bias ? bias + (<usize>j << 2) : 0;
      let i = i0;
      for (; i + 4 <= i1; i += 4) {
        tile4x8(a + <usize>i * lda4, lda4, bp, c + <usize>i * ldc4 + (<usize>j << 2), ldc4, K, nr, bj, act, p0, p1);
      }
      for (; i < i1; i++) {
        tile1x8(a + <usize>i * lda4, bp, c + <usize>i * ldc4 + (<usize>j << 2), K, nr, bj, act, p0, p1);
      }
    }
  }
}

@inline function epilogue(v: v128, act: i32, p0: f32, p1: f32): v128 {
  if (act == ACT_NONE) return v;
  return act <= ACT_HARD_SWISH ? cheap4(v, act, p0, p1) : act4(v, act, p0, p1);
}

/** Stores one row of a tile: two vectors, or the first `nr` floats of them. */
@inline function storeRow(c: usize, lo: v128, hi: v128, nr: i32): void {
  if (nr == 8) {
    v128.store(c, lo);
    v128.store(c, hi, 16);
    return;
  }
  v128.store(TILE, lo);
  v128.store(TILE, hi, 16);
  for (let k = 0; k < nr; k++) store<f32>(c + (<usize>k << 2), load<f32>(TILE + (<usize>k << 2)));
}

@inline function tile4x8(a: usize, lda4: usize, b: usize, c: usize, ldc4: usize, K: i32, nr: i32, bias: usize, act: i32, p0: f32, p1: f32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  if (bias) {
    c00 = v128.load(bias);
    c01 = v128.load(bias, 16);
  }
  let c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
  let a0 = a, a1 = a + lda4, a2 = a1 + lda4, a3 = a2 + lda4;
  for (let k = 0; k < K; k++) {
    const b0 = v128.load(b), b1 = v128.load(b, 16);
    let x = v128.load32_splat(a0);
    c00 = madd(c00, x, b0);
    c01 = madd(c01, x, b1);
    x = v128.load32_splat(a1);
    c10 = madd(c10, x, b0);
    c11 = madd(c11, x, b1);
    x = v128.load32_splat(a2);
    c20 = madd(c20, x, b0);
    c21 = madd(c21, x, b1);
    x = v128.load32_splat(a3);
    c30 = madd(c30, x, b0);
    c31 = madd(c31, x, b1);
    a0 += 4; a1 += 4; a2 += 4; a3 += 4;
    b += 32;
  }
  storeRow(c, epilogue(c00, act, p0, p1), epilogue(c01, act, p0, p1), nr);
  c += ldc4;
  storeRow(c, epilogue(c10, act, p0, p1), epilogue(c11, act, p0, p1), nr);
  c += ldc4;
  storeRow(c, epilogue(c20, act, p0, p1), epilogue(c21, act, p0, p1), nr);
  c += ldc4;
  storeRow(c, epilogue(c30, act, p0, p1), epilogue(c31, act, p0, p1), nr);
}

function tile1x8(a: usize, b: usize, c: usize, K: i32, nr: i32, bias: usize, act: i32, p0: f32, p1: f32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  // two partial sums per half, over even and odd k, to hide the add latency
  let d0 = c0, d1 = c1;
  if (bias) {
    c0 = v128.load(bias);
    c1 = v128.load(bias, 16);
  }
  let k = 0;
  for (; k + 2 <= K; k += 2) {
    let x = v128.load32_splat(a);
    c0 = madd(c0, x, v128.load(b));
    c1 = madd(c1, x, v128.load(b, 16));
    x = v128.load32_splat(a, 4);
    d0 = madd(d0, x, v128.load(b, 32));
    d1 = madd(d1, x, v128.load(b, 48));
    a += 8;
    b += 64;
  }
  if (k < K) {
    const x = v128.load32_splat(a);
    c0 = madd(c0, x, v128.load(b));
    c1 = madd(c1, x, v128.load(b, 16));
  }
  storeRow(c, epilogue(f32x4.add(c0, d0), act, p0, p1), epilogue(f32x4.add(c1, d1), act, p0, p1), nr);
}

/**
 * Packs B for gemm_f32, times `alpha`: element (k, n) of the source is at src + 4·(k·rs + n·cs),
 * so one routine packs row-major B (rs = N, cs = 1) and a transposed one (rs = 1, cs = K).
 * Columns past N are 0.
 */
export function pack_b_f32(src: usize, rs: i32, cs: i32, K: i32, N: i32, dst: usize, alpha: f32): void {
  const av = f32x4.splat(alpha);
  const panels = (N + 7) >> 3;
  for (let p = 0; p < panels; p++) {
    const j0 = p << 3;
    const nr = min(8, N - j0);
    for (let k = 0; k < K; k++) {
      const row = src + ((<usize>k * <usize>rs + <usize>j0 * <usize>cs) << 2);
      if (cs == 1 && nr == 8) {
        v128.store(dst, f32x4.mul(v128.load(row), av));
        v128.store(dst, f32x4.mul(v128.load(row, 16), av), 16);
      } else {
        for (let jj = 0; jj < 8; jj++) {
          store<f32>(dst + (<usize>jj << 2), jj < nr ? load<f32>(row + ((<usize>jj * <usize>cs) << 2)) * alpha : 0);
        }
      }
      dst += 32;
    }
  }
}

/**
 * Packs Conv weights for the GEMM when they arrive at run time: src [M][Cg][taps] (ONNX order) →
 * per group, panels over K = taps·Cg rows in (tap, ci) order, the layout kernels/pack.ts builds
 * for constant weights.
 */
export function pack_conv_f32(src: usize, M: i32, Cg: i32, taps: i32, group: i32, dst: usize): void {
  const Mg = M / group;
  const panels = (Mg + 7) >> 3;
  for (let g = 0; g < group; g++) {
    for (let p = 0; p < panels; p++) {
      for (let t = 0; t < taps; t++) {
        for (let ci = 0; ci < Cg; ci++) {
          for (let j = 0; j < 8; j++) {
            const m = (p << 3) + j;
            const v: f32 = m < Mg ? load<f32>(src + ((<usize>(((g * Mg + m) * Cg + ci) * taps + t)) << 2)) : 0;
            store<f32>(dst, v);
            dst += 4;
          }
        }
      }
    }
  }
}

/** A bias of M floats as the GEMM wants it: each group's Mg values padded to whole panels. */
export function pack_bias_f32(src: usize, M: i32, group: i32, dst: usize): void {
  const Mg = M / group;
  const per = ((Mg + 7) >> 3) << 3;
  for (let g = 0; g < group; g++) {
    for (let m = 0; m < per; m++) {
      store<f32>(dst + ((<usize>(g * per + m)) << 2), m < Mg ? load<f32>(src + ((<usize>(g * Mg + m)) << 2)) : 0);
    }
  }
}

/** Depthwise weights [C][taps] (ONNX order) → [taps][C], when they arrive at run time. */
export function pack_dw_f32(src: usize, C: i32, taps: i32, dst: usize): void {
  for (let c = 0; c < C; c++) {
    for (let t = 0; t < taps; t++) store<f32>(dst + ((<usize>(t * C + c)) << 2), load<f32>(src + ((<usize>(c * taps + t)) << 2)));
  }
}
