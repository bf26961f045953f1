// Conv and ConvInteger: 1-D/2-D/3-D grouped convolution as im2col + the shared GEMM (1×1
// stride-1 unpadded convolutions skip im2col and multiply the input directly).

import type { TensorType } from '../../ir/graph';
import { defineOp, OpError, type Attrs } from '../spec';
import type { Tensor } from '../../tensor';
import { gemmAcc } from './gemm';
import { f64, geometry, inferSpatial, known, need, needFloat, out, readSpatialAttrs, to3, type Geometry, type SpatialAttrs } from './util';

export interface ConvAttrs extends SpatialAttrs {
  readonly group: number;
}

export function readConvAttrs(a: Attrs, op: string): ConvAttrs {
  return { ...readSpatialAttrs(a, op), ceilMode: false, group: a.int('group', 1) };
}

/** Checks X [N, C, ...spatial] against W [M, C/group, ...kernel] and works out the geometry. */
export function convGeometry(op: string, xDims: readonly number[], wDims: readonly number[], at: ConvAttrs): Geometry {
  const r = xDims.length - 2;
  if (r < 1 || r > 3) throw new OpError(op, `input must have rank 3 to 5 ([N, C, ...spatial]), got [${xDims.join(',')}]`);
  if (wDims.length !== xDims.length) throw new OpError(op, `weight rank ${wDims.length} does not match input rank ${xDims.length}`);
  const C = xDims[1];
  const M = wDims[0];
  if (C % at.group !== 0 || M % at.group !== 0) throw new OpError(op, `channels ${C} and filters ${M} must divide by group ${at.group}`);
  if (wDims[1] !== C / at.group) throw new OpError(op, `weight has ${wDims[1]} input channels per group, expected ${C / at.group}`);
  const kernel = at.kernelShape && at.kernelShape.length ? at.kernelShape : wDims.slice(2);
  return geometry(op, xDims.slice(2), kernel, at);
}

/**
 * The convolution itself over float64 buffers: x [N, C, ...in], w [M, C/group, ...kernel],
 * optional bias [M]; returns y [N, M, ...geo.out]. Spatial ranks 1-3 are handled as 3-D.
 */
export function convCore(x: Float64Array, xDims: readonly number[], w: Float64Array, M: number, bias: Float64Array | undefined, group: number, geo: Geometry): Float64Array {
  const N = xDims[0];
  const C = xDims[1];
  const [ID, IH, IW] = to3(xDims.slice(2), 1);
  const [KD, KH, KW] = to3(geo.kernel, 1);
  const [SD, SH, SW] = to3(geo.strides, 1);
  const [DD, DH, DW] = to3(geo.dilations, 1);
  const [PD, PH, PW] = to3(geo.padBegin, 0);
  const [OD, OH, OW] = to3(geo.out, 1);
  const Cg = C / group;
  const Mg = M / group;
  const K = Cg * KD * KH * KW;
  const P = OD * OH * OW;
  const inSize = ID * IH * IW;
  const y = new Float64Array(N * M * P);
  if (Cg === 1 && Mg === 1) {
    depthwise(x, y, w, bias, N * C, [ID, IH, IW], [KD, KH, KW], [SD, SH, SW], [DD, DH, DW], [PD, PH, PW], [OD, OH, OW]);
    return y;
  }
  const pointwise = KD * KH * KW === 1 && SD === 1 && SH === 1 && SW === 1 && PD === 0 && PH === 0 && PW === 0 && P === inSize;
  const col = pointwise ? x : new Float64Array(K * P);

  for (let n = 0; n < N; n++) {
    for (let g = 0; g < group; g++) {
      const xBase = (n * C + g * Cg) * inSize;
      let colOff = xBase;
      if (!pointwise) {
        colOff = 0;
        let row = 0;
        for (let c = 0; c < Cg; c++) {
          const chan = xBase + c * inSize;
          for (let kd = 0; kd < KD; kd++) {
            for (let kh = 0; kh < KH; kh++) {
              for (let kw = 0; kw < KW; kw++, row++) {
                const rowOff = row * P;
                const xoff = kw * DW - PW; // ix = ow * SW + xoff
                const owLo = Math.min(OW, Math.max(0, Math.ceil(-xoff / SW)));
                const owHi = Math.max(owLo, Math.min(OW, Math.floor((IW - 1 - xoff) / SW) + 1));
                for (let od = 0; od < OD; od++) {
                  const iz = od * SD - PD + kd * DD;
                  for (let oh = 0; oh < OH; oh++) {
                    const iy = oh * SH - PH + kh * DH;
                    const dst = rowOff + (od * OH + oh) * OW;
                    if (iz < 0 || iz >= ID || iy < 0 || iy >= IH) {
                      col.fill(0, dst, dst + OW);
                      continue;
                    }
                    const src = chan + (iz * IH + iy) * IW + xoff;
                    let ow = 0;
                    for (; ow < owLo; ow++) col[dst + ow] = 0;
                    if (SW === 1) for (; ow < owHi; ow++) col[dst + ow] = x[src + ow];
                    else for (; ow < owHi; ow++) col[dst + ow] = x[src + ow * SW];
                    for (; ow < OW; ow++) col[dst + ow] = 0;
                  }
                }
              }
            }
          }
        }
      }
      const yOff = (n * M + g * Mg) * P;
      if (bias) for (let m = 0; m < Mg; m++) y.fill(bias[g * Mg + m], yOff + m * P, yOff + (m + 1) * P);
      gemmAcc(w, g * Mg * K, col, colOff, y, yOff, Mg, K, P);
    }
  }
  return y;
}

type V3 = readonly [number, number, number];

/**
 * Depthwise convolution (one input and one output channel per group) accumulated tap by tap
 * straight from the input: no im2col buffer, and each tap's valid output range is precomputed.
 */
function depthwise(x: Float64Array, y: Float64Array, w: Float64Array, bias: Float64Array | undefined, planes: number, inS: V3, k: V3, s: V3, d: V3, p: V3, o: V3): void {
  const [ID, IH, IW] = inS;
  const [KD, KH, KW] = k;
  const [SD, SH, SW] = s;
  const [DD, DH, DW] = d;
  const [PD, PH, PW] = p;
  const [OD, OH, OW] = o;
  const inSize = ID * IH * IW;
  const P = OD * OH * OW;
  const K = KD * KH * KW;
  const C = bias ? bias.length : 0;
  for (let pl = 0; pl < planes; pl++) {
    const xb = pl * inSize;
    const yb = pl * P;
    if (bias) y.fill(bias[pl % C], yb, yb + P);
    let tap = 0;
    for (let kd = 0; kd < KD; kd++) {
      for (let kh = 0; kh < KH; kh++) {
        for (let kw = 0; kw < KW; kw++, tap++) {
          const wv = w[(pl % (w.length / K)) * K + tap];
          if (wv === 0) continue;
          const xoff = kw * DW - PW;
          const owLo = Math.min(OW, Math.max(0, Math.ceil(-xoff / SW)));
          const owHi = Math.max(owLo, Math.min(OW, Math.floor((IW - 1 - xoff) / SW) + 1));
          for (let od = 0; od < OD; od++) {
            const iz = od * SD - PD + kd * DD;
            if (iz < 0 || iz >= ID) continue;
            for (let oh = 0; oh < OH; oh++) {
              const iy = oh * SH - PH + kh * DH;
              if (iy < 0 || iy >= IH) continue;
              const src = xb + (iz * IH + iy) * IW + xoff;
              const dst = yb + (od * OH + oh) * OW;
              if (SW === 1) for (let ow = owLo; ow < owHi; ow++) y[dst + ow] += wv * x[src + ow];
              else for (let ow = owLo; ow < owHi; ow++) y[dst + ow] += wv * x[src + ow * SW];
            }
          }
        }
      }
    }
  }
}

/** Static output type of a Conv-like op: [N, M, ...spatial] from X and W shapes. */
export function inferConv(x: TensorType | null, w: TensorType | null, at: ConvAttrs, dtype: TensorType['dtype'] | undefined): TensorType[] | null[] {
  const xs = x?.shape;
  const ws = w?.shape;
  const type = dtype ?? x?.dtype;
  if (!type) return [null];
  if (!xs) return [{ kind: 'tensor', dtype: type, shape: null }];
  const kernel = at.kernelShape && at.kernelShape.length ? at.kernelShape : ws && ws.slice(2).every(known) ? (ws.slice(2) as number[]) : undefined;
  return [{ kind: 'tensor', dtype: type, shape: [xs[0], ws ? ws[0] : null, ...inferSpatial(xs.slice(2), kernel, at)] }];
}

export const conv = defineOp({
  op: 'Conv',
  attrs: (a) => readConvAttrs(a, 'Conv'),
  infer: ([x, w], at) => inferConv(x, w, at, undefined),
  run([xT, wT, bT], at) {
    const x = needFloat('Conv', xT, 'X');
    const w = needFloat('Conv', wT, 'W');
    const geo = convGeometry('Conv', x.dims, w.dims, at);
    const M = w.dims[0];
    if (bT && bT.data.length !== M) throw new OpError('Conv', `bias must have ${M} elements, got ${bT.data.length}`);
    const y = convCore(f64(x), x.dims, f64(w), M, bT ? f64(bT) : undefined, at.group, geo);
    return [out(x.type, [x.dims[0], M, ...geo.out], y)];
  },
});

/** Values minus a zero point: a scalar, or (perAxisLen > 0) one per slice of the first axis. */
export function minusZeroPoint(v: Float64Array, zp: Tensor | undefined, perAxisLen = 0): Float64Array {
  if (!zp) return v;
  const z = f64(zp);
  const r = new Float64Array(v.length);
  if (z.length <= 1 || perAxisLen === 0) {
    const z0 = z.length ? z[0] : 0;
    for (let i = 0; i < v.length; i++) r[i] = v[i] - z0;
  } else {
    for (let i = 0; i < v.length; i++) r[i] = v[i] - z[Math.floor(i / perAxisLen)];
  }
  return r;
}

export const convInteger = defineOp({
  op: 'ConvInteger',
  attrs: (a) => readConvAttrs(a, 'ConvInteger'),
  infer: ([x, w], at) => inferConv(x, w, at, 'int32'),
  run([xT, wT, xz, wz], at) {
    const x = need('ConvInteger', xT, 'x');
    const w = need('ConvInteger', wT, 'w');
    const geo = convGeometry('ConvInteger', x.dims, w.dims, at);
    const M = w.dims[0];
    const xv = minusZeroPoint(f64(x), xz);
    const wv = minusZeroPoint(f64(w), wz, w.data.length / M);
    const y = convCore(xv, x.dims, wv, M, undefined, at.group, geo);
    return [out('int32', [x.dims[0], M, ...geo.out], y)];
  },
});
