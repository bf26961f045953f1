// Conv as a GEMM per (image, group): rows are the group's output channels, columns the output
// positions, depth Cg·kernel. Pointwise 1×1 (stride 1, no pads) reads the input as the B matrix
// directly (by vec4 where the plane is a multiple of 4 and tuning chose it); every other Conv
// builds im2col columns in the loader (implicit GEMM: nothing is materialised). Its GemmConfig
// (./gemm-template) is the default for the shape or what a tuning run chose (args.gemmChoice).

import type { LowerArgs, Lowering } from '../kernel';
import { kernelDims, unsupported } from '../kernel';
import { epilogue, prod, type Window3 } from './conv-common';
import { gemmDispatches, tunedGemm, type GemmBuffer } from './gemm-template';

export interface ConvShape {
  readonly N: number;
  readonly C: number;
  readonly M: number;
  readonly group: number;
  readonly win: Window3;
  readonly hasBias: boolean;
  /** the input index of a fused residual (same shape as the output), added after the bias */
  readonly residual?: number;
  /** the input index of a fused channel scale ([N, C, 1, 1]), applied to X as it is loaded */
  readonly scale?: number;
  /** the input is stored channels-last (the direct kernel reads it so) */
  readonly xLast?: boolean;
  /** the output is stored channels-last (the direct and one-group GEMM kernels write it so) */
  readonly yLast?: boolean;
}

/** What a shape-generic conv without a fused residual binds in its place (never read). */
const NO_RESIDUAL: GemmBuffer = { decl: { name: 'k_res', type: 'f32', access: 'read' }, binding: { kind: 'scratch', id: 1, elements: 1 } };

export function isPointwise(w: Window3): boolean {
  return prod(w.kernel) === 1 && w.strides.every((s) => s === 1) && w.padBegin.every((p) => p === 0)
    && w.padEnd.every((p) => p === 0) && w.inS.every((d, i) => d === w.outS[i]);
}

/** WGSL of `fn k_im2col(xbase, k, p) -> f32`: the im2col element (k, p) of one image and group. */
function im2col(w: Window3, KS: number): string {
  const [ID, IH, IW] = w.inS;
  const [, KH, KW] = w.kernel;
  const [, OH, OW] = w.outS;
  const [SD, SH, SW] = w.strides;
  const [DD, DH, DW] = w.dilations;
  const [PD, PH, PW] = w.padBegin;
  const inSize = ID * IH * IW;
  const coord = (o: string, s: number, k: string, d: number, p: number) => `i32(${o} * ${s}u + ${k} * ${d}u) - ${p}i`;
  return `fn k_im2col(k_xbase: u32, k: u32, p: u32) -> f32 {
  let c = k / ${KS}u;
  let r = k % ${KS}u;
  let kd = r / ${KH * KW}u;
  let kh = (r / ${KW}u) % ${KH}u;
  let kw = r % ${KW}u;
  let od = p / ${OH * OW}u;
  let oh = (p / ${OW}u) % ${OH}u;
  let ow = p % ${OW}u;
  let iz = ${coord('od', SD, 'kd', DD, PD)};
  let iy = ${coord('oh', SH, 'kh', DH, PH)};
  let ix = ${coord('ow', SW, 'kw', DW, PW)};
  if (iz < 0i || iz >= ${ID}i || iy < 0i || iy >= ${IH}i || ix < 0i || ix >= ${IW}i) { return 0.0f; }
  return k_x[k_xbase + c * ${inSize}u + (u32(iz) * ${IH}u + u32(iy)) * ${IW}u + u32(ix)];
}`;
}

export function convGemm(args: LowerArgs, s: ConvShape): Lowering {
  const { N, C, M, group, win, hasBias, residual, scale, yLast } = s;
  if (s.xLast || (yLast && group !== 1)) return unsupported('no kernel for these layouts');
  const Cg = C / group;
  const Mg = M / group;
  const KS = prod(win.kernel);
  const K = Cg * KS;
  const P = prod(win.outS);
  const inSize = prod(win.inS);
  const pointwise = isPointwise(win);
  if (scale !== undefined && (!pointwise || group !== 1)) return unsupported('a fused channel scale needs a pointwise group-1 Conv');
  // sizes as uniforms; a KxK window's geometry stays in the im2col helper as constants
  const d = kernelDims(args);
  const act = epilogue(args.node, 'k_r', d);
  if (act === undefined) return unsupported('unknown fused activation');
  const label = pointwise ? 'conv1x1' : `conv${win.kernel[1]}x${win.kernel[2]}s${win.strides[2]}`;
  const kind = `${label}${scale !== undefined ? '+scale' : ''}`;
  const { config: cfg, tuneKey } = tunedGemm({ kind, batch: N * group, M: Mg, N: P, K, canVec4: pointwise }, args.gemmChoice);
  const input = (name: string, index: number, vec4 = false): GemmBuffer =>
    ({ decl: { name, type: vec4 ? 'vec4<f32>' : 'f32', access: 'read' }, binding: { kind: 'input', index } });
  const setup = group === 1 ? `  let k_g = 0u;
  let k_xbase = k_b * ${d.u('C', C)} * ${d.u('inSize', inSize)};
  let k_wbase = 0u;
  let k_ybase = k_b * ${d.u('Cout', M)} * ${d.u('P', P)};` : `  let k_img = k_b / ${d.u('group', group)};
  let k_g = k_b % ${d.u('group', group)};
  let k_xbase = (k_img * ${d.u('C', C)} + k_g * ${d.u('Cg', Cg)}) * ${d.u('inSize', inSize)};
  let k_wbase = k_g * ${d.u('MgK', Mg * K)};
  let k_ybase = (k_img * ${d.u('Cout', M)} + k_g * ${d.u('Mg', Mg)}) * ${d.u('P', P)};`;
  // group 1: the batch index is the image; its channel k's scale
  const scaled = (b: string, k: string) => (scale === undefined ? '' : ` * k_scale[${b} * ${d.u('C', C)} + ${k}]`);
  const bias = hasBias ? ` + k_bias[k_g * ${d.u('Mg', Mg)} + k_m]` : '';
  const lowered = gemmDispatches({
    label,
    tuneKey,
    batch: N * group, M: Mg, N: P, K,
    loadBuffers: [input('k_x', 0, cfg.vec4B), input('k_w', 1), ...(scale !== undefined ? [input('k_scale', scale)] : [])],
    storeBuffers: [
      ...(hasBias ? [input('k_bias', 2)] : []),
      ...(residual !== undefined ? [input('k_res', residual)] : d.generic ? [NO_RESIDUAL] : []),
      { decl: { name: 'k_y', type: 'f32', access: 'read_write' }, binding: { kind: 'output', index: 0 } },
    ],
    loadHelpers: pointwise ? '' : im2col(win, KS),
    setup,
    a: { load: (_b, m, k) => `k_w[k_wbase + ${m} * ${d.u('K', K)} + ${k}]`, kContiguous: true },
    b: pointwise
      ? { load: (b, k, p) => `k_x[k_xbase + ${k} * ${d.u('P', P)} + ${p}]${scaled(b, k)}`, load4: (b, k, p) => `k_x[(k_xbase + ${k} * ${d.u('P', P)} + ${p}) / 4u]${scaled(b, k)}`, kContiguous: false }
      : { load: (_b, k, p) => `k_im2col(k_xbase, ${k}, ${p})`, kContiguous: false },
    // the output's strides are run data: channels-first (P, 1) or channels-last (1, M)
    store: (acc) => `let k_yi = k_ybase + k_m * ${d.u('yM', yLast ? 1 : P)} + k_n * ${d.u('yP', yLast ? M : 1)}; ${d.generic
      // shape-generic: the residual is run data too (a flag; a stand-in buffer where there is none)
      ? `var k_r = ${acc}${bias}; if (${d.u('res', residual !== undefined ? 1 : 0)} != 0u) { k_r = k_r + k_res[k_yi]; }`
      : `let k_r = ${acc}${bias}${residual !== undefined ? ' + k_res[k_yi]' : ''};`} k_y[k_yi] = ${act};`,
    config: cfg,
    dims: d,
  });
  return typeof lowered === 'string' ? unsupported(lowered) : { kind: 'dispatch', dispatches: lowered };
}
