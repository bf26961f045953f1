// The one matrix-multiply kernel the nn ops share (Conv via im2col, MatMul, Gemm, RNNs):
// float64, row-major, accumulating into `c`, blocked over columns so the B panel stays in cache.

const COL_TILE = 256;

/**
 * c[m, n] += sum_k a[m, k] * b[k, n]  (b row-major K×N), or with `bTrans`, b is N×K.
 * Offsets let callers multiply slices of larger buffers without copying.
 */
export function gemmAcc(
  a: Float64Array, aOff: number,
  b: Float64Array, bOff: number,
  c: Float64Array, cOff: number,
  M: number, K: number, N: number,
  bTrans = false,
): void {
  if (bTrans) return gemmAccBT(a, aOff, b, bOff, c, cOff, M, K, N);
  for (let n0 = 0; n0 < N; n0 += COL_TILE) {
    const n1 = Math.min(N, n0 + COL_TILE);
    let m = 0;
    // two rows of C at a time share each load of B
    for (; m + 1 < M; m += 2) {
      const a0 = aOff + m * K;
      const a1 = a0 + K;
      const c0 = cOff + m * N;
      const c1 = c0 + N;
      let k = 0;
      for (; k + 3 < K; k += 4) {
        const w00 = a[a0 + k], w01 = a[a0 + k + 1], w02 = a[a0 + k + 2], w03 = a[a0 + k + 3];
        const w10 = a[a1 + k], w11 = a[a1 + k + 1], w12 = a[a1 + k + 2], w13 = a[a1 + k + 3];
        const b0 = bOff + k * N, b1 = b0 + N, b2 = b1 + N, b3 = b2 + N;
        for (let n = n0; n < n1; n++) {
          const x0 = b[b0 + n], x1 = b[b1 + n], x2 = b[b2 + n], x3 = b[b3 + n];
          c[c0 + n] += w00 * x0 + w01 * x1 + w02 * x2 + w03 * x3;
          c[c1 + n] += w10 * x0 + w11 * x1 + w12 * x2 + w13 * x3;
        }
      }
      for (; k < K; k++) {
        const w0 = a[a0 + k], w1 = a[a1 + k];
        const b0 = bOff + k * N;
        for (let n = n0; n < n1; n++) {
          const x = b[b0 + n];
          c[c0 + n] += w0 * x;
          c[c1 + n] += w1 * x;
        }
      }
    }
    for (; m < M; m++) {
      const aRow = aOff + m * K;
      const cRow = cOff + m * N;
      let k = 0;
      // four rows of B at a time: one load/store of C per four multiply-adds
      for (; k + 3 < K; k += 4) {
        const w0 = a[aRow + k], w1 = a[aRow + k + 1], w2 = a[aRow + k + 2], w3 = a[aRow + k + 3];
        const b0 = bOff + k * N, b1 = b0 + N, b2 = b1 + N, b3 = b2 + N;
        for (let n = n0; n < n1; n++) {
          c[cRow + n] += w0 * b[b0 + n] + w1 * b[b1 + n] + w2 * b[b2 + n] + w3 * b[b3 + n];
        }
      }
      for (; k < K; k++) {
        const w = a[aRow + k];
        const b0 = bOff + k * N;
        for (let n = n0; n < n1; n++) c[cRow + n] += w * b[b0 + n];
      }
    }
  }
}

/** c[m, n] += dot(a row m, b row n): the layout of Gemm with transB (fully connected layers). */
function gemmAccBT(
  a: Float64Array, aOff: number,
  b: Float64Array, bOff: number,
  c: Float64Array, cOff: number,
  M: number, K: number, N: number,
): void {
  for (let m = 0; m < M; m++) {
    const aRow = aOff + m * K;
    for (let n = 0; n < N; n++) {
      const bRow = bOff + n * K;
      let s0 = 0, s1 = 0;
      let k = 0;
      for (; k + 1 < K; k += 2) {
        s0 += a[aRow + k] * b[bRow + k];
        s1 += a[aRow + k + 1] * b[bRow + k + 1];
      }
      if (k < K) s0 += a[aRow + k] * b[bRow + k];
      c[cOff + m * N + n] += s0 + s1;
    }
  }
}

/** A row-major rows×cols matrix transposed (cols×rows). */
export function transpose2d(src: Float64Array, off: number, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = src[off + r * cols + c];
  return t;
}
