// The generic reduction template every reducing kernel uses (Reduce*, ArgMax, Softmax, the
// normalisations): one workgroup per group of reduced elements, each invocation folding a strided
// share in registers, then a shared-memory tree (pairwise) reduction. Sizes and strides are
// constants unless the caller passes a generic KernelDims (uniforms).

import type { Binding, Lowering } from '../kernel';
import type { Scalar } from '../storage';
import { grid1d, KernelDims, stridesOf } from '../wgsl';
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

/** WGSL of the flat offset of position `i` (row-major over `sub` dims) with `strides` per sub axis. */
function offsetOf(i: string, sub: readonly number[], strides: readonly number[], kd: KernelDims, tag: string): string {
  // a zero-sized dim means no elements at all: any offset will do
  if (sub.includes(0)) return '0u';
  const terms: string[] = [];
  const inner = stridesOf(sub);
  sub.forEach((d, k) => {
    if (d === 1) return;
    const [stride, size] = [kd.u(`${tag}i${k}`, inner[k]), kd.u(`${tag}d${k}`, d)];
    const coord = k === 0 ? `(${i} / ${stride})` : inner[k] === 1 ? `(${i} % ${size})` : `((${i} / ${stride}) % ${size})`;
    terms.push(strides[k] === 1 ? coord : `${coord} * ${kd.u(`${tag}s${k}`, strides[k])}`);
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

/**
 * `fn k_wg_<name>(v, lid) -> T`: the workgroup-wide fold of every invocation's `v` by `combine`
 * (a WGSL expression of `a` and `b`), returned to all invocations. Call from uniform control flow.
 */
export function workgroupReduce(name: string, type: Scalar, width: number, combine: (a: string, b: string) => string): string {
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
 * A compute entry point with one workgroup per group: `g` is the group (uniform), `lid` the
 * invocation within it; groups past the end return together.
 */
export function groupMain(groups: number | string, width: number, body: string): string {
  return `@compute @workgroup_size(${width})
fn main(@builtin(workgroup_id) k_wid: vec3u, @builtin(num_workgroups) k_groups: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = k_wid.x + k_wid.y * k_groups.x;
  if (g >= ${typeof groups === 'number' ? `${groups}u` : groups}) { return; }
${body}
}`;
}

/** `for` over this invocation's share of a group's `len` elements, `j` the element index. */
export const strided = (len: number | string, width: number, body: string): string =>
  `  for (var j = lid; j < ${typeof len === 'number' ? `${len}u` : len}; j = j + ${width}u) {\n${body}\n  }`;

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
 * first input offset) in scope; `decls` declares the buffers in the order of `bindings`.
 */
export function groupDispatch(
  label: string, layout: GroupLayout, width: number, decls: string, body: string, bindings: readonly Binding[] = IN_OUT,
): Lowering {
  const kd = layout.dims;
  const main = groupMain(kd.u('groups', layout.groups), width, `  let base = ${layout.base('g')};\n${body}`);
  const wgsl = `${decls}\n${kd.declare(bindings.length)}\n${helpersFor(decls + main)}\n${main}`;
  return { kind: 'dispatch', dispatches: [{ wgsl, workgroups: grid1d(layout.groups, 1), bindings, label, uniforms: kd.words() }] };
}
