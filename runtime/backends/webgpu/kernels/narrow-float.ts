// WGSL codecs for the narrow floats, which live on the GPU as their raw bit pattern in a u32 word
// (../storage.ts): float8 in four flavours, float4e2m1 and float8e8m0. Decoding gives the exact
// f32 value; encoding takes an f32's bits and rounds to nearest even with ONNX's `saturate` rules,
// the same as runtime/float8.ts (generated from its format table), bit for bit.
//
// Encoders work on the f32's bits in integer arithmetic, never on the float itself: GPUs may flush
// f32 subnormals in float operations (WGSL allows it; 2^-127 is float8e8m0's smallest value, and
// -1e-40 must still give a negative zero) and compilers may assume x == x. Decoders build the f32
// from bits for the same reason.

import { miniFloatFormat, type E8M0Rounding, type MiniFloatFormat, type MiniFloatType } from '../../../float8';

type Flavour = Exclude<MiniFloatType, 'float8e8m0'>;

const FLAVOURS: readonly Flavour[] = ['float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'float4e2m1'];

const hex = (n: number) => `0x${n.toString(16)}u`;

function decoder(t: Flavour, f: MiniFloatFormat): string {
  const width = f.ebits + f.mbits;
  const emask = (1 << f.ebits) - 1;
  const mmask = (1 << f.mbits) - 1;
  // a NaN keeps its pattern's sign, as the reference's decode table has it (-NaN for 0xff)
  const special =
    f.special === 'ieee' ? `  if (e == ${hex(emask)}) { return bitcast<f32>(s | select(0x7fc00000u, 0x7f800000u, m == 0u)); }\n`
    : f.special === 'fn' ? `  if (e == ${hex(emask)} && m == ${hex(mmask)}) { return bitcast<f32>(s | 0x7fc00000u); }\n`
    : '';
  return `
fn k_${t}_dec(w: u32) -> f32 {
  let b = w & ${hex((1 << (width + 1)) - 1)};
${f.uz ? `  if (b == ${hex(1 << width)}) { var k_qnan = 0x7fc00000u; return bitcast<f32>(k_qnan); }\n` : ''}  let s = (b >> ${width}u) << 31u;
  let e = (b >> ${f.mbits}u) & ${hex(emask)};
  let m = b & ${hex(mmask)};
${special}  // subnormal: m * 2^(1 - bias - mbits), exact (a small integer times a power of two, an f32 normal)
  if (e == 0u) { return bitcast<f32>(s | bitcast<u32>(f32(m) * ${2 ** (1 - f.bias - f.mbits)}f)); }
  return bitcast<f32>(s | ((e + ${127 - f.bias}u) << 23u) | (m << ${23 - f.mbits}u));
}`;
}

function encoder(t: Flavour, f: MiniFloatFormat): string {
  const signBit = 1 << (f.ebits + f.mbits);
  const emin = 1 - f.bias;
  const overflow = f.overflowSigned ? `bits = ${hex(f.overflowBits)};` : `return ${hex(f.overflowBits)};`;
  return `
fn k_${t}_enc(x: u32, sat: bool, tail: i32) -> u32 {
  let a = x & 0x7fffffffu;
  if (a > 0x7f800000u) { return ${hex(f.nanBits)}; }
  var bits = 0u;
  var over = a == 0x7f800000u;
  // f32 zeros and subnormals lie far below half the smallest subnormal here: they round to zero
  if (!over && a >= 0x800000u) {
    // a = mant * 2^(ex - 23); the quantum at exponent e = max(ex, emin) is 2^(e - mbits)
    let ex = i32(a >> 23u) - 127;
    let e = max(ex, ${emin}i);
    let mant = (a & 0x7fffffu) | 0x800000u;
    // shifting by 25 or more leaves 0 with a remainder below half: clamp (WGSL masks shift counts)
    let shift = u32(min(${23 - f.mbits}i + e - ex, 25i));
    var r = mant >> shift;
    let rem = mant & ((1u << shift) - 1u);
    let half = 1u << (shift - 1u);
    // ties to even, unless tail says the exact value's magnitude lies above (1) or below (-1) a's
    if (rem > half || (rem == half && (tail > 0 || (tail == 0 && (r & 1u) == 1u)))) { r = r + 1u; }
    // exponent field and mantissa in one sum: r = 2^(mbits+1) carries into the next binade and a
    // subnormal (e = emin) has field 0; patterns order like values, so overflow is bits > max
    bits = (u32(e + ${f.bias - 1}i) << ${f.mbits}u) + r;
    over = bits > ${hex(f.maxBits)};
  }
  if (over) {
    if (sat) { bits = ${hex(f.maxBits)}; } else { ${overflow} }
  }
${f.uz ? '  if (bits == 0u) { return 0u; } // no negative zero\n' : ''}  return select(bits, bits | ${hex(signBit)}, (x >> 31u) != 0u);
}`;
}

/** float8e8m0: 2^(b - 127), no sign, 0xff NaN; 2^-127 is an f32 subnormal, so it is built from bits. */
const E8M0 = {
  k_float8e8m0_dec: `
fn k_float8e8m0_dec(w: u32) -> f32 {
  let b = w & 0xffu;
  var k_sub = 0x400000u;
  if (b == 0xffu) { return bitcast<f32>(k_sub | 0x7f800000u); }
  return bitcast<f32>(select(b << 23u, k_sub, b == 0u));
}`,
  // a positive m * 2^k (m != 0) to e8m0: the exponent of its leading one, raised when rounding
  // asks (mode 0 up, 1 down, 2 nearest: up from 1.5 on), then clamped or NaN past 2^127
  k_e8m0_pack: `
fn k_e8m0_pack(m: u32, k: i32, sat: bool, mode: u32) -> u32 {
  let p = 31u - countLeadingZeros(m);
  var e = i32(p) + k;
  let exact = (m & ~(1u << p)) == 0u;
  let upper = p > 0u && ((m >> (max(p, 1u) - 1u)) & 1u) == 1u;
  if (!exact && (mode == 0u || (mode == 2u && upper))) { e = e + 1; }
  let b = e + 127;
  if (b < 0) { return 0u; }
  if (b > 254) { return select(0xffu, 0xfeu, sat); }
  return u32(b);
}`,
  k_float8e8m0_enc: `
fn k_float8e8m0_enc(x: u32, sat: bool, mode: u32) -> u32 {
  let a = x & 0x7fffffffu;
  if (a > 0x7f800000u) { return 0xffu; }
  if (a == 0x7f800000u) { return select(0xffu, 0xfeu, sat); }
  if (a == 0u) { return 0u; }
  if (a < 0x800000u) { return k_e8m0_pack(a, -149i, sat, mode); }
  return k_e8m0_pack((a & 0x7fffffu) | 0x800000u, i32(a >> 23u) - 150i, sat, mode);
}`,
  // integers go straight from their magnitude: through f32 they would round past 2^24
  k_float8e8m0_enc_int: `
fn k_float8e8m0_enc_int(m: u32, sat: bool, mode: u32) -> u32 {
  if (m == 0u) { return 0u; }
  return k_e8m0_pack(m, 0i, sat, mode);
}`,
};

/** Every narrow-float helper by name, for `helpersFor` (it picks the ones a shader calls). */
export const NARROW_FLOAT_HELPERS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(FLAVOURS.flatMap((t) => [
    [`k_${t}_dec`, decoder(t, miniFloatFormat(t))],
    [`k_${t}_enc`, encoder(t, miniFloatFormat(t))],
  ])),
  ...E8M0,
};

/** The f32 value of narrow float `t` held as bits in u32 expression `word`. */
export const decodeNarrow = (t: MiniFloatType, word: string): string => `k_${t}_dec(${word})`;

const MODE: Record<E8M0Rounding, number> = { up: 0, down: 1, nearest: 2 };

/** How Cast and QuantizeLinear round into a narrow float. */
export interface NarrowRounding {
  readonly saturate: boolean;
  readonly roundMode?: E8M0Rounding;
}

/**
 * The bits of narrow float `t` nearest the f32 whose bits are u32 expression `f32Bits`. `tail`, an
 * i32 expression, is for an f32 that is a rounded sum: the sign of the exact value's excess over
 * it in magnitude, which breaks a tie the other way (not for float8e8m0: see QuantizeLinear).
 */
export function encodeNarrow(t: MiniFloatType, f32Bits: string, r: NarrowRounding, tail = '0i'): string {
  return t === 'float8e8m0'
    ? `k_float8e8m0_enc(${f32Bits}, ${r.saturate}, ${MODE[r.roundMode ?? 'up']}u)`
    : `k_${t}_enc(${f32Bits}, ${r.saturate}, ${tail})`;
}

/**
 * The bits of `t` nearest integer expression `x` (an i32 or u32 word): exact for every 32-bit
 * value. Through f32 is exact up to 2^24, and past it every type but e8m0 has overflowed already.
 */
export function encodeNarrowFromInt(t: MiniFloatType, x: string, signed: boolean, r: NarrowRounding): string {
  if (t === 'float8e8m0') {
    // abs(i32 min) wraps to itself, whose bits are 2^31: the magnitude still
    const m = signed ? `bitcast<u32>(abs(${x}))` : x;
    return `k_float8e8m0_enc_int(${m}, ${r.saturate}, ${MODE[r.roundMode ?? 'up']}u)`;
  }
  return encodeNarrow(t, `bitcast<u32>(f32(${x}))`, r);
}
