// Bit conversions for ONNX's narrow float types (float8 in four flavours, float8e8m0, float4e2m1):
// number → bits with round-to-nearest-even and ONNX Cast's `saturate` rules, bits → number exactly.

/** The narrow float element types; tensors keep one raw bit pattern per Uint8Array slot. */
export type MiniFloatType =
  | 'float8e4m3fn' | 'float8e4m3fnuz' | 'float8e5m2' | 'float8e5m2fnuz' | 'float8e8m0' | 'float4e2m1';

/** How float8e8m0 rounds a value that is not a power of two (Cast's `round_mode`). */
export type E8M0Rounding = 'up' | 'down' | 'nearest';

/** The bit layout and special-value rules of a narrow float (every one but float8e8m0). */
export interface MiniFloatFormat {
  readonly ebits: number;
  readonly mbits: number;
  readonly bias: number;
  /** bits of the largest finite value (positive) */
  readonly maxBits: number;
  /** bits a NaN input becomes */
  readonly nanBits: number;
  /** bits (before the sign) an overflow becomes without saturation: inf, NaN, or max when neither exists */
  readonly overflowBits: number;
  /** whether overflow's bits take the input's sign (not for the fnuz NaN 0x80) */
  readonly overflowSigned: boolean;
  /** fnuz: no negative zero, the one NaN is 0x80 */
  readonly uz: boolean;
  /** decodes the exponent-all-ones patterns: inf and NaN (IEEE-like), NaN for all-ones (fn), or none */
  readonly special: 'ieee' | 'fn' | 'none';
}

const FORMATS: Record<Exclude<MiniFloatType, 'float8e8m0'>, MiniFloatFormat> = {
  // no infinities; 0x7f/0xff are NaN, so the largest finite value is 448 (0x7e)
  float8e4m3fn: { ebits: 4, mbits: 3, bias: 7, maxBits: 0x7e, nanBits: 0x7f, overflowBits: 0x7f, overflowSigned: true, uz: false, special: 'fn' },
  float8e4m3fnuz: { ebits: 4, mbits: 3, bias: 8, maxBits: 0x7f, nanBits: 0x80, overflowBits: 0x80, overflowSigned: false, uz: true, special: 'none' },
  float8e5m2: { ebits: 5, mbits: 2, bias: 15, maxBits: 0x7b, nanBits: 0x7e, overflowBits: 0x7c, overflowSigned: true, uz: false, special: 'ieee' },
  float8e5m2fnuz: { ebits: 5, mbits: 2, bias: 16, maxBits: 0x7f, nanBits: 0x80, overflowBits: 0x80, overflowSigned: false, uz: true, special: 'none' },
  // no infinities and no NaN: overflow always clamps; a NaN input becomes 0x8 as the ONNX reference has it
  float4e2m1: { ebits: 2, mbits: 1, bias: 1, maxBits: 0x7, nanBits: 0x8, overflowBits: 0x7, overflowSigned: true, uz: false, special: 'none' },
};

/** The layout of `t`, for code that converts it elsewhere (the WebGPU kernels generate WGSL from it). */
export const miniFloatFormat = (t: Exclude<MiniFloatType, 'float8e8m0'>): MiniFloatFormat => FORMATS[t];

export const isMiniFloatType = (t: string): t is MiniFloatType =>
  t === 'float8e8m0' || Object.prototype.hasOwnProperty.call(FORMATS, t);

/** floor(log2(a)) for a finite a > 0, exact (Math.log2 can be off by one next to powers of two). */
function exponentOf(a: number): number {
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return e;
}

/** Round half to even. */
function rint(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

function decodeBits(f: MiniFloatFormat, bits: number): number {
  const signBit = 1 << (f.ebits + f.mbits);
  const emask = (1 << f.ebits) - 1;
  const mmask = (1 << f.mbits) - 1;
  if (f.uz && bits === 0x80) return NaN;
  const neg = (bits & signBit) !== 0;
  const e = (bits >> f.mbits) & emask;
  const m = bits & mmask;
  let v: number;
  if (f.special === 'ieee' && e === emask) v = m === 0 ? Infinity : NaN;
  else if (f.special === 'fn' && e === emask && m === mmask) v = NaN;
  else if (e === 0) v = m * 2 ** (1 - f.bias - f.mbits);
  else v = (1 + m / (1 << f.mbits)) * 2 ** (e - f.bias);
  return neg ? -v : v;
}

function encodeBits(f: MiniFloatFormat, v: number, saturate: boolean): number {
  if (Number.isNaN(v)) return f.nanBits;
  const signBit = 1 << (f.ebits + f.mbits);
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  const max = decodeBits(f, f.maxBits);
  let bits = 0;
  let overflow = a === Infinity;
  if (!overflow) {
    const emin = 1 - f.bias;
    const e = a === 0 ? emin : Math.max(emin, exponentOf(a));
    const quantum = 2 ** (e - f.mbits);
    const r = rint(a / quantum); // a / quantum is exact: a power-of-two scaling
    if (r * quantum > max) overflow = true;
    else if (r < 1 << f.mbits) bits = r; // subnormal (or zero): exponent field 0
    else if (r === 1 << (f.mbits + 1)) bits = (e + 1 + f.bias) << f.mbits; // rounded up to the next binade
    else bits = ((e + f.bias) << f.mbits) | (r - (1 << f.mbits));
  }
  if (overflow) {
    if (saturate) bits = f.maxBits;
    else if (!f.overflowSigned) return f.overflowBits;
    else bits = f.overflowBits;
  }
  if (bits === 0 && f.uz) return 0; // fnuz has no negative zero
  return neg ? bits | signBit : bits;
}

// ---- float8e8m0: an unsigned power of two, 2^(bits - 127); 0xff is NaN ----

function decodeE8M0(bits: number): number {
  return bits === 0xff ? NaN : 2 ** (bits - 127);
}

function encodeE8M0(v: number, saturate: boolean, rounding: E8M0Rounding): number {
  if (Number.isNaN(v)) return 0xff;
  const a = Math.abs(v); // no sign bit: the magnitude's exponent
  if (a === Infinity) return saturate ? 0xfe : 0xff;
  if (a === 0) return 0;
  let e = exponentOf(a);
  if (a !== 2 ** e && (rounding === 'up' || (rounding === 'nearest' && a >= 1.5 * 2 ** e))) e++;
  const b = e + 127;
  if (b < 0) return 0;
  if (b > 0xfe) return saturate ? 0xfe : 0xff;
  return b;
}

// ---- decode tables (256 entries per type, built on first use) ----

const tables = new Map<MiniFloatType, Float64Array>();

/** bits → value for every pattern of `t` (float4e2m1 uses the first 16). */
export function miniFloatTable(t: MiniFloatType): Float64Array {
  let tab = tables.get(t);
  if (!tab) {
    tab = new Float64Array(256);
    for (let b = 0; b < 256; b++) tab[b] = t === 'float8e8m0' ? decodeE8M0(b) : decodeBits(FORMATS[t], b & (t === 'float4e2m1' ? 0xf : 0xff));
    tables.set(t, tab);
  }
  return tab;
}

/** The value of one bit pattern of `t`. */
export function miniFloatToNumber(t: MiniFloatType, bits: number): number {
  return miniFloatTable(t)[bits & 0xff];
}

/**
 * The bits of `t` nearest to `v` (round to nearest even). With `saturate` (ONNX's default) values
 * beyond the largest finite one, infinities included, clamp to it; without, they become inf where
 * the type has one (e5m2) and NaN otherwise. `rounding` only concerns float8e8m0.
 */
export function numberToMiniFloat(t: MiniFloatType, v: number, saturate = true, rounding: E8M0Rounding = 'up'): number {
  return t === 'float8e8m0' ? encodeE8M0(v, saturate, rounding) : encodeBits(FORMATS[t], v, saturate);
}
