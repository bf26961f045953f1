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

export { codeName, dtypeOfCode } from '../../dtype-codes';
