// ConvTranspose (1-D and 2-D) on channels-last activations: a GEMM of the input's channels
// against the filters, then col2im into the output (assembly/conv-transpose.ts). Constant weights
// are packed here with tap-major columns; weights fed at run time are packed per run.

import { transposeGeometry, type ConvTransposeAttrs } from '../../../ops/nn/conv-transpose';
import { epilogueArgs, epilogueOf } from '../activation';
import { Calls, channelsLast, input, output, unsupported, type Addr, type LowerArgs, type Lowering, type WasmKernel } from '../kernel';
import { canBeChannelsLast } from '../layout';
import { floats, packConvTransposeWeights } from './pack';

/** Floats of columns computed at a time. */
const COLUMN_FLOATS = 64 * 1024;

function lowerConvTranspose({ node, attrs, inputs, constants }: LowerArgs<ConvTransposeAttrs>): Lowering {
  const [x, w, b] = inputs;
  if (!x || !w || x.dtype !== 'float32' || w.dtype !== 'float32' || (b && b.dtype !== 'float32')) return unsupported('no kernel for these dtypes');
  if (!canBeChannelsLast(x.dims)) return unsupported('only 1-D and 2-D transposed convolutions have a kernel');
  const epi = epilogueOf(node);
  if (!epi) return unsupported('fused activation not applicable');
  const kernel = attrs.kernelShape?.length ? attrs.kernelShape : w.dims.slice(2);
  const geo = transposeGeometry('ConvTranspose', x.dims.slice(2), kernel, attrs);
  const two = <T>(v: readonly T[], unit: T): [T, T] => (v.length === 1 ? [unit, v[0]] : [v[0], v[1]]);
  const [H, W] = two(x.dims.slice(2), 1), [OH, OW] = two(geo.out, 1), [KH, KW] = two(kernel, 1);
  const [SH, SW] = two(geo.strides, 1), [DH, DW] = two(geo.dilations, 1), [PT, PL] = two(geo.padBegin, 0);
  const [N, C] = x.dims;
  const group = attrs.group, Mg = w.dims[1], M = Mg * group, taps = KH * KW;
  const cols = taps * Mg;
  const c = new Calls();
  if (N * M * OH * OW === 0) return c.done(['nhwc']);
  let wp: Addr;
  const tapMajor = !!constants[1];
  if (constants[1]) wp = c.const(packConvTransposeWeights(floats(constants[1]), C, Mg, taps, group));
  else {
    // ONNX order is channel-major columns [Cg][Mg·taps] per group: packed as they are
    const panelBytes = Math.ceil(cols / 8) * 8 * (C / group) * 4;
    wp = c.needScratch(group * panelBytes);
    for (let g = 0; g < group; g++) c.call('pack_b_f32', input(1, g * (C / group) * cols * 4), cols, 1, C / group, cols, { ...wp, offset: (wp.offset ?? 0) + g * panelBytes }, 1);
  }
  const chunk = Math.max(1, Math.min(H * W, Math.floor(COLUMN_FLOATS / cols)));
  const scratch = c.needScratch(chunk * cols * 4);
  for (let n = 0; n < N; n++) {
    c.call('conv_transpose_nhwc_f32', input(0, n * H * W * C * 4), H, W, C, wp, b ? input(2) : 0, output(0, n * OH * OW * M * 4), OH, OW, M,
      KH, KW, SH, SW, DH, DW, PT, PL, group, tapMajor ? 1 : 0, scratch, chunk, ...epilogueArgs(epi));
  }
  return c.done(['nhwc']);
}

export const convTransposeKernels: Record<string, WasmKernel> = {
  ConvTranspose: {
    layouts: channelsLast,
    lower: lowerConvTranspose as WasmKernel['lower'],
  },
};
