// Conv (1-D and 2-D) on channels-last activations: depthwise filters go to the depthwise kernel,
// everything else to the GEMM (pointwise directly, other windows through chunked im2col), with
// the weights packed once here into the kernels' layouts and the bias and fused activation in
// the epilogue.

import { convGeometry, type ConvAttrs } from '../../../ops/nn/conv';
import { epilogueArgs, epilogueOf } from '../activation';
import { Calls, channelsLast, input, output, unsupported, type Addr, type LowerArgs, type Lowering, type WasmKernel } from '../kernel';
import { canBeChannelsLast } from '../layout';
import { floats, packConvWeights, packDepthwise, packWinogradWeights, paddedBias } from './pack';

/** Floats of im2col gathered at a time: 128 KiB, comfortably inside L2 beside the weights. */
const IM2COL_FLOATS = 32 * 1024;

export interface Window2 {
  readonly H: number; readonly W: number; readonly OH: number; readonly OW: number;
  readonly KH: number; readonly KW: number; readonly SH: number; readonly SW: number;
  readonly DH: number; readonly DW: number; readonly PT: number; readonly PL: number; readonly PB: number; readonly PR: number;
}

/** A 1-D or 2-D window as 2-D (1-D runs over a unit H axis). */
export function window2(inSpatial: readonly number[], geo: { kernel: number[]; strides: number[]; dilations: number[]; padBegin: number[]; padEnd: number[]; out: number[] }): Window2 {
  const two = <T>(v: readonly T[], unit: T): [T, T] => (v.length === 1 ? [unit, v[0]] : [v[0], v[1]]);
  const [H, W] = two(inSpatial, 1);
  const [OH, OW] = two(geo.out, 1);
  const [KH, KW] = two(geo.kernel, 1);
  const [SH, SW] = two(geo.strides, 1);
  const [DH, DW] = two(geo.dilations, 1);
  const [PT, PL] = two(geo.padBegin, 0);
  const [PB, PR] = two(geo.padEnd, 0);
  return { H, W, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR };
}

/** Floats of Winograd scratch per chunk of tiles (transformed inputs and products): 512 KiB, within L2. */
const WINOGRAD_FLOATS = 128 * 1024;

/** 3×3 stride-1 undilated dense convolutions with enough channels for the transforms to pay. */
function winogradPays(w: Window2, C: number, M: number, group: number): boolean {
  return group === 1 && w.KH === 3 && w.KW === 3 && w.SH === 1 && w.SW === 1 && w.DH === 1 && w.DW === 1 &&
    C % 4 === 0 && C >= 8 && M >= 8 && w.OH >= 4 && w.OW >= 4;
}

/** A bias computed at run time, padded per group into scratch. */
function packedBias(c: Calls, M: number, group: number): Addr {
  const at = c.needScratch(group * Math.ceil(M / group / 8) * 8 * 4);
  c.call('pack_bias_f32', input(2), M, group, at);
  return at;
}

function lowerConv({ node, attrs, inputs, constants, outputSlice }: LowerArgs<ConvAttrs>): Lowering {
  const [x, w, b] = inputs;
  if (!x || !w || x.dtype !== 'float32' || w.dtype !== 'float32' || (b && b.dtype !== 'float32')) return unsupported(`no kernel for ${x?.dtype} × ${w?.dtype}`);
  if (!canBeChannelsLast(x.dims)) return unsupported('only 1-D and 2-D convolutions have a kernel');
  const wt = constants[1];
  const epi = epilogueOf(node);
  if (!epi) return unsupported('fused activation not applicable');
  const geo = convGeometry('Conv', x.dims, w.dims, attrs);
  const win = window2(x.dims.slice(2), geo);
  const [N, C] = x.dims;
  const M = w.dims[0];
  const group = attrs.group;
  const c = new Calls();
  const act = epilogueArgs(epi);
  const bias = constants[2] ? floats(constants[2]) : undefined;
  // the output's pixels are `ldy` floats apart: M, or a wider concatenation's channel count
  const ldy = outputSlice?.channels ?? M;
  const y0 = (outputSlice?.offset ?? 0) * 4;
  const inImage = win.H * win.W * C * 4, outImage = win.OH * win.OW * ldy * 4;
  if (N * M * win.OH * win.OW === 0) return c.done(['nhwc']);
  const taps = win.KH * win.KW;
  // weights and bias computed at run time are packed at run time, into scratch
  if (group === C && M === C) {
    // depthwise: weights [KH·KW][C]
    let wp: Addr;
    if (wt) wp = c.const(packDepthwise(floats(wt), C, taps));
    else {
      wp = c.needScratch(taps * C * 4);
      c.call('pack_dw_f32', input(1), C, taps, wp);
    }
    const bp = bias ? c.const(Float32Array.from(bias)) : b ? input(2) : 0;
    for (let n = 0; n < N; n++) {
      c.call('dwconv_nhwc_f32', input(0, n * inImage), win.H, win.W, C, wp, bp, output(0, y0 + n * outImage), ldy, win.OH, win.OW,
        win.KH, win.KW, win.SH, win.SW, win.DH, win.DW, win.PT, win.PL, ...act);
    }
    return c.done(['nhwc']);
  }
  if (wt && winogradPays(win, C, M, group)) {
    const u = c.const(packWinogradWeights(floats(wt), M, C));
    const bp = bias ? c.const(paddedBias(bias, 1, M)) : b ? packedBias(c, M, 1) : 0;
    const Mp = Math.ceil(M / 8) * 8;
    const tiles = Math.ceil(win.OH / 2) * Math.ceil(win.OW / 2);
    const chunk = Math.max(4, Math.min(tiles, Math.floor(WINOGRAD_FLOATS / (16 * (C + Mp)))));
    const scratch = c.needScratch(16 * chunk * (C + Mp) * 4);
    for (let n = 0; n < N; n++) {
      c.call('winograd3x3_nhwc_f32', input(0, n * inImage), win.H, win.W, C, u, bp, output(0, y0 + n * outImage), ldy, win.OH, win.OW, M,
        win.PT, win.PL, scratch, chunk, ...act);
    }
    return c.done(['nhwc']);
  }
  const Cg = C / group, Mg = M / group;
  const K = taps * Cg;
  // weights [M][Cg][KH][KW] → per group, panels over K = (ky, kx, ci)
  let wp: Addr;
  if (wt) wp = c.const(packConvWeights(floats(wt), M, Cg, taps, group));
  else {
    wp = c.needScratch(group * Math.ceil(Mg / 8) * 8 * K * 4);
    c.call('pack_conv_f32', input(1), M, Cg, taps, group, wp);
  }
  let bp: Addr | 0 = 0;
  if (bias) bp = c.const(paddedBias(bias, group, Mg));
  else if (b) bp = packedBias(c, M, group);
  const P = win.OH * win.OW;
  const chunk = Math.max(4, Math.min(P, Math.floor(IM2COL_FLOATS / K) & ~3));
  const pointwise = taps === 1 && win.SH === 1 && win.SW === 1 && win.PT === 0 && win.PL === 0 && win.OH === win.H && win.OW === win.W;
  const scratch = pointwise ? 0 : c.needScratch(chunk * K * 4);
  for (let n = 0; n < N; n++) {
    c.call('conv2d_nhwc_f32', input(0, n * inImage), win.H, win.W, C, wp, bp, output(0, y0 + n * outImage), ldy, win.OH, win.OW, M,
      win.KH, win.KW, win.SH, win.SW, win.DH, win.DW, win.PT, win.PL, group, scratch, chunk, ...act);
  }
  return c.done(['nhwc']);
}

export const convKernels: Record<string, WasmKernel> = {
  Conv: {
    layouts: channelsLast,
    slices: true,
    lower: lowerConv as WasmKernel['lower'],
  },
};
