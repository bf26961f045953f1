// Conv (1-D to 3-D, NCHW, groups, dilations, pads, strides, auto_pad) and ConvTranspose: picks the
// kernel for the shape — depthwise direct (./conv-depthwise), direct over few input channels
// (./conv-direct), pointwise GEMM or implicit GEMM (./conv-gemm) — with the bias, a fused residual (../../../passes/fuse-residual) and the fused
// activation in the epilogue, and a fused channel scale (../../../passes/fuse-channel-scale) in the
// pointwise GEMM's loads. Knobs: ConvKnobs.

import { convGeometry, type ConvAttrs } from '../../../ops/nn/conv';
import { inputScaleInput } from '../../../passes/fuse-channel-scale';
import { residualInput } from '../../../passes/fuse-residual';
import type { KernelGenerator } from '../kernel';
import { unsupported } from '../kernel';
import { isF32, window3 } from './conv-common';
import { convDepthwise, type DepthwiseConfig } from './conv-depthwise';
import { convDirect, takesDirect } from './conv-direct';
import { convGemm } from './conv-gemm';
import { convTransposeKernel } from './conv-transpose';

export interface ConvKnobs {
  readonly depthwise?: Partial<DepthwiseConfig>;
}

export function convKernel(knobs: ConvKnobs = {}): KernelGenerator<ConvAttrs> {
  return (args) => {
    const { attrs, inputs } = args;
    const [x, w, b] = inputs;
    if (!x || !w || !isF32(x) || !isF32(w) || (b && !isF32(b))) return unsupported(`Conv has no GPU kernel for ${x?.dtype} × ${w?.dtype}`);
    let geo;
    try {
      geo = convGeometry('Conv', x.dims, w.dims, attrs);
    } catch (e) {
      return unsupported((e as Error).message);
    }
    const win = window3(x.dims.slice(2), geo);
    const residual = residualInput(args.node);
    if (residual !== undefined) {
      const r = inputs[residual];
      const y = args.outputs[0];
      if (!r || !isF32(r) || r.dims.length !== y.dims.length || r.dims.some((d, i) => d !== y.dims[i])) return unsupported('the fused residual does not match the output');
    }
    const scale = inputScaleInput(args.node);
    if (scale !== undefined) {
      const s = inputs[scale];
      if (!s || !isF32(s) || s.dims.length !== 4 || s.dims[0] !== x.dims[0] || s.dims[1] !== x.dims[1] || s.dims[2] !== 1 || s.dims[3] !== 1) return unsupported('the fused channel scale does not match the input');
    }
    const shape = { N: x.dims[0], C: x.dims[1], M: w.dims[0], group: attrs.group, win, hasBias: !!b, residual, scale };
    if (shape.N * shape.M === 0) return { kind: 'dispatch', dispatches: [] };
    if (shape.C === attrs.group && attrs.group > 1) return convDepthwise(args, shape, knobs.depthwise);
    if (takesDirect(shape)) return convDirect(args, shape);
    return convGemm(args, shape);
  };
}

export const convKernels: Record<string, KernelGenerator> = {
  Conv: convKernel() as KernelGenerator,
  ConvTranspose: convTransposeKernel() as KernelGenerator,
};
