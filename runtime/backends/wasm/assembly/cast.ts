// Cast between the numeric dtypes (and bool), with the reference's rules: floats truncate toward
// zero into integers (NaN and infinities give 0, or INT64_MIN for 64-bit targets), integers wrap
// like C into narrower ones, 64-bit integers convert exactly among themselves, anything is true
// when non-zero (NaN included), halves round to nearest even.

import { bf16ToF32, f32ToBf16, f32ToHalf, halfToF32 } from './half';
import { T_BF16, T_BOOL, T_F16, T_F32, T_F64, T_I16, T_I32, T_I64, T_I8, T_U16, T_U32, T_U64, T_U8 } from './types';

const SIZE: usize = memory.data<u8>([4, 8, 1, 1, 2, 2, 4, 4, 8, 8, 1, 2, 2]);

@inline function isFloatType(t: i32): bool {
  return t == T_F32 || t == T_F64 || t == T_F16 || t == T_BF16;
}

@inline function readFloat(t: i32, p: usize): f64 {
  switch (t) {
    case T_F32: return <f64>load<f32>(p);
    case T_F64: return load<f64>(p);
    case T_F16: return <f64>halfToF32(<u32>load<u16>(p));
    default: return <f64>bf16ToF32(<u32>load<u16>(p));
  }
}

/** An integer source, sign- or zero-extended to 64 bits. */
@inline function readInt(t: i32, p: usize): i64 {
  switch (t) {
    case T_I8: return <i64>load<i8>(p);
    case T_U8: case T_BOOL: return <i64>load<u8>(p);
    case T_I16: return <i64>load<i16>(p);
    case T_U16: return <i64>load<u16>(p);
    case T_I32: return <i64>load<i32>(p);
    case T_U32: return <i64>load<u32>(p);
    default: return load<i64>(p);
  }
}

/** Stores the low bits of v (integer targets wrap). */
@inline function writeInt(t: i32, p: usize, v: i64): void {
  switch (t) {
    case T_I8: case T_U8: store<u8>(p, <u8>v); break;
    case T_I16: case T_U16: store<u16>(p, <u16>v); break;
    case T_I32: case T_U32: store<u32>(p, <u32>v); break;
    case T_BOOL: store<u8>(p, v != 0 ? 1 : 0); break;
    default: store<i64>(p, v);
  }
}

@inline function writeFloat(t: i32, p: usize, v: f64): void {
  switch (t) {
    case T_F32: store<f32>(p, <f32>v); break;
    case T_F64: store<f64>(p, v); break;
    case T_F16: store<u16>(p, <u16>f32ToHalf(<f32>v)); break;
    default: store<u16>(p, <u16>f32ToBf16(<f32>v));
  }
}

/** y (type `to`) = x (type `from`) converted, n elements. */
export function cast(from: i32, to: i32, x: usize, y: usize, n: i32): void {
  const se = <usize>load<u8>(SIZE + <usize>from), de = <usize>load<u8>(SIZE + <usize>to);
  const fromFloat = isFloatType(from), toFloat = isFloatType(to);
  const wide = to == T_I64 || to == T_U64;
  for (let i = 0; i < n; i++) {
    const src = x + <usize>i * se, dst = y + <usize>i * de;
    if (!fromFloat) {
      const v = readInt(from, src);
      if (toFloat) writeFloat(to, dst, from == T_U64 ? <f64><u64>v : <f64>v);
      else writeInt(to, dst, v);
      continue;
    }
    const v = readFloat(from, src);
    if (toFloat) writeFloat(to, dst, v);
    else if (to == T_BOOL) store<u8>(dst, v != 0 ? 1 : 0); // NaN != 0: true
    else if (v != v || v == Infinity || v == -Infinity) writeInt(to, dst, wide ? i64.MIN_VALUE : 0);
    else if (to == T_U64 && v >= 9223372036854775808.0) store<u64>(dst, <u64>v);
    else writeInt(to, dst, <i64>v); // truncates toward zero (|v| < 2^63 here, else saturates)
  }
}

/** floor(log2(a)) for a finite a > 0, read off the bits (exact at powers of two). */
@inline function exponentOf(a: f64): i32 {
  return <i32>((reinterpret<u64>(a) >> 52) & 0x7ff) - 1023;
}

/**
 * To a narrow float (float8 flavours, float4e2m1: one pattern per byte), rounding to nearest
 * even: the format's layout (ebits, mbits, bias), its largest finite value and bits, the bits of
 * NaN and of an overflow without saturation (signed or not), and fnuz's missing negative zero.
 * The same rules as runtime/float8.ts.
 */
export function cast_to_mini(
  from: i32, x: usize, y: usize, n: i32, ebits: i32, mbits: i32, bias: i32, maxValue: f64, maxBits: i32,
  nanBits: i32, overflowBits: i32, overflowSigned: i32, uz: i32, saturate: i32,
): void {
  const se = <usize>load<u8>(SIZE + <usize>from);
  const signBit = 1 << (ebits + mbits);
  const fromFloat = isFloatType(from);
  for (let i = 0; i < n; i++) {
    const src = x + <usize>i * se;
    const v = fromFloat ? readFloat(from, src) : from == T_U64 ? <f64><u64>readInt(from, src) : <f64>readInt(from, src);
    let out: i32;
    if (v != v) out = nanBits;
    else {
      const neg = v < 0 || (v == 0 && 1 / v < 0);
      const a = Math.abs(v);
      let bits = 0;
      let overflow = a == Infinity;
      if (!overflow) {
        const emin = 1 - bias;
        const e = a == 0 ? emin : max(emin, exponentOf(a));
        const quantum = Math.pow(2, <f64>(e - mbits));
        const r = <i32>nearest<f64>(a / quantum);
        if (<f64>r * quantum > maxValue) overflow = true;
        else if (r < 1 << mbits) bits = r;
        else if (r == 1 << (mbits + 1)) bits = (e + 1 + bias) << mbits;
        else bits = ((e + bias) << mbits) | (r - (1 << mbits));
      }
      if (overflow && !saturate && !overflowSigned) out = overflowBits;
      else {
        if (overflow) bits = saturate ? maxBits : overflowBits;
        out = bits == 0 && uz ? 0 : neg ? bits | signBit : bits;
      }
    }
    store<u8>(y + <usize>i, <u8>out);
  }
}

/** From a narrow float: `table` holds the f32 value of each of the 256 patterns. */
export function cast_from_mini(table: usize, x: usize, to: i32, y: usize, n: i32): void {
  const de = <usize>load<u8>(SIZE + <usize>to);
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(table + (<usize>load<u8>(x + <usize>i) << 2));
    const dst = y + <usize>i * de;
    if (isFloatType(to)) writeFloat(to, dst, v);
    else if (to == T_BOOL) store<u8>(dst, v != 0 ? 1 : 0);
    else if (v != v || v == Infinity || v == -Infinity) writeInt(to, dst, to == T_I64 || to == T_U64 ? i64.MIN_VALUE : 0);
    else writeInt(to, dst, <i64>v);
  }
}
