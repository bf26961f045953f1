// Conv over few input channels (an image's stem: RGB in, 3×3 or 7×7 window) as a direct kernel:
// each invocation computes one output position for `block` output channels, walking the window
// once per input channel. The implicit GEMM would serve it too, but its tiles are sized for deep
// products: with K = 27 or 147 it gains nothing, and its unrolled im2col loads make the largest
// shader of a model (a fresh NVIDIA driver took 120–250 ms to compile it on the H200, about three
// times this kernel; where pipelines compile in parallel, as in browsers, the largest one is the
// wait). GPU time is the same to 0.02 ms (ResNet-50's 7×7 stem). Threads of a workgroup share
// their output channels, so weight reads are broadcasts.
// Sizes, strides, dilations, pads and the window are uniforms: one pipeline serves every stem (3×3
// and 7×7). With the window constant its loops unrolled, which cost the driver more than it gave:
// on the H200, cold compile 87 → 72 ms, GPU time MobileNetV2's stem 0.016 → 0.018 ms and
// ResNet-50's 0.053 → 0.059 ms. The input's and output's element strides are uniforms too:
// channels-first or channels-last (an NHWC image a model converted from TensorFlow transposes for
// its stem is read as it is).

import type { LowerArgs, Lowering } from '../kernel';
import { kernelDims, unsupported } from '../kernel';
import { flatMain, grid1d } from '../wgsl';
import { helpersFor } from './activation-helpers';
import type { ConvShape } from './conv-gemm';
import { convBuffers, epilogue, prod } from './conv-common';

/** The most input channels a conv may have to take the direct kernel. */
export const DIRECT_MAX_CHANNELS = 4;
/** Output channels per invocation. */
const BLOCK = 8;
const WORKGROUP = 128;

export function convDirect(args: LowerArgs, s: ConvShape): Lowering {
  const { N, C, M, win, hasBias, residual, xLast, yLast } = s;
  const [ID, IH, IW] = win.inS;
  const [KD, KH, KW] = win.kernel;
  const [OD, OH, OW] = win.outS;
  const P = OD * OH * OW;
  const MB = Math.ceil(M / BLOCK);
  const total = N * MB * P;
  const d = kernelDims(args);
  const act = epilogue(args.node, 'k_r', d);
  if (act === undefined) return unsupported('unknown fused activation');
  const { decls, bindings } = convBuffers(s);
  const js = Array.from({ length: BLOCK }, (_, j) => j);
  const K = C * KD * KH * KW;
  const [kd, kh, kw] = [d.u('KD', KD), d.u('KH', KH), d.u('KW', KW)];
  // element strides: of an input channel and column, of an output position and channel
  const [xC, xW] = xLast ? [1, C] : [ID * IH * IW, 1];
  const [yP, yM] = yLast ? [M, 1] : [1, P];
  const body = `  let k_p = idx % ${d.u('P', P)};
  let k_mb = (idx / ${d.u('P', P)}) % ${d.u('MB', MB)};
  let k_img = idx / ${d.u('MBP', MB * P)};
  let k_od = k_p / ${d.u('OHW', OH * OW)};
  let k_oh = (k_p / ${d.u('OW', OW)}) % ${d.u('OH', OH)};
  let k_ow = k_p % ${d.u('OW', OW)};
  let k_m0 = k_mb * ${BLOCK}u;
  // the block's last rows may pass M: they read row M - 1 again and are not stored
  let k_last = ${d.u('M', M)} - 1u;
${js.map((j) => `  let k_wr${j} = min(k_m0 + ${j}u, k_last) * ${d.u('K', K)};`).join('\n')}
${js.map((j) => `  var k_acc${j} = 0.0f;`).join('\n')}
  for (var k_c = 0u; k_c < ${d.u('C', C)}; k_c = k_c + 1u) {
    let k_xc = k_img * ${d.u('C', C)} * ${d.u('inSize', ID * IH * IW)} + k_c * ${d.u('xC', xC)};
    for (var k_kd = 0u; k_kd < ${kd}; k_kd = k_kd + 1u) {
      let k_iz = i32(k_od * ${d.u('SD', win.strides[0])} + k_kd * ${d.u('DD', win.dilations[0])}) - ${d.i('PD', win.padBegin[0])};
      if (k_iz < 0i || k_iz >= ${d.i('ID', ID)}) { continue; }
      for (var k_kh = 0u; k_kh < ${kh}; k_kh = k_kh + 1u) {
        let k_iy = i32(k_oh * ${d.u('SH', win.strides[1])} + k_kh * ${d.u('DH', win.dilations[1])}) - ${d.i('PH', win.padBegin[1])};
        if (k_iy < 0i || k_iy >= ${d.i('IH', IH)}) { continue; }
        let k_row = k_xc + (u32(k_iz) * ${d.u('IH', IH)} + u32(k_iy)) * ${d.u('IW', IW)} * ${d.u('xW', xW)};
        let k_tap0 = ((k_c * ${kd} + k_kd) * ${kh} + k_kh) * ${kw};
        for (var k_kw = 0u; k_kw < ${kw}; k_kw = k_kw + 1u) {
          let k_ix = i32(k_ow * ${d.u('SW', win.strides[2])} + k_kw * ${d.u('DW', win.dilations[2])}) - ${d.i('PW', win.padBegin[2])};
          if (k_ix < 0i || k_ix >= ${d.i('IW', IW)}) { continue; }
          let k_xv = k_x[k_row + u32(k_ix) * ${d.u('xW', xW)}];
          let k_t = k_tap0 + k_kw;
${js.map((j) => `          k_acc${j} = fma(k_w[k_wr${j} + k_t], k_xv, k_acc${j});`).join('\n')}
        }
      }
    }
  }
  let k_ybase = k_img * ${d.u('M', M)} * ${d.u('P', P)} + k_p * ${d.u('yP', yP)};
  // the epilogue written once, in a loop (see the GEMM template: unrolled, it is compile time)
  var k_acc = array<f32, ${BLOCK}>(${js.map((j) => `k_acc${j}`).join(', ')});
  for (var k_j = 0u; k_j < min(${BLOCK}u, ${d.u('M', M)} - k_m0); k_j = k_j + 1u) {
    let k_m = k_m0 + k_j;
    let k_yi = k_ybase + k_m * ${d.u('yM', yM)};
    let k_r = k_acc[k_j]${hasBias ? ' + k_bias[k_m]' : ''}${residual !== undefined ? ' + k_res[k_yi]' : ''};
    k_y[k_yi] = ${act};
  }`;
  const main = flatMain(d.u('total', total), body, WORKGROUP);
  const wgsl = `${decls}\n${d.declare(bindings.length)}\n${helpersFor(main)}\n${main}`;
  return {
    kind: 'dispatch',
    dispatches: [{
      wgsl, workgroups: grid1d(total, WORKGROUP), label: `conv${KH}x${KW}s${win.strides[2]}_direct`,
      bindings,
      uniforms: d.words(),
    }],
  };
}

/** Whether the direct kernel takes this conv: one group, few input channels, a real window. */
export function takesDirect(s: ConvShape): boolean {
  return s.group === 1 && s.C <= DIRECT_MAX_CHANNELS && s.scale === undefined && prod(s.win.kernel) > 1;
}
