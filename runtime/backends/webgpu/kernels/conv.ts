// Conv (1-D to 3-D, NCHW, groups, dilations, pads, strides, auto_pad) and ConvTranspose: picks the
// kernel for the shape — depthwise direct (./conv-depthwise), direct over few input channels
// (./conv-direct), pointwise GEMM or implicit GEMM (./conv-gemm) — with the bias, a fused residual (../../../passes/fuse-residual) and the fused
// activation in the epilogue, and a fused channel scale (../../../passes/fuse-channel-scale) in the
// pointwise GEMM's loads. Knobs: ConvKnobs. convLayouts says where it takes channels-last values
// (the layout choice, ../lower.ts): the direct kernel reads its input so, and the direct and GEMM
// kernels of one group write their output so, through strides that are run data.

import { convGeometry, type ConvAttrs } from '../../../ops/nn/conv';
import type { StepLayouts } from '../../../passes/layout-choice';
import { inputScaleInput } from '../../../passes/fuse-channel-scale';
import { residualInput } from '../../../passes/fuse-residual';
import type { KernelGenerator, LowerArgs } from '../kernel';
import { unsupported } from '../kernel';
import { isF32, window3 } from './conv-common';
import { convDepthwise, type DepthwiseConfig } from './conv-depthwise';
import { convDirect, takesDirect } from './conv-direct';
import { convGemm, type ConvShape } from './conv-gemm';
import { convTransposeKernel } from './conv-transpose';

export interface ConvKnobs {
  readonly depthwise?: Partial<DepthwiseConfig>;
}

/** The conv's shape as its kernels see it, or why it has no kernel. */
function shapeOf(args: LowerArgs<ConvAttrs>): ConvShape | string {
  const { attrs, inputs } = args;
  const [x, w, b] = inputs;
  if (!x || !w || !isF32(x) || !isF32(w) || (b && !isF32(b))) return `Conv has no GPU kernel for ${x?.dtype} × ${w?.dtype}`;
  let geo;
  try {
    geo = convGeometry('Conv', x.dims, w.dims, attrs);
  } catch (e) {
    return (e as Error).message;
  }
  const win = window3(x.dims.slice(2), geo);
  return { N: x.dims[0], C: x.dims[1], M: w.dims[0], group: attrs.group, win, hasBias: !!b, residual: residualInput(args.node), scale: inputScaleInput(args.node) };
}

const isDepthwise = (s: ConvShape): boolean => s.C === s.group && s.group > 1;

/**
 * Where a 2-D conv takes channels-last values: the direct kernel reads its input in either layout
 * ('any'); the direct and GEMM kernels of one group, without a fused residual, write either.
 */
export function convLayouts(args: LowerArgs<ConvAttrs>): StepLayouts {
  const plain: StepLayouts = { inputs: args.inputs.map(() => 'plain'), output: 'plain' };
  const s = shapeOf(args);
  if (typeof s === 'string' || args.inputs[0]?.dims.length !== 4 || isDepthwise(s) || s.N * s.M === 0) return plain;
  return {
    inputs: args.inputs.map((_, i) => (i === 0 && takesDirect(s) ? 'any' : 'plain')),
    output: s.group === 1 && s.residual === undefined ? 'free' : 'plain',
  };
}

export function convKernel(knobs: ConvKnobs = {}): KernelGenerator<ConvAttrs> {
  return (args) => {
    const { inputs } = args;
    const found = shapeOf(args);
    if (typeof found === 'string') return unsupported(found);
    const { residual, scale } = found;
    if (residual !== undefined) {
      const r = inputs[residual];
      const y = args.outputs[0];
      if (!r || !isF32(r) || r.dims.length !== y.dims.length || r.dims.some((d, i) => d !== y.dims[i])) return unsupported('the fused residual does not match the output');
    }
    if (scale !== undefined) {
      const s = inputs[scale];
      const x = inputs[0]!;
      if (!s || !isF32(s) || s.dims.length !== 4 || s.dims[0] !== x.dims[0] || s.dims[1] !== x.dims[1] || s.dims[2] !== 1 || s.dims[3] !== 1) return unsupported('the fused channel scale does not match the input');
    }
    // channels-last values only where convLayouts allows them (else a CPU fallback would misread them)
    const xLast = args.layouts?.inputs[0] === 'nhwc', yLast = args.layouts?.output === 'nhwc';
    const rule = xLast || yLast ? convLayouts(args) : undefined;
    if ((xLast && rule?.inputs[0] !== 'any') || (yLast && rule?.output !== 'free')) return unsupported('no kernel for these layouts');
    const shape: ConvShape = { ...found, xLast, yLast };
    if (shape.N * shape.M === 0) return { kind: 'dispatch', dispatches: [] };
    if (isDepthwise(shape)) return convDepthwise(args, shape, knobs.depthwise);
    if (takesDirect(shape)) return convDirect(args, shape);
    return convGemm(args, shape);
  };
}

export const convKernels: Record<string, KernelGenerator> = {
  Conv: convKernel() as KernelGenerator,
  ConvTranspose: convTransposeKernel() as KernelGenerator,
};
