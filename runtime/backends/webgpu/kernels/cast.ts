// Cast and CastLike between the GPU-representable types (f32, i32, u32 words), with ONNX/numpy
// meaning: float → int truncates toward zero, narrow ints wrap, anything → bool is `!= 0`, and
// float16/bfloat16 targets round to nearest even so a later GPU kernel sees the narrow value.
// A cast that changes nothing on the GPU (float32 → float64, int32 → int64) is an alias. BitCast
// reinterprets 32-bit words and wraps 8/16-bit integers.

import type { DType } from '../../../tensor';
import type { KernelGenerator, Lowering } from '../kernel';
import { scalarOf } from '../storage';
import { helpersFor } from './activation-helpers';
import { mapKernel } from './elementwise-map';
import { wrapNarrow } from './elementwise';

/** f32 rounded to the nearest float16 / bfloat16 value (ties to even), as an f32. */
const CAST_HELPERS: Readonly<Record<string, string>> = {
  k_f16: `
fn k_f16(x: f32) -> f32 {
  let a = abs(x);
  if (a != a) { return x; }
  if (a >= 65520.0f) { var k_bits = 0x7f800000u; return sign(x) * bitcast<f32>(k_bits); }
  // below float16's smallest normal the quantum is 2^-24: scale, round half to even, scale back
  if (a < 6.103515625e-05f) { return sign(x) * round(a * 16777216.0f) / 16777216.0f; }
  let b = bitcast<u32>(x);
  return bitcast<f32>((b + 0xfffu + ((b >> 13u) & 1u)) & 0xffffe000u);
}`,
  k_bf16: `
fn k_bf16(x: f32) -> f32 {
  if (x != x) { return x; }
  let b = bitcast<u32>(x);
  return bitcast<f32>((b + 0x7fffu + ((b >> 16u) & 1u)) & 0xffff0000u);
}`,
};

/** WGSL converting `x` (held as `from`'s word) to the word of `to`, or undefined if either has none. */
export function castExpr(from: DType, to: DType, x: string): string | undefined {
  const si = scalarOf(from);
  const so = scalarOf(to);
  if (!si || !so) return undefined;
  if (to === 'bool') return si === 'f32' ? `u32(${x} != 0.0f)` : si === 'i32' ? `u32(${x} != 0i)` : `u32(${x} != 0u)`;
  if (so === 'f32') {
    const f = si === 'f32' ? x : `f32(${x})`;
    return to === 'float16' ? `k_f16(${f})` : to === 'bfloat16' ? `k_bf16(${f})` : f;
  }
  if (so === 'i32') {
    const i = si === 'f32' ? `i32(${x})` : si === 'u32' ? `bitcast<i32>(${x})` : x;
    return wrapNarrow(to, i);
  }
  // unsigned: negative floats wrap through int32 like C on x86 (numpy's behaviour)
  const u = si === 'f32' ? `select(u32(${x}), bitcast<u32>(i32(${x})), ${x} < 0.0f)` : si === 'i32' ? `bitcast<u32>(${x})` : x;
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

type Convert = (from: DType, to: DType, x: string) => string | undefined;

function castTo(op: string, convert: Convert = castExpr): KernelGenerator {
  return ({ inputs, outputs }): Lowering => {
    const x = inputs[0];
    const to = outputs[0].dtype;
    const e = x && convert(x.dtype, to, 'k_v0');
    if (!x || !e) return { kind: 'unsupported', reason: `${op} from ${x?.dtype ?? 'nothing'} to ${to} has no GPU form` };
    if (e === 'k_v0') return { kind: 'alias', input: 0 };
    const main = mapKernel(op.toLowerCase(), [{ type: scalarOf(x.dtype)!, dims: x.dims }], { type: scalarOf(to)!, dims: outputs[0].dims }, e);
    if (main.kind !== 'dispatch') return main;
    return { kind: 'dispatch', dispatches: main.dispatches.map((d) => ({ ...d, wgsl: `${helpersFor(d.wgsl, CAST_HELPERS)}\n${d.wgsl}` })) };
  };
}

export const castKernels: Record<string, KernelGenerator> = {
  Cast: castTo('Cast'),
  CastLike: castTo('CastLike'),
  BitCast: castTo('BitCast', bitcastExpr),
};
