// ONNX element-type codes (TensorProto.DataType) ⇄ engine dtypes: the one table, used by the
// TensorProto codec and by ops whose attributes name a type by code (Cast's `to`, EyeLike's dtype).

import type { DType } from './tensor';

const DTYPE_BY_CODE: Readonly<Record<number, DType>> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
  17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4',
  23: 'float4e2m1', 24: 'float8e8m0', 25: 'uint2', 26: 'int2',
};
/** Codes the engine has no dtype for, by name, for error messages. */
const UNSUPPORTED_NAMES: Readonly<Record<number, string>> = { 14: 'complex64', 15: 'complex128' };

export const CODE_BY_DTYPE = Object.fromEntries(
  Object.entries(DTYPE_BY_CODE).map(([k, v]) => [v, Number(k)]),
) as Readonly<Record<DType, number>>;

/** The engine dtype for an ONNX element-type code, or undefined for one it lacks (complex). */
export const dtypeOfCode = (code: number): DType | undefined => DTYPE_BY_CODE[code];

/** A code's name for messages: its dtype, a known unsupported type's name, or the number. */
export const codeName = (code: number): string => DTYPE_BY_CODE[code] ?? UNSUPPORTED_NAMES[code] ?? `code ${code}`;
