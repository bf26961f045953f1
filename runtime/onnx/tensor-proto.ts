// ONNX TensorProto ⇄ Tensor: every storage field (raw_data little-endian, float_data, int32_data
// for the narrow types and halves, int64_data, uint64_data, double_data, string_data).
// 4-bit and 2-bit types are packed two or four to a byte, low bits first, in raw_data and in
// int32_data (one packed byte per int32); in memory they keep one element per slot.

import { allocData, bitsPerElement, byteSize, type DType, type Tensor, type TypedArray, sizeOf, tensor } from '../tensor';
import { CODE_BY_DTYPE, codeName, dtypeOfCode } from '../dtype-codes';
import { int64, int64Number, onnx, type LongLike, type pb } from './proto';

/** Thrown for data the engine cannot represent (complex, external data). */
export class UnsupportedDataError extends Error {
  override name = 'UnsupportedDataError';
}

export function dtypeFromOnnx(code: number): DType {
  const t = dtypeOfCode(code);
  if (!t) throw new UnsupportedDataError(`ONNX element type ${codeName(code)} is not supported`);
  return t;
}

const utf8 = new TextDecoder();
const utf8enc = new TextEncoder();

export function tensorFromProto(p: pb.ITensorProto): Tensor {
  const type = dtypeFromOnnx(p.dataType ?? 0);
  const dims = (p.dims ?? []).map((d) => int64Number(d as LongLike));
  const n = sizeOf(dims);
  if (p.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new UnsupportedDataError(`tensor '${p.name}' keeps its data in an external file, which is not supported yet`);
  }
  if (type === 'string') {
    const s = (p.stringData ?? []).map((b) => utf8.decode(b));
    return tensor(type, dims, s.length ? s : new Array<string>(n).fill(''));
  }
  const raw = p.rawData;
  const bits = bitsPerElement(type);
  if (bits < 8) {
    const packed = raw && raw.length > 0 ? raw : p.int32Data ?? [];
    const want = Math.ceil((n * bits) / 8);
    if (packed.length === 0 && n > 0) return tensor(type, dims, allocData(type, n)); // empty field: zeros per spec
    if (packed.length !== want) {
      throw new RangeError(`tensor '${p.name}': ${packed.length} packed bytes, shape [${dims}] of ${type} needs ${want}`);
    }
    return tensor(type, dims, unpack(type, bits, packed, n));
  }
  if (raw && raw.length > 0) {
    const bytes = byteSize(type);
    if (raw.length !== n * bytes) {
      throw new RangeError(`tensor '${p.name}': raw_data has ${raw.length} bytes, shape [${dims}] of ${type} needs ${n * bytes}`);
    }
    const copy = new Uint8Array(raw.length); // fresh, aligned (Node's Buffer.slice would alias)
    copy.set(raw);
    const data = allocData(type, 0) as TypedArray;
    const Ctor = data.constructor as { new (b: ArrayBufferLike, o: number, l: number): TypedArray };
    return tensor(type, dims, new Ctor(copy.buffer, copy.byteOffset, n));
  }
  const out = allocData(type, n) as TypedArray;
  const src: ArrayLike<number | LongLike> =
    type === 'float32' ? p.floatData ?? [] :
    type === 'float64' ? p.doubleData ?? [] :
    type === 'int64' ? p.int64Data ?? [] :
    type === 'uint32' || type === 'uint64' ? p.uint64Data ?? [] :
    p.int32Data ?? [];
  if (src.length === 0 && n > 0) return tensor(type, dims, out); // empty field: zeros per spec
  if (src.length !== n) throw new RangeError(`tensor '${p.name}': ${src.length} values for shape [${dims}]`);
  if (type === 'int64' || type === 'uint64') {
    const o = out as BigInt64Array;
    for (let i = 0; i < n; i++) o[i] = type === 'uint64' ? BigInt.asUintN(64, int64(src[i] as LongLike)) : int64(src[i] as LongLike);
  } else {
    for (let i = 0; i < n; i++) out[i] = typeof src[i] === 'number' ? (src[i] as number) : int64Number(src[i] as LongLike);
  }
  return tensor(type, dims, out);
}

/** Elements of `bits` (4 or 2) each, low bits of each byte first; signed types sign-extend. */
function unpack(type: DType, bits: number, packed: ArrayLike<number>, n: number): TypedArray {
  const out = allocData(type, n) as Int8Array | Uint8Array;
  const per = 8 / bits;
  const mask = (1 << bits) - 1;
  const signed = type === 'int4' || type === 'int2';
  for (let i = 0; i < n; i++) {
    const v = (packed[Math.floor(i / per)] >> ((i % per) * bits)) & mask;
    out[i] = signed && v > mask >> 1 ? v - (mask + 1) : v;
  }
  return out;
}

/** The inverse of unpack: elements of `bits` each into bytes, zero-padded. */
function pack(bits: number, data: ArrayLike<number>): Uint8Array {
  const per = 8 / bits;
  const mask = (1 << bits) - 1;
  const out = new Uint8Array(Math.ceil(data.length / per));
  for (let i = 0; i < data.length; i++) out[Math.floor(i / per)] |= (data[i] & mask) << ((i % per) * bits);
  return out;
}

export function decodeTensor(bytes: Uint8Array): Tensor {
  return tensorFromProto(onnx.TensorProto.decode(bytes));
}

/** Encodes a tensor as a TensorProto (raw_data form; strings in string_data). */
export function encodeTensor(t: Tensor, name = ''): Uint8Array {
  const p: pb.ITensorProto = { name, dataType: CODE_BY_DTYPE[t.type], dims: [...t.dims] };
  if (t.type === 'string') p.stringData = (t.data as string[]).map((s) => utf8enc.encode(s));
  else if (bitsPerElement(t.type) < 8) p.rawData = pack(bitsPerElement(t.type), t.data as Int8Array | Uint8Array);
  else {
    const d = t.data as TypedArray;
    p.rawData = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  }
  return onnx.TensorProto.encode(p).finish();
}
