// ConvTranspose (GEMM to columns, then col2im scatter-add) and Col2Im, which is that scatter alone.

import type { Dim, TensorType } from '../../ir/graph';
import { defineOp, NotSupportedOpError, OpError } from '../spec';
import { toInts } from '../../tensor';
import { gemmAcc, transpose2d } from './gemm';
import { autoPadAttr, f64, need, needFloat, out, to3, type AutoPad } from './util';

/**
 * Adds columns back into an image: col is [C * prod(kernel), prod(grid)] where `grid` is the
 * sliding-window grid; y is [C, ...image] (added into at yOff).
 */
function col2imAdd(
  col: Float64Array, colOff: number, C: number,
  grid: readonly number[], image: readonly number[], kernel: readonly number[],
  strides: readonly number[], dilations: readonly number[], padBegin: readonly number[],
  y: Float64Array, yOff: number,
): void {
  const [GD, GH, GW] = to3(grid, 1);
  const [ID, IH, IW] = to3(image, 1);
  const [KD, KH, KW] = to3(kernel, 1);
  const [SD, SH, SW] = to3(strides, 1);
  const [DD, DH, DW] = to3(dilations, 1);
  const [PD, PH, PW] = to3(padBegin, 0);
  const L = GD * GH * GW;
  const imgSize = ID * IH * IW;
  let row = 0;
  for (let c = 0; c < C; c++) {
    const yc = yOff + c * imgSize;
    for (let kd = 0; kd < KD; kd++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++, row++) {
          const src = colOff + row * L;
          for (let gd = 0; gd < GD; gd++) {
            const z = gd * SD - PD + kd * DD;
            if (z < 0 || z >= ID) continue;
            for (let gh = 0; gh < GH; gh++) {
              const yy = gh * SH - PH + kh * DH;
              if (yy < 0 || yy >= IH) continue;
              const s0 = src + (gd * GH + gh) * GW;
              const d0 = yc + (z * IH + yy) * IW;
              for (let gw = 0; gw < GW; gw++) {
                const xx = gw * SW - PW + kw * DW;
                if (xx >= 0 && xx < IW) y[d0 + xx] += col[s0 + gw];
              }
            }
          }
        }
      }
    }
  }
}

export interface ConvTransposeAttrs {
  readonly autoPad: AutoPad;
  readonly group: number;
  readonly kernelShape?: readonly number[];
  readonly strides?: readonly number[];
  readonly dilations?: readonly number[];
  readonly pads?: readonly number[];
  readonly outputPadding?: readonly number[];
  readonly outputShape?: readonly number[];
}

/** Output sizes and begin pads of a transposed convolution (ONNX ConvTranspose rules). */
export function transposeGeometry(op: string, inS: readonly number[], kernel: readonly number[], at: ConvTransposeAttrs) {
  const r = inS.length;
  const ones = new Array<number>(r).fill(1);
  const strides = at.strides?.length ? at.strides : ones;
  const dil = at.dilations?.length ? at.dilations : ones;
  const outPad = at.outputPadding?.length ? at.outputPadding : new Array<number>(r).fill(0);
  const padBegin = new Array<number>(r).fill(0);
  const outS = new Array<number>(r);
  const explicitOut = at.outputShape?.length ? at.outputShape.slice(-r) : undefined;
  for (let i = 0; i < r; i++) {
    const ek = (kernel[i] - 1) * dil[i] + 1;
    const full = strides[i] * (inS[i] - 1) + outPad[i] + ek;
    if (explicitOut || at.autoPad === 'SAME_UPPER' || at.autoPad === 'SAME_LOWER') {
      const o = explicitOut ? explicitOut[i] : inS[i] * strides[i];
      const total = Math.max(0, full - o);
      // SAME_UPPER puts the smaller half first; otherwise the larger half goes first
      padBegin[i] = at.autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
      outS[i] = o;
    } else if (at.autoPad === 'VALID') {
      outS[i] = full;
    } else {
      const pb = at.pads?.length ? at.pads[i] : 0;
      const pe = at.pads?.length ? at.pads[i + r] : 0;
      padBegin[i] = pb;
      outS[i] = full - pb - pe;
    }
    if (!(outS[i] > 0)) throw new OpError(op, `spatial axis ${i} gives an empty output`);
  }
  return { strides, dilations: dil, padBegin, out: outS };
}

/** The spatial output sizes when the input's spatial dims and the kernel are known (else unknown dims). */
function inferTransposeSpatial(inS: readonly Dim[], wSpatial: readonly Dim[] | undefined, at: ConvTransposeAttrs): (number | null)[] {
  const kernel = at.kernelShape?.length ? at.kernelShape : wSpatial;
  const unknown = inS.map(() => null);
  if (!kernel || kernel.length !== inS.length || !inS.every(isKnown) || !kernel.every(isKnown)) return unknown;
  try {
    return transposeGeometry('ConvTranspose', inS, kernel, at).out;
  } catch {
    return unknown; // invalid attributes: the kernel reports them at run time
  }
}

const isKnown = (d: Dim): d is number => typeof d === 'number';

export const convTranspose = defineOp<ConvTransposeAttrs>({
  op: 'ConvTranspose',
  attrs: (a) => ({
    autoPad: autoPadAttr('ConvTranspose', a.string('auto_pad', 'NOTSET')),
    group: a.int('group', 1),
    kernelShape: a.ints('kernel_shape'),
    strides: a.ints('strides'),
    dilations: a.ints('dilations'),
    pads: a.ints('pads'),
    outputPadding: a.ints('output_padding'),
    outputShape: a.ints('output_shape'),
  }),
  infer([x, w], at): (TensorType | null)[] {
    if (!x) return [null];
    const xs = x.shape;
    const ws = w?.shape;
    const M = ws && typeof ws[1] === 'number' ? ws[1] * at.group : null;
    if (!xs) return [{ kind: 'tensor', dtype: x.dtype, shape: null }];
    return [{ kind: 'tensor', dtype: x.dtype, shape: [xs[0], M, ...inferTransposeSpatial(xs.slice(2), ws?.slice(2), at)] }];
  },
  run([xT, wT, bT], at) {
    const op = 'ConvTranspose';
    const x = needFloat(op, xT, 'X');
    const w = needFloat(op, wT, 'W');
    const r = x.dims.length - 2;
    if (r < 1 || r > 3) throw new OpError(op, `input must have rank 3 to 5, got [${x.dims.join(',')}]`);
    const [N, C] = x.dims;
    const G = at.group;
    if (w.dims[0] !== C || C % G !== 0) throw new OpError(op, `weight [${w.dims.join(',')}] does not fit ${C} input channels in ${G} groups`);
    const Cg = C / G;
    const Mg = w.dims[1];
    const M = Mg * G;
    const kernel = at.kernelShape?.length ? at.kernelShape : w.dims.slice(2);
    const inS = x.dims.slice(2);
    const geo = transposeGeometry(op, inS, kernel, at);
    const Pin = inS.reduce((a, b) => a * b, 1);
    const Ksp = kernel.reduce((a, b) => a * b, 1);
    const Pout = geo.out.reduce((a, b) => a * b, 1);
    const xv = f64(x);
    const wv = f64(w);
    const y = new Float64Array(N * M * Pout);
    if (bT) {
      const b = f64(bT);
      for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) y.fill(b[m], (n * M + m) * Pout, (n * M + m + 1) * Pout);
    }
    // per group: W_g is [Cg, Mg*Ksp]; columns = W_g^T [Mg*Ksp, Cg] x X_g [Cg, Pin]
    const wT_ = Array.from({ length: G }, (_, g) => transpose2d(wv, g * Cg * Mg * Ksp, Cg, Mg * Ksp));
    const col = new Float64Array(Mg * Ksp * Pin);
    for (let n = 0; n < N; n++) {
      for (let g = 0; g < G; g++) {
        col.fill(0);
        gemmAcc(wT_[g], 0, xv, (n * C + g * Cg) * Pin, col, 0, Mg * Ksp, Cg, Pin);
        col2imAdd(col, 0, Mg, inS, geo.out, kernel, geo.strides, geo.dilations, geo.padBegin, y, (n * M + g * Mg) * Pout);
      }
    }
    return [out(x.type, [N, M, ...geo.out], y)];
  },
});

interface Col2ImAttrs {
  readonly dilations?: readonly number[];
  readonly pads?: readonly number[];
  readonly strides?: readonly number[];
}

export const col2im = defineOp<Col2ImAttrs>({
  op: 'Col2Im',
  attrs: (a) => ({ dilations: a.ints('dilations'), pads: a.ints('pads'), strides: a.ints('strides') }),
  infer: ([x]) => [x ? { kind: 'tensor', dtype: x.dtype, shape: null } : null],
  run([xT, imgT, blockT], at) {
    const op = 'Col2Im';
    const x = need(op, xT, 'input');
    const image = toInts(need(op, imgT, 'image_shape'));
    const block = toInts(need(op, blockT, 'block_shape'));
    const r = image.length;
    if (r > 3) throw new NotSupportedOpError(op, `at most 3 spatial dims are supported, got ${r}`);
    if (x.dims.length !== 3) throw new OpError(op, `input must be [N, C*prod(block_shape), L], got [${x.dims.join(',')}]`);
    const ones = new Array<number>(r).fill(1);
    const strides = at.strides?.length ? at.strides : ones;
    const dil = at.dilations?.length ? at.dilations : ones;
    const pads = at.pads?.length ? at.pads : new Array<number>(2 * r).fill(0);
    const Kp = block.reduce((a, b) => a * b, 1);
    const [N, CK, L] = x.dims;
    if (CK % Kp !== 0) throw new OpError(op, `input dim 1 (${CK}) must be a multiple of prod(block_shape) = ${Kp}`);
    const C = CK / Kp;
    const grid = image.map((d, i) => Math.floor((d + pads[i] + pads[i + r] - ((block[i] - 1) * dil[i] + 1)) / strides[i]) + 1);
    if (grid.reduce((a, b) => a * b, 1) !== L) throw new OpError(op, `input has ${L} blocks, the geometry gives [${grid.join(',')}]`);
    const imgSize = image.reduce((a, b) => a * b, 1);
    const y = new Float64Array(N * C * imgSize);
    const xv = f64(x);
    for (let n = 0; n < N; n++) col2imAdd(xv, n * CK * L, C, grid, image, block, strides, dil, pads.slice(0, r), y, n * C * imgSize);
    return [out(x.type, [N, C, ...image], y)];
  },
});
