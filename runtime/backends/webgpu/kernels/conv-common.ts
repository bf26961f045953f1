// What the Conv, ConvTranspose and pool kernels share: the sliding-window geometry as three
// spatial axes (1-D and 2-D padded with unit axes in front), WGSL that splits a flat spatial
// position into coordinates, and the f32 epilogue (bias, then the fused activation).

import type { Node } from '../../../ir/graph';
import type { Geometry } from '../../../ops/nn/util';
import { to3 } from '../../../ops/nn/util';
import type { DType } from '../../../tensor';
import { scalarOf } from '../storage';
import type { Binding } from '../kernel';
import { declareBuffers, KernelDims } from '../wgsl';
import { activationExpr, fusedActivation, type Activation } from './activation';

export type V3 = [number, number, number];

/** A window geometry over three spatial axes (D, H, W). */
export interface Window3 {
  readonly inS: V3;
  readonly outS: V3;
  readonly kernel: V3;
  readonly strides: V3;
  readonly dilations: V3;
  readonly padBegin: V3;
  readonly padEnd: V3;
}

export function window3(inSpatial: readonly number[], geo: Geometry): Window3 {
  return {
    inS: to3(inSpatial, 1),
    outS: to3(geo.out, 1),
    kernel: to3(geo.kernel, 1),
    strides: to3(geo.strides, 1),
    dilations: to3(geo.dilations, 1),
    padBegin: to3(geo.padBegin, 0),
    padEnd: to3(geo.padEnd, 0),
  };
}

export const prod = (v: readonly number[]): number => v.reduce((a, b) => a * b, 1);

export const isF32 = (d: { readonly dtype: DType } | undefined): boolean => !!d && scalarOf(d.dtype) === 'f32';

/** `let <p>d/<p>h/<p>w = …;` splitting flat position `flat` over sizes [D, H, W]. */
export function split3(p: string, flat: string, s: V3, d = new KernelDims(false)): string {
  const [hw, h, w] = [d.u(`${p}HW`, s[1] * s[2]), d.u(`${p}H`, s[1]), d.u(`${p}W`, s[2])];
  return `let ${p}d = ${flat} / ${hw};
  let ${p}h = (${flat} / ${w}) % ${h};
  let ${p}w = ${flat} % ${w};`;
}

/**
 * WGSL of the node's fused activation applied to `x` (`x` itself when there is none), or
 * undefined when the activation has no GPU form. In a shape-generic kernel (`dims` generic) the
 * clamps (none, Relu, Clip, Relu6) are run data: a flag and two bounds in the uniform, so one
 * pipeline serves a conv whatever clamp follows it (each pipeline a driver compiles afresh costs
 * 10–120 ms on the H200: bench/gpu/pipelines.ts).
 */
export function epilogue(node: Node, x: string, dims?: KernelDims): string | undefined {
  const act = fusedActivation(node);
  const bounds = dims?.generic ? clampBounds(act) : undefined;
  if (!bounds || !dims) return activationExpr(act, x);
  // the flag keeps `x` itself (NaN included) when there is no clamp
  return `select(${x}, clamp(${x}, ${dims.f('lo', bounds[0])}, ${dims.f('hi', bounds[1])}), ${dims.u('clamp', act ? 1 : 0)} != 0u)`;
}

/** The bounds of an activation that is a clamp (none counts, as ±∞), or undefined. */
function clampBounds(act: Activation | undefined): [number, number] | undefined {
  if (!act) return [-Infinity, Infinity];
  if (act.name === 'Relu') return [0, Infinity];
  if (act.name === 'Clip') return [act.params[0] ?? -Infinity, act.params[1] ?? Infinity];
  return undefined;
}

/**
 * The buffers of a conv kernel that reads x, w, the bias and a fused residual as they come and
 * writes y (the direct and depthwise kernels): their WGSL declarations and bindings, in order.
 */
export function convBuffers(s: { readonly hasBias: boolean; readonly residual?: number }): { decls: string; bindings: Binding[] } {
  const read = (name: string, index: number) => ({ decl: { name, type: 'f32' as const, access: 'read' as const }, binding: { kind: 'input' as const, index } });
  const buffers = [
    read('k_x', 0),
    read('k_w', 1),
    ...(s.hasBias ? [read('k_bias', 2)] : []),
    ...(s.residual !== undefined ? [read('k_res', s.residual)] : []),
    { decl: { name: 'k_y', type: 'f32' as const, access: 'read_write' as const }, binding: { kind: 'output' as const, index: 0 } },
  ];
  return { decls: declareBuffers(buffers.map((b) => b.decl)), bindings: buffers.map((b) => b.binding) };
}
