// Shape and type inference shared by the elementwise ops: numpy broadcasting over possibly
// symbolic dims, and the same-shape case.

import type { Dim, TensorType } from '../../ir/graph';
import type { DType } from '../../tensor';
import { OpError } from '../spec';

export const tensorType = (dtype: DType, shape: readonly Dim[] | null): TensorType => ({ kind: 'tensor', dtype, shape });

/** One output dim from two broadcast dims: a known size beats a symbol, equal symbols stay. */
function combineDims(op: string, d: Dim, x: Dim): Dim {
  if (x === 1 || x === d) return d;
  if (d === 1) return x;
  if (typeof d === 'number' && typeof x === 'number') throw new OpError(op, `dims ${d} and ${x} do not broadcast`);
  if (typeof d === 'number') return d;
  if (typeof x === 'number') return x;
  return null;
}

/** The broadcast of possibly symbolic shapes; null when any rank is unknown. */
export function broadcastDims(op: string, shapes: readonly (readonly Dim[] | null)[]): Dim[] | null {
  if (shapes.some((s) => s === null)) return null;
  const ss = shapes as readonly (readonly Dim[])[];
  const rank = Math.max(0, ...ss.map((s) => s.length));
  const out = new Array<Dim>(rank).fill(1);
  for (const s of ss) for (let i = 0; i < s.length; i++) {
    const o = rank - s.length + i;
    out[o] = combineDims(op, out[o], s[i]);
  }
  return out;
}

/** Inference for a broadcasting op: the output dtype (default: the first input's) over the broadcast shape. */
export function inferBroadcast(op: string, inputs: readonly (TensorType | null)[], dtype?: DType): (TensorType | null)[] {
  const dt = dtype ?? inputs.find((t) => t)?.dtype;
  if (!dt) return [null];
  return [tensorType(dt, broadcastDims(op, inputs.map((t) => t?.shape ?? null)))];
}

/** Inference for an op whose output has its first input's shape and `dtype` (default: its type). */
export function inferSameShape(inputs: readonly (TensorType | null)[], dtype?: DType): (TensorType | null)[] {
  const t = inputs[0] ?? null;
  if (!t) return [dtype ? tensorType(dtype, null) : null];
  return [dtype ? tensorType(dtype, t.shape) : t];
}
