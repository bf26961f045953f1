// Linear (de)quantization with float32 scales, per tensor, per axis or in blocks along an axis:
// the scale and zero point of element (o, a, k) of an [outer, axisLen, inner] view sit at
// o·os + ⌊a / block⌋·as + k·ks (all strides 0 per tensor). Quantizing divides in float32, rounds
// half to even and clamps to the integer type's range, as the reference does.

import { T_I16, T_I32, T_I8, T_U16, T_U8 } from './types';

@inline function readQ(type: i32, p: usize, i: i32): f32 {
  switch (type) {
    case T_I8: return <f32>load<i8>(p + <usize>i);
    case T_U8: return <f32>load<u8>(p + <usize>i);
    case T_I16: return <f32>load<i16>(p + (<usize>i << 1));
    case T_U16: return <f32>load<u16>(p + (<usize>i << 1));
    default: return <f32>load<i32>(p + (<usize>i << 2));
  }
}

@inline function writeQ(type: i32, p: usize, i: i32, v: f64): void {
  switch (type) {
    case T_I8: case T_U8: store<u8>(p + <usize>i, <u8><i32>v); break;
    case T_I16: case T_U16: store<u16>(p + (<usize>i << 1), <u16><i32>v); break;
    default: store<i32>(p + (<usize>i << 2), <i32>v);
  }
}

/** y (integer type yType, range [lo, hi]) = clamp(rint(x / scale) + zero point); zp 0: none. */
export function quantize_f32(
  x: usize, scale: usize, zp: usize, y: usize, yType: i32, outer: i32, axisLen: i32, inner: i32,
  block: i32, os: i32, as: i32, ks: i32, lo: f64, hi: f64,
): void {
  let i = 0;
  for (let o = 0; o < outer; o++) {
    for (let a = 0; a < axisLen; a++) {
      const pa = o * os + (a / block) * as;
      for (let k = 0; k < inner; k++, i++) {
        const at = pa + k * ks;
        const q = load<f32>(x + (<usize>i << 2)) / load<f32>(scale + (<usize>at << 2));
        let v = <f64>nearest<f32>(q) + (zp ? <f64>readQ(yType, zp, at) : 0);
        v = v < lo ? lo : v > hi ? hi : v;
        writeQ(yType, y, i, v);
      }
    }
  }
}

/** y = (x - zero point) · scale, x of integer type xType; zp 0: none. */
export function dequantize_f32(
  x: usize, xType: i32, scale: usize, zp: usize, y: usize, outer: i32, axisLen: i32, inner: i32,
  block: i32, os: i32, as: i32, ks: i32,
): void {
  let i = 0;
  for (let o = 0; o < outer; o++) {
    for (let a = 0; a < axisLen; a++) {
      const pa = o * os + (a / block) * as;
      for (let k = 0; k < inner; k++, i++) {
        const at = pa + k * ks;
        const d = readQ(xType, x, i) - (zp ? readQ(xType, zp, at) : 0);
        store<f32>(y + (<usize>i << 2), d * load<f32>(scale + (<usize>at << 2)));
      }
    }
  }
}
