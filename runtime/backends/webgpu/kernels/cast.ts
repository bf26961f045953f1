// Cast and CastLike between every type the GPU holds (f32, i32, u32 words; strings cannot), with
// ONNX/numpy meaning: float → int truncates toward zero, narrow ints wrap, anything → bool is
// `!= 0`, and float16/bfloat16 targets round to nearest even so a later GPU kernel sees the narrow
// value. Narrow floats (float8, float4, e8m0: bits in a word) decode exactly and encode with
// `saturate` and `round_mode` (./narrow-float); int4/int2/uint4/uint2 wrap like the reference.
// A cast that changes nothing on the GPU (float32 → float64, int32 → int64) is an alias. BitCast
// reinterprets 32-bit words and wraps 8/16-bit integers.

import { isMiniFloatType, isNarrowIntType, type DType, type NarrowIntType } from '../../../tensor';
import type { KernelGenerator, Lowering } from '../kernel';
import { scalarOf, wordOf, type Scalar } from '../storage';
import { helpersFor } from './activation-helpers';
import { mapKernel } from './elementwise-map';
import { wrapNarrow } from './elementwise';
import { decodeNarrow, encodeNarrow, encodeNarrowFromInt, NARROW_FLOAT_HELPERS, type NarrowRounding } from './narrow-float';

/**
 * f32 rounded to the nearest float16 / bfloat16 value (ties to even), as an f32; and an f32 to a
 * 32-bit integer as the reference's typed-array stores have it. NaN is tested on the bits:
 * compilers may assume x == x.
 */
const CAST_HELPERS: Readonly<Record<string, string>> = {
  k_f16: `
fn k_f16(x: f32) -> f32 {
  let b = bitcast<u32>(x);
  let a = abs(x);
  if ((b & 0x7fffffffu) > 0x7f800000u) { return x; }
  if (a >= 65520.0f) { var k_bits = 0x7f800000u; return sign(x) * bitcast<f32>(k_bits); }
  // below float16's smallest normal the quantum is 2^-24: scale, round half to even, scale back
  // (the sign goes back on as a bit: sign(-0) * 0 would lose a negative zero)
  if (a < 6.103515625e-05f) { return bitcast<f32>((b & 0x80000000u) | bitcast<u32>(round(a * 16777216.0f) / 16777216.0f)); }
  return bitcast<f32>((b + 0xfffu + ((b >> 13u) & 1u)) & 0xffffe000u);
}`,
  k_bf16: `
fn k_bf16(x: f32) -> f32 {
  let b = bitcast<u32>(x);
  if ((b & 0x7fffffffu) > 0x7f800000u) { return x; }
  return bitcast<f32>((b + 0x7fffu + ((b >> 16u) & 1u)) & 0xffff0000u);
}`,
  // JS's ToUint32: truncate toward zero, then modulo 2^32; NaN and infinities give 0. WGSL's i32()
  // clamps instead, so 3e9 or inf would disagree with the reference.
  k_wrap32: `
fn k_wrap32(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  let e = i32((b >> 23u) & 0xffu) - 127;
  if (e < 0 || e == 128) { return 0u; }
  let mant = (b & 0x7fffffu) | 0x800000u;
  var m = 0u;
  if (e <= 23) { m = mant >> u32(23 - e); } else if (e < 55) { m = mant << u32(e - 23); }
  return select(m, 0u - m, (b >> 31u) != 0u);
}`,
};

/** int4/int2/uint4/uint2 from a word of type `si`, as the reference wraps: modulo 2^bits. */
function narrowIntExpr(to: NarrowIntType, si: Scalar, x: string): string {
  const bits = to.endsWith('4') ? 4 : 2;
  const i = si === 'f32' ? `bitcast<i32>(k_wrap32(${x}))` : si === 'u32' ? `bitcast<i32>(${x})` : x;
  return to.startsWith('u') ? `(bitcast<u32>(${i}) & ${(1 << bits) - 1}u)` : `((${i} << ${32 - bits}u) >> ${32 - bits}u)`;
}

/**
 * WGSL converting `x` (held as `from`'s word) to the word of `to`, or undefined if either has none.
 * `r` is how a narrow float target rounds (Cast's saturate and round_mode).
 */
export function castExpr(from: DType, to: DType, x: string, r: NarrowRounding = { saturate: true }): string | undefined {
  // a narrow float decodes to its exact f32 value, then converts as a float32 does
  if (isMiniFloatType(from)) return from === to ? x : castExpr('float32', to, decodeNarrow(from, x), r);
  // narrow ints hold their value in an i32 / u32 word, like any wider integer
  if (isNarrowIntType(from)) return castExpr(from.startsWith('u') ? 'uint32' : 'int32', to, x, r);
  const si = scalarOf(from);
  if (!si || !wordOf(to)) return undefined;
  if (isMiniFloatType(to)) return si === 'f32' ? encodeNarrow(to, `bitcast<u32>(${x})`, r) : encodeNarrowFromInt(to, x, si === 'i32', r);
  if (isNarrowIntType(to)) return narrowIntExpr(to, si, x);
  const so = scalarOf(to)!;
  // a float is true unless ±0, tested on the bits: NaN is true, a subnormal too (GPUs may flush it,
  // and compilers may assume x == x)
  if (to === 'bool') return si === 'f32' ? `u32((bitcast<u32>(${x}) & 0x7fffffffu) != 0u)` : si === 'i32' ? `u32(${x} != 0i)` : `u32(${x} != 0u)`;
  if (so === 'f32') {
    const f = si === 'f32' ? x : `f32(${x})`;
    return to === 'float16' ? `k_f16(${f})` : to === 'bfloat16' ? `k_bf16(${f})` : f;
  }
  // a float into a 32-bit or narrower int wraps modulo 2^32 first (negatives wrap into unsigned,
  // like C on x86 and numpy); int64/uint64, carried in 32 bits, keep WGSL's clamping conversion
  const wide = to === 'int64' || to === 'uint64';
  if (so === 'i32') {
    const i = si === 'f32' ? (wide ? `i32(${x})` : `bitcast<i32>(k_wrap32(${x}))`) : si === 'u32' ? `bitcast<i32>(${x})` : x;
    return wrapNarrow(to, i);
  }
  const u = si === 'f32' ? (wide ? `select(u32(${x}), bitcast<u32>(i32(${x})), ${x} < 0.0f)` : `k_wrap32(${x})`) : si === 'i32' ? `bitcast<u32>(${x})` : x;
  return wrapNarrow(to, u);
}

const BITS: Partial<Record<DType, number>> = {
  bool: 8, int8: 8, uint8: 8, int16: 16, uint16: 16, float16: 16, bfloat16: 16,
  int32: 32, uint32: 32, float32: 32,
};

/** BitCast: 32-bit words reinterpret; 8- and 16-bit integers wrap (the same bits); others have no GPU form. */
export function bitcastExpr(from: DType, to: DType, x: string): string | undefined {
  const bits = BITS[from];
  const si = scalarOf(from);
  const so = scalarOf(to);
  if (!bits || bits !== BITS[to] || !si || !so) return undefined;
  if (bits === 32) return si === so ? x : `bitcast<${so}>(${x})`;
  const isInt = (t: DType) => t !== 'float16' && t !== 'bfloat16' && t !== 'bool';
  if (from === 'bool' && to !== 'bool') return isInt(to) ? x : undefined;
  return isInt(from) && isInt(to) ? castExpr(from, to, x) : undefined;
}

type Convert = (from: DType, to: DType, x: string, r: NarrowRounding) => string | undefined;

function castTo(op: string, convert: Convert = castExpr): KernelGenerator<Partial<NarrowRounding>> {
  return ({ inputs, outputs, attrs }): Lowering => {
    const x = inputs[0];
    const to = outputs[0].dtype;
    const e = x && convert(x.dtype, to, 'k_v0', { saturate: attrs.saturate ?? true, roundMode: attrs.roundMode });
    if (!x || !e) return { kind: 'unsupported', reason: `${op} from ${x?.dtype ?? 'nothing'} to ${to} has no GPU form` };
    if (e === 'k_v0') return { kind: 'alias', input: 0 };
    const main = mapKernel(op.toLowerCase(), [{ type: wordOf(x.dtype)!, dims: x.dims }], { type: wordOf(to)!, dims: outputs[0].dims }, e);
    if (main.kind !== 'dispatch') return main;
    const helpers = { ...CAST_HELPERS, ...NARROW_FLOAT_HELPERS };
    return { kind: 'dispatch', dispatches: main.dispatches.map((d) => ({ ...d, wgsl: `${helpersFor(d.wgsl, helpers)}\n${d.wgsl}` })) };
  };
}

export const castKernels: Record<string, KernelGenerator> = {
  Cast: castTo('Cast') as KernelGenerator,
  CastLike: castTo('CastLike') as KernelGenerator,
  BitCast: castTo('BitCast', bitcastExpr) as KernelGenerator,
};
