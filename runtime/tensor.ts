// Tensors as the engine, the wire and the page API all see them: `{type, dims, data}` with a
// typed array per element type (the same shape onnxruntime-web uses, so page code ports over).
// Narrow types keep one element per slot: float8/float4 as raw bits in a Uint8Array, int4/int2 as
// Int8Array values, uint4/uint2 as Uint8Array values (packing happens only in the ONNX codec).

import { isMiniFloatType, miniFloatTable, numberToMiniFloat, type MiniFloatType } from './float8';

export { isMiniFloatType, type MiniFloatType };

export type NumericType =
  | 'float32' | 'float64' | 'float16' | 'bfloat16'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | MiniFloatType | NarrowIntType;
/** Integers of fewer than 8 bits (ONNX packs them two or four to a byte on the wire). */
export type NarrowIntType = 'int4' | 'uint4' | 'int2' | 'uint2';
export type DType = NumericType | 'bool' | 'string';

export type TypedArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

export type TensorData = TypedArray | string[];

export interface Tensor {
  readonly type: DType;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

/** A sequence value (ONNX `seq(tensor)`), used by the Sequence* ops. */
export interface TensorSequence {
  readonly type: 'sequence';
  readonly items: readonly Tensor[];
}

/** What a graph value may hold at run time: a tensor, a sequence, or an empty optional. */
export type Value = Tensor | TensorSequence | null;

export const isTensor = (v: Value | undefined): v is Tensor =>
  v !== null && v !== undefined && v.type !== 'sequence';

type ArrayCtor = { new (n: number): TypedArray; new (src: ArrayLike<number> | ArrayBufferLike): TypedArray };

const ctors: Record<Exclude<DType, 'string'>, ArrayCtor> = {
  float32: Float32Array as unknown as ArrayCtor,
  float64: Float64Array as unknown as ArrayCtor,
  float16: Uint16Array as unknown as ArrayCtor, // raw IEEE half bits
  bfloat16: Uint16Array as unknown as ArrayCtor, // raw bfloat16 bits
  int8: Int8Array as unknown as ArrayCtor,
  uint8: Uint8Array as unknown as ArrayCtor,
  int16: Int16Array as unknown as ArrayCtor,
  uint16: Uint16Array as unknown as ArrayCtor,
  int32: Int32Array as unknown as ArrayCtor,
  uint32: Uint32Array as unknown as ArrayCtor,
  int64: BigInt64Array as unknown as ArrayCtor,
  uint64: BigUint64Array as unknown as ArrayCtor,
  bool: Uint8Array as unknown as ArrayCtor,
  float8e4m3fn: Uint8Array as unknown as ArrayCtor, // raw float8 bits, likewise below
  float8e4m3fnuz: Uint8Array as unknown as ArrayCtor,
  float8e5m2: Uint8Array as unknown as ArrayCtor,
  float8e5m2fnuz: Uint8Array as unknown as ArrayCtor,
  float8e8m0: Uint8Array as unknown as ArrayCtor,
  float4e2m1: Uint8Array as unknown as ArrayCtor, // raw bits in the low nibble
  int4: Int8Array as unknown as ArrayCtor, // values -8..7
  uint4: Uint8Array as unknown as ArrayCtor, // values 0..15
  int2: Int8Array as unknown as ArrayCtor, // values -2..1
  uint2: Uint8Array as unknown as ArrayCtor, // values 0..3
};

export const DTYPES: readonly DType[] = [...Object.keys(ctors), 'string'] as DType[];

export const isBigIntType = (t: DType): t is 'int64' | 'uint64' => t === 'int64' || t === 'uint64';
export const isFloatType = (t: DType): boolean =>
  t === 'float32' || t === 'float64' || t === 'float16' || t === 'bfloat16';

const NARROW_INT_BITS: Record<NarrowIntType, number> = { int4: 4, uint4: 4, int2: 2, uint2: 2 };
export const isNarrowIntType = (t: DType): t is NarrowIntType => Object.prototype.hasOwnProperty.call(NARROW_INT_BITS, t);

/** Bits per element on the wire: 4 or 2 for the packed types, 8 × bytes otherwise (0 for strings). */
export function bitsPerElement(t: DType): number {
  if (isNarrowIntType(t)) return NARROW_INT_BITS[t];
  return t === 'float4e2m1' ? 4 : 8 * byteSize(t);
}

/**
 * Whether storing a JS number into this type's array gives that number as the type would hold it
 * (rounded to float32, truncated and wrapped like C), so kernels may write results straight in.
 * Not for halves, narrow floats (raw bits), narrow ints (must wrap to their width) or 64-bit ints.
 */
export const storesNumbers = (t: DType): boolean =>
  t !== 'string' && !isBigIntType(t) && t !== 'float16' && t !== 'bfloat16' && !isMiniFloatType(t) && !isNarrowIntType(t);

/** A number truncated and wrapped into a `bits`-wide integer, as a typed-array store would for 8 bits. */
export function wrapInt(v: number, bits: number, signed: boolean): number {
  if (!Number.isFinite(v)) return 0;
  const m = 2 ** bits;
  const u = ((Math.trunc(v) % m) + m) % m;
  return signed && u >= m / 2 ? u - m : u;
}

/** Bytes per element in memory (0 for strings; 1 for the packed types, one element per slot). */
export function byteSize(t: DType): number {
  return t === 'string' ? 0 : (ctors[t] as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
}

export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i];
  }
  return s;
}

/** A zero-filled array for `n` elements of type `t`. */
export function allocData(t: DType, n: number): TensorData {
  if (t === 'string') return new Array<string>(n).fill('');
  return new ctors[t](n);
}

export function tensor(type: DType, dims: readonly number[], data?: TensorData): Tensor {
  const n = sizeOf(dims);
  const d = data ?? allocData(type, n);
  if (d.length !== n) {
    throw new RangeError(`tensor of type ${type} and shape [${dims.join(',')}] needs ${n} elements, got ${d.length}`);
  }
  return { type, dims: [...dims], data: d };
}

/** Builds typed data of type `t` from plain JS numbers (or bigints, for 64-bit integer types). */
export function dataFrom(t: DType, values: ArrayLike<number | bigint | boolean>): TensorData {
  const n = values.length;
  if (t === 'string') throw new TypeError('dataFrom: use a string[] for string tensors');
  const out = allocData(t, n) as TypedArray;
  if (isBigIntType(t)) {
    const o = out as BigInt64Array;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      o[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
    }
  } else if (t === 'float16') {
    const o = out as Uint16Array;
    for (let i = 0; i < n; i++) o[i] = f32ToF16(Number(values[i]));
  } else if (t === 'bfloat16') {
    const o = out as Uint16Array;
    for (let i = 0; i < n; i++) o[i] = f32ToBf16(Number(values[i]));
  } else if (isMiniFloatType(t)) {
    // saturating, as Cast and QuantizeLinear do by default; castTensor handles saturate=0
    const o = out as Uint8Array;
    for (let i = 0; i < n; i++) o[i] = numberToMiniFloat(t, Number(values[i]));
  } else if (isNarrowIntType(t)) {
    const o = out as Int8Array | Uint8Array;
    const bits = NARROW_INT_BITS[t];
    const signed = t === 'int4' || t === 'int2';
    for (let i = 0; i < n; i++) o[i] = wrapInt(Number(values[i]), bits, signed);
  } else if (t === 'bool') {
    const o = out as Uint8Array;
    for (let i = 0; i < n; i++) o[i] = values[i] ? 1 : 0;
  } else {
    const o = out as Float64Array;
    for (let i = 0; i < n; i++) o[i] = Number(values[i]);
  }
  return out;
}

/** Reads any non-string tensor as JS numbers (halves decoded, 64-bit ints converted). */
export function toNumbers(t: Tensor): Float64Array {
  const d = t.data;
  const n = d.length;
  const out = new Float64Array(n);
  if (Array.isArray(d)) throw new TypeError(`expected a numeric tensor, got a ${t.type} tensor`);
  if (t.type === 'float16') for (let i = 0; i < n; i++) out[i] = f16ToF32((d as Uint16Array)[i]);
  else if (t.type === 'bfloat16') for (let i = 0; i < n; i++) out[i] = bf16ToF32((d as Uint16Array)[i]);
  else if (isMiniFloatType(t.type)) {
    const tab = miniFloatTable(t.type);
    for (let i = 0; i < n; i++) out[i] = tab[(d as Uint8Array)[i]];
  }
  else for (let i = 0; i < n; i++) out[i] = Number(d[i]);
  return out;
}

/** Reads a (small) integer tensor such as a shape or axes input as plain numbers. */
export function toInts(t: Tensor): number[] {
  return Array.from(toNumbers(t), (v) => v);
}

/** Builds a tensor of type `t` from float64 values (the reference executor's working type). */
export function fromNumbers(t: DType, dims: readonly number[], values: ArrayLike<number>): Tensor {
  if (t === 'float32' || t === 'float64') return tensor(t, dims, new (t === 'float32' ? Float32Array : Float64Array)(values as ArrayLike<number>));
  if (isBigIntType(t)) {
    const out = allocData(t, values.length) as BigInt64Array;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      out[i] = Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
    }
    return tensor(t, dims, out);
  }
  return tensor(t, dims, dataFrom(t, values));
}

// ---- half-precision conversions ----

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function f16ToF32(h: number): number {
  const s = (h & 0x8000) >> 15;
  const e = (h & 0x7c00) >> 10;
  const f = h & 0x03ff;
  let v: number;
  if (e === 0) v = f * 2 ** -24;
  else if (e === 0x1f) v = f ? NaN : Infinity;
  else v = (1 + f / 1024) * 2 ** (e - 15);
  return s ? -v : v;
}

export function f32ToF16(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return sign | h;
}

export function bf16ToF32(h: number): number {
  u32[0] = h << 16;
  return f32[0];
}

export function f32ToBf16(v: number): number {
  f32[0] = v;
  const x = u32[0];
  if (Number.isNaN(v)) return 0x7fc0;
  const rounding = 0x7fff + ((x >>> 16) & 1);
  return ((x + rounding) >>> 16) & 0xffff;
}

export function describe(t: Tensor): string {
  return `${t.type}[${t.dims.join(',')}]`;
}
