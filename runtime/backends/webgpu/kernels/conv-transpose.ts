// ConvTranspose as a direct gather kernel: one invocation per output element sums, over the
// kernel taps that land on it (o + pad − k·dilation divisible by the stride) and the group's input
// channels, x · w. Groups, dilations, pads, output_padding, output_shape and auto_pad follow the
// ONNX rules (as the reference kernel, runtime/ops/nn/conv-transpose.ts). Knob: workgroup size.

import { transposeGeometry, type ConvTransposeAttrs } from '../../../ops/nn/conv-transpose';
import type { KernelGenerator } from '../kernel';
import { unsupported } from '../kernel';
import { declareBuffers, flatMain, grid1d } from '../wgsl';
import { helpersFor } from './activation-helpers';
import { epilogue, isF32, prod, split3, type V3 } from './conv-common';
import { to3 } from '../../../ops/nn/util';

export const convTransposeKernel = (workgroup = 128): KernelGenerator<ConvTransposeAttrs> => ({ node, attrs, inputs, outputs }) => {
  const [x, w, b] = inputs;
  if (!x || !w || !isF32(x) || !isF32(w) || (b && !isF32(b))) return unsupported('ConvTranspose has no GPU kernel for these types');
  const r = x.dims.length - 2;
  if (r < 1 || r > 3) return unsupported('ConvTranspose needs 1 to 3 spatial dims');
  const act = epilogue(node, 'k_r');
  if (act === undefined) return unsupported('unknown fused activation');
  const [N, C] = x.dims;
  const G = attrs.group;
  const Cg = C / G;
  const Mg = w.dims[1];
  const M = Mg * G;
  const kernel = attrs.kernelShape?.length ? attrs.kernelShape : w.dims.slice(2);
  const y = outputs[0].dims;
  const inSp = x.dims.slice(2);
  // the reference's geometry, which also gave the output its shape
  const geo = transposeGeometry('ConvTranspose', inSp, kernel, attrs);
  const [ID, IH, IW] = to3(inSp, 1);
  const [KD, KH, KW] = to3(kernel, 1);
  const O: V3 = to3(y.slice(2), 1);
  const [SD, SH, SW] = to3(geo.strides, 1);
  const [DD, DH, DW] = to3(geo.dilations, 1);
  const [PD, PH, PW] = to3(geo.padBegin, 0);
  const P = prod(O);
  const inSize = ID * IH * IW;
  const KS = KD * KH * KW;
  const total = N * M * P;
  const hasBias = !!b;
  const decls = declareBuffers([
    { name: 'k_x', type: 'f32', access: 'read' },
    { name: 'k_w', type: 'f32', access: 'read' },
    ...(hasBias ? [{ name: 'k_bias', type: 'f32' as const, access: 'read' as const }] : []),
    { name: 'k_y', type: 'f32', access: 'read_write' },
  ]);
  // input position along one axis for output o and tap k, or -1 when the tap misses the grid
  const tap = (o: string, k: string, s: number, d: number, p: number, n: number) =>
    `k_src(i32(${o}) + ${p}i - i32(${k} * ${d}u), ${s}i, ${n}i)`;
  const body = `  let k_p = idx % ${P}u;
  let k_nm = idx / ${P}u;
  let k_m = k_nm % ${M}u;
  let k_img = k_nm / ${M}u;
  let k_g = k_m / ${Mg}u;
  let k_mm = k_m % ${Mg}u;
  ${split3('k_o', 'k_p', O)}
  let k_xbase = (k_img * ${C}u + k_g * ${Cg}u) * ${inSize}u;
  var k_acc = 0.0f;
  for (var k_kd = 0u; k_kd < ${KD}u; k_kd = k_kd + 1u) {
    let k_iz = ${tap('k_od', 'k_kd', SD, DD, PD, ID)};
    if (k_iz < 0i) { continue; }
    for (var k_kh = 0u; k_kh < ${KH}u; k_kh = k_kh + 1u) {
      let k_iy = ${tap('k_oh', 'k_kh', SH, DH, PH, IH)};
      if (k_iy < 0i) { continue; }
      for (var k_kw = 0u; k_kw < ${KW}u; k_kw = k_kw + 1u) {
        let k_ix = ${tap('k_ow', 'k_kw', SW, DW, PW, IW)};
        if (k_ix < 0i) { continue; }
        let k_xo = k_xbase + (u32(k_iz) * ${IH}u + u32(k_iy)) * ${IW}u + u32(k_ix);
        let k_wo = ((k_g * ${Cg}u) * ${Mg}u + k_mm) * ${KS}u + (k_kd * ${KH}u + k_kh) * ${KW}u + k_kw;
        for (var k_c = 0u; k_c < ${Cg}u; k_c = k_c + 1u) {
          k_acc = fma(k_x[k_xo + k_c * ${inSize}u], k_w[k_wo + k_c * ${Mg * KS}u], k_acc);
        }
      }
    }
  }
  let k_r = k_acc${hasBias ? ' + k_bias[k_m]' : ''};
  k_y[idx] = ${act};`;
  const helper = `fn k_src(t: i32, s: i32, n: i32) -> i32 {
  if (t < 0i || t % s != 0i) { return -1i; }
  let i = t / s;
  return select(-1i, i, i < n);
}`;
  const main = flatMain(total, body, workgroup);
  const wgsl = `${decls}\n${helper}\n${helpersFor(main)}\n${main}`;
  return {
    kind: 'dispatch',
    dispatches: [{
      wgsl, workgroups: grid1d(total, workgroup), label: 'convtranspose',
      bindings: [
        { kind: 'input', index: 0 }, { kind: 'input', index: 1 },
        ...(hasBias ? [{ kind: 'input' as const, index: 2 }] : []),
        { kind: 'output', index: 0 },
      ],
    }],
  };
};
