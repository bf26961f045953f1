// The generic reduction template every reducing kernel uses (Reduce*, ArgMax, Softmax, the
// normalisations): one workgroup per group of reduced elements, each invocation folding a strided
// share in registers, then a shared-memory tree (pairwise) reduction, or for sums on a device with
// subgroups (LowerArgs.subgroups), subgroupAdd within each subgroup and across their partials.
// Sizes and strides are constants unless the caller passes a generic KernelDims (uniforms).

import type { Binding, Lowering } from '../kernel';
import type { Scalar } from '../storage';
import { grid1d, KernelDims, stridesOf, u32Expr, usesSubgroups } from '../wgsl';
import { helpersFor } from './activation-helpers';

/** Which input elements make up group g: x[base(g) + offset(j)] for j < len. */
export interface GroupLayout {
  readonly groups: number;
  readonly len: number;
  /** WGSL of the flat input offset of group `g`'s first element */
  readonly base: (g: string) => string;
  /** WGSL of the flat offset of the group's j-th element relative to its base */
  readonly offset: (j: string) => string;
  /** where the sizes and strides above are written (constants or uniforms) */
  readonly dims: KernelDims;
}

/**
 * The axes as memory walks them: size-1 axes dropped and neighbours merged where the outer one's
 * stride spans the inner one (a plane's H and W are one axis of H·W), so that a contiguous run of
 * elements is indexed without a division per element.
 */
export function collapseAxes(dims: readonly number[], strides: readonly number[]): { dims: number[]; strides: number[] } {
  const out = { dims: [] as number[], strides: [] as number[] };
  dims.forEach((d, k) => {
    if (d === 1) return;
    const last = out.dims.length - 1;
    if (last >= 0 && out.strides[last] === strides[k] * d) {
      out.dims[last] *= d;
      out.strides[last] = strides[k];
    } else {
      out.dims.push(d);
      out.strides.push(strides[k]);
    }
  });
  return out;
}

/** WGSL of the flat offset of position `i` (row-major over `sub` dims) with `strides` per sub axis. */
function offsetOf(i: string, sub: readonly number[], strides: readonly number[], kd: KernelDims, tag: string): string {
  // a zero-sized dim means no elements at all: any offset will do
  if (sub.includes(0)) return '0u';
  const axes = collapseAxes(sub, strides);
  const inner = stridesOf(axes.dims);
  const terms = axes.dims.map((d, k) => {
    const stride = () => kd.u(`${tag}i${k}`, inner[k]);
    const size = () => kd.u(`${tag}d${k}`, d);
    const last = k === axes.dims.length - 1;
    const coord = k === 0 ? (last ? i : `(${i} / ${stride()})`) : last ? `(${i} % ${size()})` : `((${i} / ${stride()}) % ${size()})`;
    return axes.strides[k] === 1 ? coord : `${coord} * ${kd.u(`${tag}s${k}`, axes.strides[k])}`;
  });
  return terms.length ? `(${terms.join(' + ')})` : '0u';
}

/** Groups over `dims` that reduce `axes` (sorted, distinct); groups run over the kept axes in order. */
export function groupLayout(dims: readonly number[], axes: readonly number[], kd = new KernelDims(false)): GroupLayout {
  const strides = stridesOf(dims);
  const red = new Set(axes);
  const keptAxes = dims.map((_, a) => a).filter((a) => !red.has(a));
  const redAxes = dims.map((_, a) => a).filter((a) => red.has(a));
  const keptDims = keptAxes.map((a) => dims[a]);
  const redDims = redAxes.map((a) => dims[a]);
  const size = (ds: readonly number[]) => ds.reduce((p, d) => p * d, 1);
  return {
    groups: size(keptDims),
    len: size(redDims),
    base: (g) => offsetOf(g, keptDims, keptAxes.map((a) => strides[a]), kd, 'g'),
    offset: (j) => offsetOf(j, redDims, redAxes.map((a) => strides[a]), kd, 'r'),
    dims: kd,
  };
}

/** A power-of-two workgroup size for reducing `len` elements: at least 32, at most 256. */
export function workgroupFor(len: number): number {
  let w = 32;
  while (w < len && w < 256) w *= 2;
  return w;
}

/** The smallest subgroup WebGPU allows (sizes are powers of two in [4, 128]). */
const MIN_SUBGROUP = 4;

/**
 * `fn k_wg_<name>(v, lid) -> T`: the workgroup-wide fold of every invocation's `v` by `combine`
 * (a WGSL expression of `a` and `b`), returned to all invocations. Call from uniform control flow.
 *
 * With `subgroups` (LowerArgs.subgroups: the device has them), a sum (`combine` is `a + b`) folds
 * by subgroupAdd instead; the entry point must then come from groupMain (or subgroupEntry), which
 * sets the k_sg_id / k_sg_size copies of the subgroup builtins it reads. Max and min keep the tree:
 * the float ones are NaN-propagating (k_fmax / k_fmin), and what subgroupMax/subgroupMin do with
 * a NaN is not specified. Without `subgroups` the WGSL is exactly the tree's.
 */
export function workgroupReduce(name: string, type: Scalar, width: number, combine: (a: string, b: string) => string, subgroups = false): string {
  if (subgroups && combine('a', 'b') === 'a + b') return subgroupSum(name, type, width);
  return `var<workgroup> k_sh_${name}: array<${type}, ${width}>;
fn k_wg_${name}(v: ${type}, lid: u32) -> ${type} {
  k_sh_${name}[lid] = v;
  workgroupBarrier();
  for (var s = ${width / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { k_sh_${name}[lid] = ${combine(`k_sh_${name}[lid]`, `k_sh_${name}[lid + s]`)}; }
    workgroupBarrier();
  }
  let r = k_sh_${name}[0];
  workgroupBarrier();
  return r;
}`;
}

/**
 * workgroupReduce's sum by subgroups: every subgroup adds its invocations' values (subgroupAdd),
 * its first invocation stores that partial at slot lid / subgroup_size, and after one barrier every
 * subgroup adds up the partials itself (each lane a strided share, then subgroupAdd), so the sum
 * reaches all invocations without a second round through workgroup memory: 2 barriers, against
 * the tree's 2 + log2(width). Every subgroup reads the same partials into the same lanes, so they
 * all get the same sum.
 *
 * The slot assumes the invocations of a 1-D workgroup form subgroups consecutively by
 * local_invocation_index (invocations [k·size, (k+1)·size) are subgroup k): WGSL does not promise
 * it, but every implementation (Vulkan, Metal, D3D12 and SwiftShader) packs them so. Widths are
 * powers of two, so either the workgroup is whole subgroups or it is a single one (width < size):
 * ceil(width / size) partials, at most width / 4. Every subgroup operation here runs in uniform
 * control flow when the call does: the lane-dependent `if` and loop end before each subgroupAdd.
 */
function subgroupSum(name: string, type: Scalar, width: number): string {
  const sh = `k_sh_${name}`;
  return `var<workgroup> ${sh}: array<${type}, ${Math.max(1, Math.ceil(width / MIN_SUBGROUP))}>;
fn k_wg_${name}(v: ${type}, lid: u32) -> ${type} {
  let k_part = subgroupAdd(v);
  if (k_sg_id == 0u) { ${sh}[lid / k_sg_size] = k_part; }
  workgroupBarrier();
  var k_acc = ${type}();
  for (var i = k_sg_id; i < (${width}u + k_sg_size - 1u) / k_sg_size; i = i + k_sg_size) { k_acc = k_acc + ${sh}[i]; }
  let r = subgroupAdd(k_acc);
  workgroupBarrier();
  return r;
}`;
}

/**
 * What an entry point adds when its reductions use subgroups (`on`): the module-scope copies of
 * the subgroup builtins that workgroupReduce's subgroup sum reads, the entry point's parameters
 * (with a leading comma) and the statements that set the copies (first in the body). All empty
 * when not `on`.
 */
export function subgroupEntry(on: boolean): { readonly decls: string; readonly params: string; readonly init: string } {
  if (!on) return { decls: '', params: '', init: '' };
  return {
    decls: 'var<private> k_sg_id: u32;\nvar<private> k_sg_size: u32;\n',
    params: ', @builtin(subgroup_invocation_id) k_sgi: u32, @builtin(subgroup_size) k_sgs: u32',
    init: '  k_sg_id = k_sgi;\n  k_sg_size = k_sgs;\n',
  };
}

/**
 * A compute entry point with one workgroup per group: `g` is the group (uniform), `lid` the
 * invocation within it; groups past the end return together. `subgroups`: the shader's
 * reductions use them (usesSubgroups of their WGSL), so the entry point provides the builtins.
 */
export function groupMain(groups: number | string, width: number, body: string, subgroups = false): string {
  const sg = subgroupEntry(subgroups);
  return `${sg.decls}@compute @workgroup_size(${width})
fn main(@builtin(workgroup_id) k_wid: vec3u, @builtin(num_workgroups) k_groups: vec3u, @builtin(local_invocation_index) lid: u32${sg.params}) {
${sg.init}  let g = k_wid.x + k_wid.y * k_groups.x;
  if (g >= ${u32Expr(groups)}) { return; }
${body}
}`;
}

/** `for` over this invocation's share of a group's `len` elements, `j` the element index. */
export const strided = (len: number | string, width: number, body: string): string =>
  `  for (var j = lid; j < ${u32Expr(len)}; j = j + ${width}u) {\n${body}\n  }`;

/**
 * `fn k_wg_arg(v, i, lid) -> u32`: the index of the workgroup's best value, `cmp` ('>' for max,
 * '<' for min) with ties to the first index, or the last when `last`. An invocation that saw no
 * element passes index 0xffffffffu, which never wins.
 */
export function workgroupArgReduce(type: Scalar, width: number, cmp: '>' | '<', last: boolean): string {
  const none = '0xffffffffu';
  return `var<workgroup> k_shv: array<${type}, ${width}>;
var<workgroup> k_shi: array<u32, ${width}>;
fn k_take(va: ${type}, ia: u32, vb: ${type}, ib: u32) -> bool {
  if (ib == ${none}) { return false; }
  if (ia == ${none}) { return true; }
  return vb ${cmp} va || (vb == va && ib ${last ? '>' : '<'} ia);
}
fn k_wg_arg(v: ${type}, i: u32, lid: u32) -> u32 {
  k_shv[lid] = v;
  k_shi[lid] = i;
  workgroupBarrier();
  for (var s = ${width / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s && k_take(k_shv[lid], k_shi[lid], k_shv[lid + s], k_shi[lid + s])) {
      k_shv[lid] = k_shv[lid + s];
      k_shi[lid] = k_shi[lid + s];
    }
    workgroupBarrier();
  }
  let r = k_shi[0];
  workgroupBarrier();
  return r;
}`;
}

const IN_OUT: readonly Binding[] = [{ kind: 'input', index: 0 }, { kind: 'output', index: 0 }];

/**
 * One dispatch of a grouped kernel: `body` runs per group with `g`, `lid` and `base` (the group's
 * first input offset) in scope; `decls` declares the buffers in the order of `bindings` (and the
 * workgroup reductions: the entry point gets the subgroup builtins when they use them).
 */
export function groupDispatch(
  label: string, layout: GroupLayout, width: number, decls: string, body: string, bindings: readonly Binding[] = IN_OUT,
): Lowering {
  const kd = layout.dims;
  const main = groupMain(kd.u('groups', layout.groups), width, `  let base = ${layout.base('g')};\n${body}`, usesSubgroups(decls));
  const wgsl = `${decls}\n${kd.declare(bindings.length)}\n${helpersFor(decls + main)}\n${main}`;
  return { kind: 'dispatch', dispatches: [{ wgsl, workgroups: grid1d(layout.groups, 1), bindings, label, uniforms: kd.words() }] };
}
