// Attention (opset 23/24) per query row: scores = scale·q·Kᵀ, softcapped, plus the mask (float,
// or bool as 0/-inf; shorter than the keys: -inf beyond), causal masking (bottom-right aligned)
// and per-batch key lengths; softmax (a fully masked row gives zeros); y = p·V. K and V come
// contiguous [B, Hkv, T, D] (past and new keys already concatenated); Q, Y and the mask are read
// through element strides for (b, h, i, j/d), so 3-D and 4-D layouts and broadcast masks need no
// copies. Query head h reads kv head h / (Hq / Hkv). The qk_matmul_output tap is written when asked.

import { exp4 } from './vmath';

@inline function s4(strides: usize, k: i32): i32 {
  return load<i32>(strides + (<usize>k << 2));
}

@inline function dot(a: usize, b: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) acc = f32x4.add(acc, f32x4.mul(v128.load(a + (<usize>i << 2)), v128.load(b + (<usize>i << 2))));
  let s = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; i < n; i++) s += load<f32>(a + (<usize>i << 2)) * load<f32>(b + (<usize>i << 2));
  return s;
}

/**
 * qs, ys, ms: i32 strides (b, h, i, last); mask 0: none (maskBool: 1 for a bool mask, mlen its
 * last dim); nonpad 0: none (int64 key lengths per batch); pastLen < 0: no past (the causal
 * offset then comes from nonpad); qk 0: no tap (else [B, Hq, Sq, T], mode as the attribute);
 * row: T floats of scratch; qrow: D floats.
 */
export function attention_f32(
  q: usize, qs: usize, k: usize, v: usize, y: usize, ys: usize,
  B: i32, Hq: i32, Hkv: i32, Sq: i32, T: i32, D: i32, Dv: i32, scale: f32, softcap: f32,
  mask: usize, maskBool: i32, ms: usize, mlen: i32, causal: i32, pastLen: i32, nonpad: usize,
  qk: usize, qkMode: i32, row: usize, qrow: usize,
): void {
  const group = Hq / Hkv;
  for (let b = 0; b < B; b++) {
    const keys = nonpad ? <i32>load<i64>(nonpad + (<usize>b << 3)) : T;
    const offset = pastLen >= 0 ? pastLen : nonpad ? keys - Sq : 0;
    for (let h = 0; h < Hq; h++) {
      const kvh = b * Hkv + h / group;
      const kBase = k + ((<usize>kvh * <usize>T * <usize>D) << 2);
      const vBase = v + ((<usize>kvh * <usize>T * <usize>Dv) << 2);
      for (let i = 0; i < Sq; i++) {
        // the query row, gathered contiguous
        const qAt = b * s4(qs, 0) + h * s4(qs, 1) + i * s4(qs, 2);
        for (let c = 0; c < D; c++) store<f32>(qrow + (<usize>c << 2), load<f32>(q + (<usize>(qAt + c * s4(qs, 3)) << 2)));
        const qkRow = qk ? qk + ((<usize>((b * Hq + h) * Sq + i) * <usize>T) << 2) : 0;
        let m: f32 = -Infinity;
        for (let j = 0; j < T; j++) {
          let s = dot(qrow, kBase + ((<usize>j * <usize>D) << 2), D) * scale;
          if (softcap > 0) s = softcap * Mathf.tanh(s / softcap);
          if (qk && qkMode <= 1) store<f32>(qkRow + (<usize>j << 2), s);
          let bias: f32 = 0;
          if (mask) {
            if (j >= mlen) bias = -Infinity;
            else {
              const at = b * s4(ms, 0) + h * s4(ms, 1) + i * s4(ms, 2) + j * s4(ms, 3);
              bias = maskBool ? (load<u8>(mask + <usize>at) ? 0 : -Infinity) : load<f32>(mask + (<usize>at << 2));
            }
          }
          if (causal && j > i + offset) bias = -Infinity;
          if (j >= keys) bias = -Infinity;
          s += bias;
          if (qk && qkMode == 2) store<f32>(qkRow + (<usize>j << 2), s);
          store<f32>(row + (<usize>j << 2), s);
          m = max(m, s);
        }
        // softmax of the row; all masked: zeros
        let sum: f32 = 0;
        if (m == -Infinity) {
          for (let j = 0; j < T; j++) store<f32>(row + (<usize>j << 2), 0);
        } else {
          const mv = f32x4.splat(m);
          let j = 0;
          let acc = f32x4.splat(0);
          for (; j + 4 <= T; j += 4) {
            const e = exp4(f32x4.sub(v128.load(row + (<usize>j << 2)), mv));
            v128.store(row + (<usize>j << 2), e);
            acc = f32x4.add(acc, e);
          }
          sum = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)) + (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
          for (; j < T; j++) {
            const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(row + (<usize>j << 2)) - m)), 0);
            store<f32>(row + (<usize>j << 2), e);
            sum += e;
          }
          const inv: f32 = 1 / sum;
          for (j = 0; j < T; j++) store<f32>(row + (<usize>j << 2), load<f32>(row + (<usize>j << 2)) * inv);
        }
        if (qk && qkMode == 3) for (let j = 0; j < T; j++) store<f32>(qkRow + (<usize>j << 2), load<f32>(row + (<usize>j << 2)));
        // y = p · V
        const yAt = b * s4(ys, 0) + h * s4(ys, 1) + i * s4(ys, 2);
        for (let c = 0; c < Dv; c++) {
          let acc: f32 = 0;
          for (let j = 0; j < T; j++) acc += load<f32>(row + (<usize>j << 2)) * load<f32>(vBase + ((<usize>(j * Dv + c)) << 2));
          store<f32>(y + (<usize>(yAt + c * s4(ys, 3)) << 2), acc);
        }
      }
    }
  }
}
