// The plan's linear memory as the host sees it: a bump allocator that places every buffer at
// compile time (after which the memory never grows, so a run allocates nothing), and typed
// views for moving tensors in and out.

import { allocData, sizeOf, type DType, type Tensor, type TypedArray } from '../../tensor';

/** Cache-line alignment for every buffer (vector loads never straddle more than they must). */
export const ALIGN = 64;

export const alignUp = (n: number, a = ALIGN): number => Math.ceil(n / a) * a;

type Ctor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray; readonly BYTES_PER_ELEMENT: number };

/** The typed-array constructor whose elements are this dtype's bytes in memory. */
function ctorOf(dtype: DType): Ctor {
  return (allocData(dtype, 0) as TypedArray).constructor as unknown as Ctor;
}

export class Arena {
  private top: number;

  constructor(start: number) {
    this.top = alignUp(start);
  }

  /** Reserves `bytes` (aligned) and returns the offset. */
  take(bytes: number): number {
    const at = this.top;
    this.top = alignUp(at + Math.max(bytes, 0));
    return at;
  }

  get size(): number {
    return this.top;
  }
}

/** Grows `memory` to at least `bytes`. */
export function ensureSize(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
}

/** Copies a tensor's data into memory at `offset`. */
export function writeTensor(memory: WebAssembly.Memory, offset: number, t: Tensor): void {
  if (t.type === 'string') throw new TypeError('string tensors do not live in linear memory');
  const view = new (ctorOf(t.type))(memory.buffer, offset, t.data.length);
  view.set(t.data as TypedArray as never);
}

/** Copies raw bytes into memory at `offset`. */
export function writeBytes(memory: WebAssembly.Memory, offset: number, data: ArrayBufferView): void {
  new Uint8Array(memory.buffer, offset, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** A tensor copied out of memory at `offset`. */
export function readTensor(memory: WebAssembly.Memory, offset: number, dtype: DType, dims: readonly number[]): Tensor {
  const n = sizeOf(dims);
  const data = new (ctorOf(dtype))(memory.buffer, offset, n).slice();
  return { type: dtype, dims: [...dims], data };
}
