// How tensors live in GPU buffers: every element is one 32-bit word (f32, i32 or u32), whatever its
// ONNX type, so kernels index one way. Uploads and readbacks convert (int64 is carried as i32:
// shapes, indices and counts fit; float64 as f32; float16/bfloat16 widen to their exact f32 value).
//
// The narrow types take a word per element too, widened on upload and narrowed on readback (not
// packed: kernels index them like the others, and they mostly meet the GPU at a model's edges;
// a kernel reading packed int4 weights directly would want its own layout). What the word holds:
//   float8 (four flavours), float8e8m0, float4e2m1: the raw bit pattern, in a u32. Not the decoded
//     f32 value: that loses which NaN (e4m3fn's saturate=0 overflow of -x is 0xff, not 0x7f) and
//     would let any f32 kernel compute on them without rounding back to the narrow type.
//   int4, int2 / uint4, uint2: the value, in an i32 / u32, like int8 / uint8.
// Neither is something a general kernel may compute on, so `scalarOf` leaves them out: only the
// kernels that know them (Cast, CastLike, QuantizeLinear, DequantizeLinear, aliases) take them,
// and every other generator refuses them as it refuses any type it has no scalar for.

import { isMiniFloatType } from '../../float8';
import type { TensorType } from '../../ir/graph';
import { fromNumbers, isBigIntType, tensor, toNumbers, type DType, type Tensor, type TypedArray } from '../../tensor';
import type { ValueDesc } from './kernel';

export type Scalar = 'f32' | 'i32' | 'u32';

const SCALAR: Partial<Record<DType, Scalar>> = {
  float32: 'f32', float64: 'f32', float16: 'f32', bfloat16: 'f32',
  int8: 'i32', int16: 'i32', int32: 'i32', int64: 'i32',
  uint8: 'u32', uint16: 'u32', uint32: 'u32', uint64: 'u32', bool: 'u32',
};

/** The words of the narrow types (see above): GPU-resident, but no scalar general kernels compute in. */
const NARROW_WORD: Partial<Record<DType, Scalar>> = {
  float8e4m3fn: 'u32', float8e4m3fnuz: 'u32', float8e5m2: 'u32', float8e5m2fnuz: 'u32', float8e8m0: 'u32', float4e2m1: 'u32',
  int4: 'i32', int2: 'i32', uint4: 'u32', uint2: 'u32',
};

/** The WGSL element type of a dtype on the GPU, or undefined when the GPU cannot hold it. */
export function scalarOf(t: DType): Scalar | undefined {
  return SCALAR[t];
}

/** The WGSL type of the word an element of `t` lives in on the GPU, or undefined (strings). */
export function wordOf(t: DType): Scalar | undefined {
  return SCALAR[t] ?? NARROW_WORD[t];
}

/** Which bits of a narrow float's word are its pattern (float4e2m1 keeps its four in the low nibble). */
const bitMask = (t: DType) => (t === 'float4e2m1' ? 0xf : 0xff);

export const ELEMENT_BYTES = 4;

/** Bytes of a buffer holding `n` elements (never zero: WebGPU refuses empty bindings). */
export function bufferBytes(n: number): number {
  return Math.max(16, Math.ceil((n * ELEMENT_BYTES) / 16) * 16);
}

/** The 32-bit words to upload for a tensor. */
export function toGpuWords(t: Tensor): Float32Array | Int32Array | Uint32Array {
  const s = wordOf(t.type);
  if (!s) throw new TypeError(`a ${t.type} tensor cannot live on the GPU`);
  const d = t.data as TypedArray;
  if (t.type === 'float32' || t.type === 'int32' || t.type === 'uint32') return d as Float32Array | Int32Array | Uint32Array;
  const n = d.length;
  if (isMiniFloatType(t.type)) {
    const out = new Uint32Array(n);
    const mask = bitMask(t.type);
    for (let i = 0; i < n; i++) out[i] = (d as Uint8Array)[i] & mask;
    return out;
  }
  if (isBigIntType(t.type)) {
    const out = s === 'i32' ? new Int32Array(n) : new Uint32Array(n);
    const big = d as BigInt64Array;
    // Clamp rather than wrap: INT64_MAX used as "to the end" stays a huge positive bound.
    for (let i = 0; i < n; i++) {
      const v = big[i];
      out[i] = s === 'i32' ? (v > 2147483647n ? 2147483647 : v < -2147483648n ? -2147483648 : Number(v)) : Number(BigInt.asUintN(32, v > 4294967295n ? 4294967295n : v));
    }
    return out;
  }
  const values = toNumbers(t);
  return s === 'f32' ? new Float32Array(values) : s === 'i32' ? new Int32Array(values) : new Uint32Array(values);
}

/** Rebuilds a tensor of `type` from the 32-bit words read back from the GPU. */
export function fromGpuWords(type: DType, dims: readonly number[], words: ArrayBuffer, n: number): Tensor {
  const s = wordOf(type);
  if (!s) throw new TypeError(`a ${type} tensor cannot live on the GPU`);
  if (isMiniFloatType(type)) {
    const bits = new Uint8Array(n);
    const w = new Uint32Array(words, 0, n);
    const mask = bitMask(type);
    for (let i = 0; i < n; i++) bits[i] = w[i] & mask;
    return tensor(type, dims, bits);
  }
  const view = s === 'f32' ? new Float32Array(words, 0, n) : s === 'i32' ? new Int32Array(words, 0, n) : new Uint32Array(words, 0, n);
  if (type === 'float32' || type === 'int32' || type === 'uint32') return tensor(type, dims, view.slice());
  return fromNumbers(type, dims, view);
}

/** Uploads a tensor's words into `buffer` at offset 0. */
export function writeTensor(device: GPUDevice, buffer: GPUBuffer, t: Tensor): void {
  const words = toGpuWords(t);
  device.queue.writeBuffer(buffer, 0, words.buffer as ArrayBuffer, words.byteOffset, words.byteLength);
}

/** A value's type when it is a GPU-representable tensor with a fully known shape. */
export function concrete(t: TensorType | null | undefined): ValueDesc | undefined {
  if (!t || t.kind !== 'tensor' || !t.shape || !wordOf(t.dtype)) return undefined;
  if (!t.shape.every((d): d is number => typeof d === 'number' && d >= 0)) return undefined;
  return { dtype: t.dtype, dims: t.shape as number[] };
}
