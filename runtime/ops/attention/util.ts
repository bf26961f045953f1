// Helpers shared by the attention family: input checks, a broadcast gather to a fixed shape,
// and a numerically safe softmax over contiguous rows.

import type { TensorType } from '../../ir/graph';
import { isFloatType, type Tensor } from '../../tensor';
import { broadcastIndex } from '../broadcast';
import { OpError } from '../spec';

/** Returns the input or throws naming the op and the missing input. */
export function need(op: string, t: Tensor | undefined, what: string): Tensor {
  if (!t) throw new OpError(op, `input '${what}' is required`);
  return t;
}

/** Checks that a tensor holds floats (float16/bfloat16/float32/float64). */
export function needFloat(op: string, t: Tensor, what: string): Tensor {
  if (!isFloatType(t.type)) throw new OpError(op, `input '${what}' must be a float tensor, got ${t.type}`);
  return t;
}

/** `values` (of shape `dims`) broadcast numpy-style to `outDims`, as a new array. */
export function broadcastTo(values: Float64Array, dims: readonly number[], outDims: readonly number[]): Float64Array {
  const idx = broadcastIndex(dims, outDims);
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = values[idx[i]];
  return out;
}

/**
 * Softmax of x[off .. off+len) in place. A row that is entirely -inf (fully masked) becomes all
 * zeros rather than NaN, as the ONNX attention tests expect.
 */
export function softmaxRow(x: Float64Array, off: number, len: number): void {
  let m = -Infinity;
  for (let k = 0; k < len; k++) if (x[off + k] > m) m = x[off + k];
  if (m === -Infinity) {
    x.fill(0, off, off + len);
    return;
  }
  let s = 0;
  for (let k = 0; k < len; k++) {
    const e = Math.exp(x[off + k] - m);
    x[off + k] = e;
    s += e;
  }
  for (let k = 0; k < len; k++) x[off + k] /= s;
}

export const tensorType = (t: TensorType | null, shape: TensorType['shape']): TensorType | null =>
  t ? { kind: 'tensor', dtype: t.dtype, shape } : null;
