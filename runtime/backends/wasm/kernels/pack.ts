// Packing constant weights into the kernels' layouts, once at compile time: GEMM panels (per
// group, panels of 8 output columns, each K rows of 8 floats, zero past the last column), biases
// padded to whole panels, Winograd's transformed weights. Each packer is a Packed constant that
// writes straight into the plan's linear memory (freshly zeroed, so padding needs no writes):
// no intermediate array, no copy — this runs over every weight of a model at session creation.

import { toNumbers, type Tensor } from '../../../tensor';
import type { Packed } from '../kernel';

/** A constant's values as floats, without a copy when they already are float32. */
export function floats(t: Tensor): ArrayLike<number> {
  return t.data instanceof Float32Array ? t.data : toNumbers(t);
}

const packed = (floatCount: number, write: (out: Float32Array) => void): Packed => ({ byteLength: floatCount * 4, write });

/**
 * B [count][K][N] for the GEMM, times alpha: element (k, n) of matrix g at v[g·K·N + k·rs + n·cs]
 * (rs = N, cs = 1 row-major; rs = 1, cs = K transposed).
 */
export function packMatrices(v: ArrayLike<number>, count: number, K: number, N: number, rs: number, cs: number, alpha = 1): Packed {
  const panels = Math.ceil(N / 8);
  return packed(count * panels * K * 8, (out) => {
    let o = 0;
    for (let g = 0; g < count; g++) {
      const base = g * K * N;
      for (let p = 0; p < panels; p++) {
        const nr = Math.min(8, N - p * 8);
        for (let k = 0; k < K; k++, o += 8) {
          const row = base + k * rs + p * 8 * cs;
          for (let j = 0; j < nr; j++) out[o + j] = alpha * v[row + j * cs];
        }
      }
    }
  });
}

/** Biases of N floats per group (bias[g·N + n] · scale), each padded to whole panels of 8. */
export function paddedBias(bias: ArrayLike<number>, groups: number, N: number, scale = 1, broadcast = false): Packed {
  const per = Math.ceil(N / 8) * 8;
  return packed(groups * per, (out) => {
    for (let g = 0; g < groups; g++) for (let n = 0; n < N; n++) out[g * per + n] = scale * bias[broadcast ? 0 : g * N + n];
  });
}

/** Depthwise weights [C][taps] (ONNX order) → [taps][C]. */
export function packDepthwise(w: ArrayLike<number>, C: number, taps: number): Packed {
  return packed(taps * C, (out) => {
    for (let ch = 0; ch < C; ch++) for (let t = 0; t < taps; t++) out[t * C + ch] = w[ch * taps + t];
  });
}

/**
 * Conv weights [M][Cg][taps] (ONNX order) for the GEMM: per group, panels over K = taps·Cg rows
 * in (tap, ci) order, as pack_conv_f32 does for weights that arrive at run time.
 */
export function packConvWeights(w: ArrayLike<number>, M: number, Cg: number, taps: number, group: number): Packed {
  const Mg = M / group;
  const panels = Math.ceil(Mg / 8);
  const K = taps * Cg;
  return packed(group * panels * K * 8, (out) => {
    for (let g = 0; g < group; g++) {
      for (let p = 0; p < panels; p++) {
        const base = (g * panels + p) * K * 8;
        const nr = Math.min(8, Mg - p * 8);
        for (let j = 0; j < nr; j++) {
          // filter m's weights, walked in (ci, tap) source order and scattered to (tap, ci) rows
          const src = (g * Mg + p * 8 + j) * Cg * taps;
          for (let ci = 0; ci < Cg; ci++) {
            for (let t = 0; t < taps; t++) out[base + (t * Cg + ci) * 8 + j] = w[src + ci * taps + t];
          }
        }
      }
    }
  });
}

/**
 * Winograd F(2×2, 3×3) weights: U = G·g·Gᵀ per (filter, channel), G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1],
 * then the 16 positions of U as 16 matrices [C][M], each packed for the GEMM, one after another.
 */
export function packWinogradWeights(w: ArrayLike<number>, M: number, C: number): Packed {
  const per = Math.ceil(M / 8) * 8 * C;
  return packed(16 * per, (out) => {
    const gg = new Float64Array(12);
    for (let m = 0; m < M; m++) {
      for (let c = 0; c < C; c++) {
        const g = (m * C + c) * 9;
        // G·g: four rows of three
        for (let k = 0; k < 3; k++) {
          const a = w[g + k], b = w[g + 3 + k], d = w[g + 6 + k];
          gg[k] = a;
          gg[3 + k] = (a + b + d) / 2;
          gg[6 + k] = (a - b + d) / 2;
          gg[9 + k] = d;
        }
        // (G·g)·Gᵀ, scattered to position ξ = 4·row + column of matrix ξ's (c, m) slot
        const at = (Math.floor(m / 8) * C + c) * 8 + (m % 8);
        for (let r = 0; r < 4; r++) {
          const a = gg[3 * r], b = gg[3 * r + 1], d = gg[3 * r + 2];
          out[4 * r * per + at] = a;
          out[(4 * r + 1) * per + at] = (a + b + d) / 2;
          out[(4 * r + 2) * per + at] = (a - b + d) / 2;
          out[(4 * r + 3) * per + at] = d;
        }
      }
    }
  });
}

/**
 * ConvTranspose weights [C][Mg][taps] (ONNX order, per group) for the GEMM with tap-major
 * columns: per group, K = Cg rows, N = taps·Mg columns n = tap·Mg + co.
 */
export function packConvTransposeWeights(w: ArrayLike<number>, C: number, Mg: number, taps: number, group: number): Packed {
  const Cg = C / group;
  const N = taps * Mg;
  const panels = Math.ceil(N / 8);
  return packed(group * panels * Cg * 8, (out) => {
    for (let g = 0; g < group; g++) {
      for (let ci = 0; ci < Cg; ci++) {
        const src = (g * Cg + ci) * Mg * taps;
        for (let co = 0; co < Mg; co++) {
          for (let t = 0; t < taps; t++) {
            const n = t * Mg + co;
            out[((g * panels + (n >> 3)) * Cg + ci) * 8 + (n & 7)] = w[src + co * taps + t];
          }
        }
      }
    }
  });
}
