// Depthwise Conv (one input channel per group, any channel multiplier) as a direct kernel: each
// invocation computes `blockW` adjacent outputs along W, reading each weight once for all of them.
// Sizes, strides, dilations and pads are uniforms, so one pipeline serves every depthwise conv of
// a kernel size (and any clamp after it; rows narrower than a block take a narrower one); the
// kernel size stays constant, since the unrolled taps depend on it.
// Knobs (DepthwiseConfig): blockW (outputs per invocation along W), workgroup (invocations per
// workgroup).

import type { LowerArgs, Lowering } from '../kernel';
import { kernelDims, unsupported } from '../kernel';
import { flatMain, grid1d } from '../wgsl';
import { helpersFor } from './activation-helpers';
import type { ConvShape } from './conv-gemm';
import { convBuffers, epilogue, prod } from './conv-common';

export interface DepthwiseConfig {
  readonly blockW: number;
  readonly workgroup: number;
}

/**
 * Four outputs per invocation along W, narrow rows included (a 7-wide row is two blocks, one
 * partial): one block width means one pipeline per kernel size.
 */
export const DEFAULT_DEPTHWISE: DepthwiseConfig = { blockW: 4, workgroup: 128 };

export function convDepthwise(args: LowerArgs, s: ConvShape, knobs?: Partial<DepthwiseConfig>): Lowering {
  const { N, C, M, win, hasBias, residual } = s;
  const Mg = M / C;
  const [ID, IH, IW] = win.inS;
  const [KD, KH, KW] = win.kernel;
  const [OD, OH, OW] = win.outS;
  const [SD, SH, SW] = win.strides;
  const [DD, DH, DW] = win.dilations;
  const [PD, PH, PW] = win.padBegin;
  const cfg = { ...DEFAULT_DEPTHWISE, ...knobs };
  const BW = Math.max(1, Math.min(cfg.blockW, OW));
  const OWB = Math.ceil(OW / BW);
  const total = N * M * OD * OH * OWB;
  const KS = prod(win.kernel);
  const { decls, bindings } = convBuffers(s);
  const js = Array.from({ length: BW }, (_, j) => j);
  const d = kernelDims(args);
  const act = epilogue(args.node, 'k_r', d);
  if (act === undefined) return unsupported('unknown fused activation');
  const sw = d.u('SW', SW);
  const body = `  let k_owb = idx % ${d.u('OWB', OWB)};
  let k_r1 = idx / ${d.u('OWB', OWB)};
  let k_oh = k_r1 % ${d.u('OH', OH)};
  let k_r2 = k_r1 / ${d.u('OH', OH)};
  let k_od = ${OD === 1 ? '0u' : `k_r2 % ${d.u('OD', OD)}`};
  let k_nm = ${OD === 1 ? 'k_r2' : `k_r2 / ${d.u('OD', OD)}`};
  let k_m = k_nm % ${d.u('M', M)};
  let k_img = k_nm / ${d.u('M', M)};
  let k_xbase = (k_img * ${d.u('C', C)} + ${Mg === 1 ? 'k_m' : `k_m / ${d.u('Mg', Mg)}`}) * ${d.u('inSize', ID * IH * IW)};
  let k_wbase = k_m * ${KS}u;
  let k_ow0 = i32(k_owb * ${BW}u * ${sw}) - ${d.i('PW', PW)};
${js.map((j) => `  var k_acc${j} = 0.0f;`).join('\n')}
  for (var k_kd = 0u; k_kd < ${KD}u; k_kd = k_kd + 1u) {
    let k_iz = i32(k_od * ${d.u('SD', SD)} + k_kd * ${d.u('DD', DD)}) - ${d.i('PD', PD)};
    if (k_iz < 0i || k_iz >= ${d.i('ID', ID)}) { continue; }
    for (var k_kh = 0u; k_kh < ${KH}u; k_kh = k_kh + 1u) {
      let k_iy = i32(k_oh * ${d.u('SH', SH)} + k_kh * ${d.u('DH', DH)}) - ${d.i('PH', PH)};
      if (k_iy < 0i || k_iy >= ${d.i('IH', IH)}) { continue; }
      let k_row = k_xbase + (u32(k_iz) * ${d.u('IH', IH)} + u32(k_iy)) * ${d.u('IW', IW)};
      let k_wrow = k_wbase + (k_kd * ${KH}u + k_kh) * ${KW}u;
      for (var k_kw = 0u; k_kw < ${KW}u; k_kw = k_kw + 1u) {
        let k_wv = k_w[k_wrow + k_kw];
        let k_ix0 = k_ow0 + i32(k_kw * ${d.u('DW', DW)});
${js.map((j) => `        { let k_ix = ${j ? `k_ix0 + i32(${j}u * ${sw})` : 'k_ix0'}; if (k_ix >= 0i && k_ix < ${d.i('IW', IW)}) { k_acc${j} = fma(k_wv, k_x[k_row + u32(k_ix)], k_acc${j}); } }`).join('\n')}
      }
    }
  }
  let k_ybase = ((k_nm * ${d.u('OD', OD)} + k_od) * ${d.u('OH', OH)} + k_oh) * ${d.u('OW', OW)} + k_owb * ${BW}u;
${BW === 1 ? `  let k_r = k_acc0${hasBias ? ' + k_bias[k_m]' : ''}${residual !== undefined ? ' + k_res[k_ybase]' : ''};
  k_y[k_ybase] = ${act};` : `  // the epilogue written once, in a loop (see the GEMM template: unrolled, it is compile time)
  var k_acc = array<f32, ${BW}>(${js.map((j) => `k_acc${j}`).join(', ')});
  for (var k_j = 0u; k_j < ${!d.generic && OW % BW === 0 ? `${BW}u` : `min(${BW}u, ${d.u('OW', OW)} - k_owb * ${BW}u)`}; k_j = k_j + 1u) {
    let k_r = k_acc[k_j]${hasBias ? ' + k_bias[k_m]' : ''}${residual !== undefined ? ' + k_res[k_ybase + k_j]' : ''};
    k_y[k_ybase + k_j] = ${act};
  }`}`;
  const main = flatMain(d.u('total', total), body, cfg.workgroup);
  const wgsl = `${decls}\n${d.declare(bindings.length)}\n${helpersFor(main)}\n${main}`;
  return {
    kind: 'dispatch',
    dispatches: [{
      wgsl, workgroups: grid1d(total, cfg.workgroup), label: `dwconv${KH}x${KW}s${SW}`,
      bindings,
      uniforms: d.words(),
    }],
  };
}
