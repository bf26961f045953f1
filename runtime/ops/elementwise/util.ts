// Helpers shared by the elementwise family: dtype classes, input checks and ONNX type codes.

import { isFloatType, type DType, type Tensor } from '../../tensor';
import { OpError } from '../spec';

export const isIntType = (t: DType): boolean =>
  t === 'int8' || t === 'uint8' || t === 'int16' || t === 'uint16' || t === 'int32' || t === 'uint32' ||
  t === 'int64' || t === 'uint64';
export const isNumericType = (t: DType): boolean => isFloatType(t) || isIntType(t);
export const isSignedType = (t: DType): boolean =>
  isFloatType(t) || t === 'int8' || t === 'int16' || t === 'int32' || t === 'int64';

/** Which input types an op accepts, with the phrase its error message uses. */
export interface Accept {
  readonly ok: (t: DType) => boolean;
  readonly says: string;
}
export const FLOAT: Accept = { ok: isFloatType, says: 'a float tensor' };
export const SIGNED: Accept = { ok: isSignedType, says: 'a float or signed integer tensor' };
export const NUMERIC: Accept = { ok: isNumericType, says: 'a numeric tensor' };
export const INTEGER: Accept = { ok: isIntType, says: 'an integer tensor' };
export const BOOL: Accept = { ok: (t) => t === 'bool', says: 'a bool tensor' };

/** Requires a present input, naming the op and input. */
export function need(op: string, t: Tensor | undefined, what: string): Tensor {
  if (!t) throw new OpError(op, `input '${what}' is required`);
  return t;
}

/** Requires the input's dtype to be one `accept` takes. */
export function needType(op: string, t: Tensor, accept: Accept, what = 'X'): Tensor {
  if (!accept.ok(t.type)) throw new OpError(op, `input '${what}' must be ${accept.says}, got ${t.type}`);
  return t;
}

/** Requires every input to share the first one's dtype. */
export function needSameType(op: string, ts: readonly Tensor[]): DType {
  const t = ts[0].type;
  for (const x of ts) if (x.type !== t) throw new OpError(op, `inputs must share one type, got ${ts.map((y) => y.type).join(' and ')}`);
  return t;
}

// ---- ONNX element-type codes (Cast's `to`) ----

const ONNX_DTYPES: Record<number, DType> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};
const ONNX_TYPE_NAMES: Record<number, string> = {
  14: 'complex64', 15: 'complex128', 17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2',
  20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4', 23: 'float4e2m1', 24: 'float8e8m0', 25: 'uint2', 26: 'int2',
};

/** The engine dtype for an ONNX element-type code, or undefined for one it lacks (float8, int4, …). */
export const dtypeOfCode = (code: number): DType | undefined => ONNX_DTYPES[code];
export const codeName = (code: number): string => ONNX_TYPE_NAMES[code] ?? `code ${code}`;
