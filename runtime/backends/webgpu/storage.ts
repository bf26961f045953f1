// How tensors live in GPU buffers: every element is 32 bits (f32, i32 or u32), whatever its ONNX
// type, so kernels index one way. Uploads and readbacks convert (int64 is carried as i32: shapes,
// indices and counts fit; float64 as f32).

import { fromNumbers, isBigIntType, tensor, toNumbers, type DType, type Tensor, type TypedArray } from '../../tensor';

export type Scalar = 'f32' | 'i32' | 'u32';

const SCALAR: Partial<Record<DType, Scalar>> = {
  float32: 'f32', float64: 'f32', float16: 'f32', bfloat16: 'f32',
  int8: 'i32', int16: 'i32', int32: 'i32', int64: 'i32',
  uint8: 'u32', uint16: 'u32', uint32: 'u32', uint64: 'u32', bool: 'u32',
};

/** The WGSL element type of a dtype on the GPU, or undefined when the GPU cannot hold it. */
export function scalarOf(t: DType): Scalar | undefined {
  return SCALAR[t];
}

export const ELEMENT_BYTES = 4;

/** Bytes of a buffer holding `n` elements (never zero: WebGPU refuses empty bindings). */
export function bufferBytes(n: number): number {
  return Math.max(16, Math.ceil((n * ELEMENT_BYTES) / 16) * 16);
}

/** The 32-bit words to upload for a tensor. */
export function toGpuWords(t: Tensor): Float32Array | Int32Array | Uint32Array {
  const s = scalarOf(t.type);
  if (!s) throw new TypeError(`a ${t.type} tensor cannot live on the GPU`);
  const d = t.data as TypedArray;
  if (t.type === 'float32' || t.type === 'int32' || t.type === 'uint32') return d as Float32Array | Int32Array | Uint32Array;
  const n = d.length;
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
  const s = scalarOf(type);
  if (!s) throw new TypeError(`a ${type} tensor cannot live on the GPU`);
  const view = s === 'f32' ? new Float32Array(words, 0, n) : s === 'i32' ? new Int32Array(words, 0, n) : new Uint32Array(words, 0, n);
  if (type === 'float32' || type === 'int32' || type === 'uint32') return tensor(type, dims, view.slice());
  return fromNumbers(type, dims, view);
}

/** Uploads a tensor's words into `buffer` at offset 0. */
export function writeTensor(device: GPUDevice, buffer: GPUBuffer, t: Tensor): void {
  const words = toGpuWords(t);
  device.queue.writeBuffer(buffer, 0, words.buffer as ArrayBuffer, words.byteOffset, words.byteLength);
}
