// Concat and Split as index maps. Concat: one dispatch over the output picks, per element, the
// input whose slab holds it; Split: one dispatch over the input sends each element to the output
// whose slab holds it. Past the storage-binding limit the inputs (outputs) go in groups, one
// dispatch per group. Sizes and offsets are uniforms in shape-generic kernels: one pipeline serves
// every Concat (Split) of a number of inputs (outputs) and an element type.

import type { Binding, Dispatch, KernelGenerator } from '../kernel';
import { kernelDims, unsupported } from '../kernel';
import type { Scalar } from '../storage';
import { declareBuffers, flatMain, grid1d, KernelDims } from '../wgsl';
import { MAX_BINDINGS, refuseFusion, scalarFor, sizeOf } from './movement-index';

const normAxis = (a: number, rank: number): number => (a < 0 ? a + rank : a);

/** Consecutive groups of at most `n` items. */
function groups<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

interface Slab {
  /** the input (Concat) or output (Split) index */
  readonly index: number;
  /** its extent and offset along the axis */
  readonly size: number;
  readonly offset: number;
}

/**
 * One dispatch over the elements [outer, span, inner] of the big tensor, `span` being the axis
 * range the group's slabs cover: `move(name, small)` is the statement for one slab, `small` its
 * flat index.
 */
function slabDispatch(
  d: KernelDims, label: string, scalar: Scalar, outer: number, axisDim: number, inner: number, group: readonly Slab[],
  big: { readonly name: string; readonly binding: Binding; readonly access: 'read' | 'read_write' },
  small: { readonly access: 'read' | 'read_write'; readonly binding: (index: number) => Binding },
  move: (name: string, bigIdx: string, smallIdx: string) => string,
): Dispatch {
  const first = group[0].offset;
  const span = group.reduce((a, g) => a + g.size, 0);
  const n = outer * span * inner;
  const names = group.map((_, i) => `k_s${i}`);
  const decls = small.access === 'read'
    ? [...names.map((name) => ({ name, type: scalar, access: small.access })), { name: big.name, type: scalar, access: big.access }]
    : [{ name: big.name, type: scalar, access: big.access }, ...names.map((name) => ({ name, type: scalar, access: small.access }))];
  const branches = group.map((g, i) => {
    const cond = i === group.length - 1 ? '' : `if (k_a < ${d.u(`end${i}`, g.offset + g.size)}) `;
    const smallIdx = `(k_o * ${d.u(`size${i}`, g.size)} + (k_a - ${d.u(`offset${i}`, g.offset)})) * ${d.u('inner', inner)} + k_r`;
    return `${i === 0 ? '  ' : ' else '}${cond}{ ${move(names[i], 'k_big', smallIdx)} }`;
  });
  const body = [
    `  let k_r = idx % ${d.u('inner', inner)};`,
    `  let k_a = (idx / ${d.u('inner', inner)}) % ${d.u('span', span)} + ${d.u('first', first)};`,
    `  let k_o = idx / ${d.u('spanInner', span * inner)};`,
    `  let k_big = (k_o * ${d.u('axis', axisDim)} + k_a) * ${d.u('inner', inner)} + k_r;`,
    branches.join(''),
  ].join('\n');
  const main = flatMain(d.u('n', n), body);
  const wgsl = `${declareBuffers(decls)}\n${d.declare(decls.length)}\n${main}`;
  const smallBindings = group.map((g) => small.binding(g.index));
  const bindings = small.access === 'read' ? [...smallBindings, big.binding] : [big.binding, ...smallBindings];
  return { wgsl, workgroups: grid1d(n), bindings, label, uniforms: d.words() };
}

function slabsOf(sizes: readonly number[]): Slab[] {
  let off = 0;
  return sizes.map((size, index) => {
    const s = { index, size, offset: off };
    off += size;
    return s;
  }).filter((s) => s.size > 0);
}

const concat: KernelGenerator<{ axis?: number }> = (args) => {
  const refused = refuseFusion(args);
  if (refused) return refused;
  const out = args.outputs[0];
  const s = scalarFor(out);
  if (!s || args.inputs.some((t) => !t || scalarFor(t) !== s)) return unsupported(`Concat has no GPU kernel for ${out.dtype}`);
  if (args.attrs.axis === undefined) return unsupported("attribute 'axis' is required");
  const rank = out.dims.length;
  const axis = normAxis(args.attrs.axis, rank);
  const outer = sizeOf(out.dims.slice(0, axis));
  const inner = sizeOf(out.dims.slice(axis + 1));
  const slabs = slabsOf(args.inputs.map((t) => t!.dims[axis]));
  if (slabs.length === 0 || sizeOf(out.dims) === 0) return { kind: 'dispatch', dispatches: [] };
  const dispatches = groups(slabs, MAX_BINDINGS - 1).map((g) => slabDispatch(
    kernelDims(args), 'concat', s, outer, out.dims[axis], inner, g,
    { name: 'k_out', binding: { kind: 'output', index: 0 }, access: 'read_write' },
    { access: 'read', binding: (index) => ({ kind: 'input', index }) },
    (name, big, small) => `k_out[${big}] = ${name}[${small}];`,
  ));
  return { kind: 'dispatch', dispatches };
};

const split: KernelGenerator<{ axis: number }> = (args) => {
  const refused = refuseFusion(args);
  if (refused) return refused;
  const x = args.inputs[0];
  const s = scalarFor(x);
  if (!x || !s) return unsupported(`Split has no GPU kernel for ${x?.dtype ?? 'a missing input'}`);
  const axis = normAxis(args.attrs.axis, x.dims.length);
  const outer = sizeOf(x.dims.slice(0, axis));
  const inner = sizeOf(x.dims.slice(axis + 1));
  // the outputs' shapes say the sizes, whichever way the node gave them
  const slabs = slabsOf(args.outputs.map((o) => o.dims[axis]));
  if (slabs.reduce((a, g) => a + g.size, 0) !== x.dims[axis]) return unsupported('the outputs do not cover the split axis');
  if (slabs.length === 0 || sizeOf(x.dims) === 0) return { kind: 'dispatch', dispatches: [] };
  const dispatches = groups(slabs, MAX_BINDINGS - 1).map((g) => slabDispatch(
    kernelDims(args), 'split', s, outer, x.dims[axis], inner, g,
    { name: 'k_in', binding: { kind: 'input', index: 0 }, access: 'read' },
    { access: 'read_write', binding: (index) => ({ kind: 'output', index }) },
    (name, big, small) => `${name}[${small}] = k_in[${big}];`,
  ));
  return { kind: 'dispatch', dispatches };
};

export const concatKernels: Record<string, KernelGenerator> = {
  Concat: concat as KernelGenerator,
  Split: split as KernelGenerator,
};
