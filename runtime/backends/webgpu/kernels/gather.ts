// Gather, GatherElements and GatherND over the index-map template. Indices are read from their
// buffer in WGSL (constant or fed at run time alike); negative ones count from the end of their
// axis, and out-of-range ones are clamped into it (the reference throws; the GPU must not read
// outside the buffer).

import type { KernelGenerator, LowerArgs, Lowering, ValueDesc } from '../kernel';
import { unsupported } from '../kernel';
import type { Scalar } from '../storage';
import { flatIndex, indexMap, input, refuseFusion, scalarFor, sizeOf, wrapIndex } from './movement-index';

const normAxis = (a: number, rank: number): number => (a < 0 ? a + rank : a);

/** The index `j` (i32) made safe for an axis of size `dim`. */
const safeIndex = (j: string, dim: number): string => `clamp(${wrapIndex(j, dim)}, 0i, ${Math.max(dim - 1, 0)}i)`;

/** Data and integer indices with their GPU types, or why the op has no kernel. */
function operands(args: LowerArgs): { x: ValueDesc; s: Scalar; ind: ValueDesc } | Lowering {
  const refused = refuseFusion(args);
  if (refused) return refused;
  const [x, ind] = args.inputs;
  const s = scalarFor(x);
  if (!x || !s || !ind || scalarFor(ind) !== 'i32') return unsupported(`${args.node.op} has no GPU kernel for ${x?.dtype} with ${ind?.dtype} indices`);
  return { x, s, ind };
}

const gather: KernelGenerator<{ axis: number }> = (args) => {
  const o = operands(args);
  if ('kind' in o) return o;
  const { x, s, ind } = o;
  const a = normAxis(args.attrs.axis, x.dims.length);
  const q = ind.dims.length;
  // output axes: x[:a], indices, x[a+1:]
  const indCoords = ind.dims.map((_, i) => `k_c${a + i}`);
  const coords = x.dims.map((_, i) => (i < a ? `k_c${i}` : i === a ? 'k_j' : `k_c${i - 1 + q}`));
  return indexMap({
    label: 'gather', out: { scalar: s, dims: args.outputs[0].dims }, reads: [input('k_x', s, 0), input('k_ind', 'i32', 1)],
    setup: [`  let k_j = ${safeIndex(`k_ind[u32(${flatIndex(indCoords, ind.dims)})]`, x.dims[a])};`],
    from: 'k_x', source: flatIndex(coords, x.dims),
  });
};

const gatherElements: KernelGenerator<{ axis: number }> = (args) => {
  const o = operands(args);
  if ('kind' in o) return o;
  const { x, s, ind } = o;
  if (ind.dims.length !== x.dims.length) return unsupported('indices must have the rank of data');
  const a = normAxis(args.attrs.axis, x.dims.length);
  const coords = x.dims.map((_, i) => (i === a ? 'k_j' : `k_c${i}`));
  return indexMap({
    label: 'gatherelements', out: { scalar: s, dims: ind.dims }, reads: [input('k_x', s, 0), input('k_ind', 'i32', 1)],
    setup: [`  let k_j = ${safeIndex('k_ind[idx]', x.dims[a])};`],
    from: 'k_x', source: flatIndex(coords, x.dims),
  });
};

const gatherND: KernelGenerator<{ batchDims: number }> = (args) => {
  const o = operands(args);
  if ('kind' in o) return o;
  const { x, s, ind } = o;
  const b = args.attrs.batchDims;
  const q = ind.dims.length;
  const k = ind.dims[q - 1];
  if (q < 1 || k + b > x.dims.length) return unsupported('indices do not fit data');
  const block = sizeOf(x.dims.slice(b + k));
  const perBatch = sizeOf(ind.dims.slice(b, q - 1));
  const batchSize = sizeOf(x.dims.slice(b));
  const strides = x.dims.map((_, i) => sizeOf(x.dims.slice(i + 1)));
  const terms = [`i32(k_p / ${Math.max(perBatch, 1)}u) * ${batchSize}i`, `i32(idx % ${Math.max(block, 1)}u)`];
  for (let j = 0; j < k; j++) terms.push(`${safeIndex(`k_ind[k_p * ${k}u + ${j}u]`, x.dims[b + j])} * ${strides[b + j]}i`);
  return indexMap({
    label: 'gathernd', out: { scalar: s, dims: args.outputs[0].dims }, reads: [input('k_x', s, 0), input('k_ind', 'i32', 1)],
    setup: [`  let k_p = idx / ${Math.max(block, 1)}u;`],
    from: 'k_x', source: terms.join(' + '),
  });
};

export const gatherKernels: Record<string, KernelGenerator> = {
  Gather: gather as KernelGenerator,
  GatherElements: gatherElements as KernelGenerator,
  GatherND: gatherND as KernelGenerator,
};
