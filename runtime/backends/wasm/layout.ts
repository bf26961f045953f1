// Memory layouts of values inside a plan. Values keep their ONNX (logical) dims everywhere; a
// value in 'nhwc' layout stores a [N, C, ...spatial] tensor channels-last, [N, ...spatial, C], the
// order the conv, depthwise and pool kernels want. The helpers turn a value's layout into the
// element strides of its logical axes, so that kernels which read through strides (movement,
// elementwise) take either layout without a conversion.

import { canBeChannelsLast, layoutFree, type Layout } from '../../passes/layout-choice';
import type { DType } from '../../tensor';
import { stridesOf } from '../../tensor';

export { canBeChannelsLast, layoutFree, type Layout };

/** A value as the lowering sees it: dtype, logical dims, and how it sits in memory. */
export interface ValueDesc {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly layout: Layout;
}


/** Logical axes in memory order: [0, 2, …, r-1, 1] channels-last, identity otherwise. */
export function memoryOrder(layout: Layout, rank: number): number[] {
  const id = Array.from({ length: rank }, (_, i) => i);
  return layout === 'nhwc' && rank >= 3 ? [0, ...id.slice(2), 1] : id;
}

/** The dims in memory order. */
export function memoryDims(d: { readonly dims: readonly number[]; readonly layout: Layout }): number[] {
  return memoryOrder(d.layout, d.dims.length).map((a) => d.dims[a]);
}

/** Element strides of each logical axis of the value as it sits in memory. */
export function logicalStrides(d: { readonly dims: readonly number[]; readonly layout: Layout }): number[] {
  const order = memoryOrder(d.layout, d.dims.length);
  const phys = stridesOf(order.map((a) => d.dims[a]));
  const s = new Array<number>(d.dims.length);
  order.forEach((a, k) => (s[a] = phys[k]));
  return s;
}


/**
 * Merges neighbouring axes that every stride list walks contiguously and drops size-1 axes, so
 * kernels loop over as few, as long rows as possible. Keeps at least one axis.
 */
export function collapse(dims: readonly number[], strides: readonly (readonly number[])[]): { dims: number[]; strides: number[][] } {
  const outDims: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let a = 0; a < dims.length; a++) {
    if (dims[a] === 1) continue;
    const k = outDims.length - 1;
    if (k >= 0 && strides.every((s, i) => outStrides[i][k] === s[a] * dims[a])) {
      outDims[k] *= dims[a];
      strides.forEach((s, i) => (outStrides[i][k] = s[a]));
      continue;
    }
    outDims.push(dims[a]);
    strides.forEach((s, i) => outStrides[i].push(s[a]));
  }
  if (outDims.length === 0) return { dims: [1], strides: strides.map(() => [1]) };
  return { dims: outDims, strides: outStrides };
}
