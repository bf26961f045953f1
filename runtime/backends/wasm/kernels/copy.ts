// Strided copies as the movement kernels emit them: one copy_nd call over the collapsed view.

import { byteSize, stridesOf, type DType } from '../../../tensor';
import type { Addr, Calls } from '../kernel';
import { collapse } from '../layout';

/** Element sizes the copy kernels move. */
export const elementSize = (dtype: DType): number => byteSize(dtype);

/**
 * dst[i] = src[i] over `dims` with element strides `ss` (source) and `ds` (destination, default
 * contiguous). Emits nothing for an empty tensor.
 */
export function copyStrided(c: Calls, dtype: DType, src: Addr, dst: Addr, dims: readonly number[], ss: readonly number[], ds?: readonly number[]): void {
  if (dims.some((d) => d === 0)) return;
  const v = collapse(dims, [ss, ds ?? stridesOf(dims)]);
  c.call('copy_nd', elementSize(dtype), src, dst, v.dims.length, c.ints(v.dims), c.ints(v.strides[0]), c.ints(v.strides[1]));
}
