// ScatterElements (and Scatter, its old name) and ScatterND, as gathers: each output element
// starts from data and walks the updates that could land on it in order, combining each match
// (reduction none/add/mul/max/min). No atomics, deterministic, and the last duplicate wins as in
// the reference. ScatterElements checks only the indices along its axis; ScatterND every tuple.

import type { DType } from '../../../tensor';
import type { Dispatch, KernelGenerator, LowerArgs, Lowering, ValueDesc } from '../kernel';
import { unsupported } from '../kernel';
import type { Scalar } from '../storage';
import { wrapNarrow } from './elementwise';
import { declareBuffers, flatMain, grid1d } from '../wgsl';
import { flatIndex, indexMap, indexMapDispatch, input, refuseFusion, scalarFor, sizeOf, wrapIndex } from './movement-index';

type Reduction = 'none' | 'add' | 'mul' | 'max' | 'min';

/** `k_v` combined with update `u` as the reduction asks, wrapped to the dtype's width. */
function combine(r: Reduction, dtype: DType, u: string): string {
  const e = { none: u, add: `k_v + ${u}`, mul: `k_v * ${u}`, max: `max(k_v, ${u})`, min: `min(k_v, ${u})` }[r];
  return r === 'none' ? e : wrapNarrow(dtype, e);
}

function operands(args: LowerArgs): { x: ValueDesc; s: Scalar; ind: ValueDesc; upd: ValueDesc } | Lowering {
  const refused = refuseFusion(args);
  if (refused) return refused;
  const [x, ind, upd] = args.inputs;
  const s = scalarFor(x);
  if (!x || !s || !ind || !upd || scalarFor(ind) !== 'i32' || scalarFor(upd) !== s) {
    return unsupported(`${args.node.op} has no GPU kernel for ${x?.dtype} with ${ind?.dtype} indices`);
  }
  return { x, s, ind, upd };
}

const reads = (s: Scalar) => [input('k_x', s, 0), input('k_ind', 'i32', 1), input('k_upd', s, 2)];

const scatterElements: KernelGenerator<{ axis: number; reduction?: Reduction }> = (args) => {
  const o = operands(args);
  if ('kind' in o) return o;
  const { x, s, ind } = o;
  const rank = x.dims.length;
  if (ind.dims.length !== rank) return unsupported('indices must have the rank of data');
  const a = args.attrs.axis < 0 ? args.attrs.axis + rank : args.attrs.axis;
  // this element's coordinates off the axis must lie inside the indices' shape
  const inside = x.dims.flatMap((_, i) => (i === a || ind.dims[i] >= x.dims[i] ? [] : [`k_c${i} < ${ind.dims[i]}i`]));
  const pos = flatIndex(ind.dims.map((_, i) => (i === a ? 'k_t' : `k_c${i}`)), ind.dims);
  const loop = [
    `for (var k_t = 0i; k_t < ${ind.dims[a]}i; k_t++) {`,
    `    let k_p = u32(${pos});`,
    `    if (${wrapIndex('k_ind[k_p]', x.dims[a])} == k_c${a}) { k_v = ${combine(args.attrs.reduction ?? 'none', x.dtype, 'k_upd[k_p]')}; }`,
    '  }',
  ].join('\n');
  return indexMap({
    label: 'scatterelements', out: { scalar: s, dims: x.dims }, reads: reads(s),
    setup: ['  var k_v = k_x[idx];', inside.length ? `  if (${inside.join(' && ')}) { ${loop} }` : `  ${loop}`],
    value: 'k_v',
  });
};

const scatterND: KernelGenerator<{ reduction: Reduction }> = (args) => {
  const o = operands(args);
  if ('kind' in o) return o;
  const { x, s, ind } = o;
  const q = ind.dims.length;
  const k = ind.dims[q - 1];
  if (q < 1 || k > x.dims.length) return unsupported('indices do not fit data');
  const tuples = sizeOf(ind.dims.slice(0, q - 1));
  const block = sizeOf(x.dims.slice(k));
  if (args.attrs.reduction === 'none' && tuples > DIRECT_TUPLES) return scatterNDDirect(x, s, ind, k, tuples, block);
  const match = Array.from({ length: k }, (_, j) => `${wrapIndex(`k_ind[k_p * ${k}u + ${j}u]`, x.dims[j])} == k_c${j}`);
  const loop = [
    `  for (var k_p = 0u; k_p < ${tuples}u; k_p++) {`,
    `    if (${match.join(' && ') || 'true'}) { k_v = ${combine(args.attrs.reduction, x.dtype, `k_upd[k_p * ${block}u + idx % ${Math.max(block, 1)}u]`)}; }`,
    '  }',
  ].join('\n');
  return indexMap({
    label: 'scatternd', out: { scalar: s, dims: x.dims }, reads: reads(s),
    setup: ['  var k_v = k_x[idx];', loop],
    value: 'k_v',
  });
};

/**
 * TensorScatter (KV-cache update): the output is past_cache with `update` written along `axis`
 * from write_indices[b] (0 when absent), wrapping round in circular mode.
 */
const tensorScatter: KernelGenerator<{ axis: number; circular: boolean }> = (args) => {
  const refused = refuseFusion(args);
  if (refused) return refused;
  const [past, upd, at] = args.inputs;
  const s = scalarFor(past);
  if (!past || !s || !upd || scalarFor(upd) !== s || (at && scalarFor(at) !== 'i32')) return unsupported(`TensorScatter has no GPU kernel for ${past?.dtype}`);
  const rank = past.dims.length;
  const a = args.attrs.axis < 0 ? args.attrs.axis + rank : args.attrs.axis;
  const maxSeq = past.dims[a];
  const seq = upd.dims[a];
  const rs = [input('k_x', s, 0), input('k_upd', s, 1), ...(at ? [input('k_at', 'i32', 2)] : [])];
  const start = at ? 'k_at[u32(k_c0)]' : '0i';
  const step = args.attrs.circular ? `(((k_c${a} - ${start}) % ${maxSeq}i) + ${maxSeq}i) % ${maxSeq}i` : `k_c${a} - ${start}`;
  const coords = past.dims.map((_, i) => (i === a ? `clamp(k_s, 0i, ${Math.max(seq - 1, 0)}i)` : `k_c${i}`));
  return indexMap({
    label: 'tensorscatter', out: { scalar: s, dims: past.dims }, reads: rs,
    setup: [`  let k_s = ${step};`],
    value: `select(k_x[idx], k_upd[u32(${flatIndex(coords, upd.dims)})], k_s >= 0i && k_s < ${seq}i)`,
  });
};

/** Past this many index tuples, ScatterND without reduction copies data then writes each update. */
const DIRECT_TUPLES = 64;

/**
 * ScatterND, reduction none, many tuples: a copy of data, then one invocation per update element
 * writing its target (ONNX leaves duplicate indices unordered here, so any writer may win).
 */
function scatterNDDirect(x: ValueDesc, s: Scalar, ind: ValueDesc, k: number, tuples: number, block: number): Lowering {
  const copy = indexMapDispatch({ label: 'scatternd_copy', out: { scalar: s, dims: x.dims }, reads: [input('k_x', s, 0)], from: 'k_x', source: 'i32(idx)' });
  const strides = x.dims.map((_, i) => sizeOf(x.dims.slice(i + 1)));
  const dst = Array.from({ length: k }, (_, j) => `${wrapIndex(`k_ind[k_p * ${k}u + ${j}u]`, x.dims[j])} * ${strides[j]}i`);
  const n = tuples * block;
  const body = [
    `  let k_p = idx / ${Math.max(block, 1)}u;`,
    `  let k_dst = ${[...dst, `i32(idx % ${Math.max(block, 1)}u)`].join(' + ')};`,
    `  if (k_dst >= 0i && k_dst < ${sizeOf(x.dims)}i) { k_out[u32(k_dst)] = k_upd[idx]; }`,
  ].join('\n');
  const decls = declareBuffers([
    { name: 'k_ind', type: 'i32', access: 'read' }, { name: 'k_upd', type: s, access: 'read' }, { name: 'k_out', type: s, access: 'read_write' },
  ]);
  const write: Dispatch = {
    wgsl: `${decls}\n${flatMain(n, body)}`, workgroups: grid1d(n), label: 'scatternd_write',
    bindings: [{ kind: 'input', index: 1 }, { kind: 'input', index: 2 }, { kind: 'output', index: 0 }],
  };
  return { kind: 'dispatch', dispatches: [copy, write] };
}

export const scatterKernels: Record<string, KernelGenerator> = {
  ScatterElements: scatterElements as KernelGenerator,
  Scatter: scatterElements as KernelGenerator,
  ScatterND: scatterND as KernelGenerator,
  TensorScatter: tensorScatter as KernelGenerator,
};
