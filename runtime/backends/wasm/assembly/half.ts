// IEEE half and bfloat16 bits to and from f32, rounding to nearest even (the tensors keep the raw
// 16-bit patterns, as runtime/tensor.ts does).

export function halfToF32(h: u32): f32 {
  const s = (h & 0x8000) << 16;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e == 0) {
    // zero or subnormal: m · 2^-24
    const v = <f32>m * <f32>5.9604644775390625e-8;
    return s ? -v : v;
  }
  if (e == 31) return reinterpret<f32>(s | 0x7f800000 | (m << 13));
  return reinterpret<f32>(s | ((e + 112) << 23) | (m << 13));
}

export function f32ToHalf(v: f32): u32 {
  const x = reinterpret<u32>(v);
  const sign = (x >> 16) & 0x8000;
  const exp = <i32>((x >> 23) & 0xff);
  let mant = x & 0x7fffff;
  if (exp == 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = <u32>(14 - e);
    let h = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = <u32>1 << (shift - 1);
    if (rem > half || (rem == half && (h & 1))) h++;
    return sign | h;
  }
  let h = (<u32>e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) h++;
  return sign | h;
}

export function bf16ToF32(h: u32): f32 {
  return reinterpret<f32>(h << 16);
}

export function f32ToBf16(v: f32): u32 {
  if (v != v) return 0x7fc0;
  const x = reinterpret<u32>(v);
  return ((x + 0x7fff + ((x >> 16) & 1)) >> 16) & 0xffff;
}
