// ONNX TensorProto ⇄ Tensor: every storage field (raw_data little-endian, float_data, int32_data
// for the narrow types and halves, int64_data, uint64_data, double_data, string_data).

import { allocData, byteSize, type DType, type Tensor, type TypedArray, sizeOf, tensor } from '../tensor';
import { int64, int64Number, onnx, type LongLike, type pb } from './proto';

const ONNX_TO_DTYPE: Record<number, DType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};
const ONNX_TYPE_NAMES: Record<number, string> = {
  14: 'complex64', 15: 'complex128', 17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2',
  20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4', 23: 'float4e2m1',
};
export const DTYPE_TO_ONNX: Record<DType, number> = Object.fromEntries(
  Object.entries(ONNX_TO_DTYPE).map(([k, v]) => [v, Number(k)]),
) as Record<DType, number>;

/** Thrown for data the engine cannot represent (complex, float8, int4, external data). */
export class UnsupportedDataError extends Error {
  override name = 'UnsupportedDataError';
}

export function dtypeFromOnnx(code: number): DType {
  const t = ONNX_TO_DTYPE[code];
  if (!t) throw new UnsupportedDataError(`ONNX element type ${ONNX_TYPE_NAMES[code] ?? code} is not supported`);
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

export function decodeTensor(bytes: Uint8Array): Tensor {
  return tensorFromProto(onnx.TensorProto.decode(bytes));
}

/** Encodes a tensor as a TensorProto (raw_data form; strings in string_data). */
export function encodeTensor(t: Tensor, name = ''): Uint8Array {
  const p: pb.ITensorProto = { name, dataType: DTYPE_TO_ONNX[t.type], dims: [...t.dims] };
  if (t.type === 'string') p.stringData = (t.data as string[]).map((s) => utf8enc.encode(s));
  else {
    const d = t.data as TypedArray;
    p.rawData = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  }
  return onnx.TensorProto.encode(p).finish();
}
