// Stacking and unstacking tensors along an axis: the scan outputs and inputs of Loop and Scan.

import { allocData, stridesOf, tensor, type Tensor, type TensorData } from '../../tensor';
import { OpError } from '../spec';

/** Stacks same-shaped tensors along a new axis `axis` (items in the given order). */
export function stack(op: string, items: readonly Tensor[], axis = 0): Tensor {
  if (items.length === 0) throw new OpError(op, 'cannot stack zero tensors');
  const { type, dims } = items[0];
  for (const t of items) {
    if (t.type !== type || t.dims.join() !== dims.join()) throw new OpError(op, `scan outputs must share one type and shape; got ${type}[${dims}] and ${t.type}[${t.dims}]`);
  }
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis).reduce((a, b) => a * b, 1);
  const outDims = [...dims.slice(0, axis), items.length, ...dims.slice(axis)];
  const out = allocData(type, outer * items.length * inner) as unknown as { [i: number]: unknown };
  items.forEach((t, k) => {
    const src = t.data as unknown as { [i: number]: unknown };
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) out[(o * items.length + k) * inner + i] = src[o * inner + i];
    }
  });
  return tensor(type, outDims, out as unknown as TensorData);
}

/** The `k`-th slice of `t` along `axis`, with that axis removed. */
export function sliceAt(t: Tensor, axis: number, k: number): Tensor {
  const strides = stridesOf(t.dims);
  const outer = t.dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = strides[axis];
  const n = t.dims[axis];
  const outDims = t.dims.filter((_, i) => i !== axis);
  const out = allocData(t.type, outer * inner) as unknown as { [i: number]: unknown };
  const src = t.data as unknown as { [i: number]: unknown };
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) out[o * inner + i] = src[(o * n + k) * inner + i];
  }
  return tensor(t.type, outDims, out as unknown as TensorData);
}
