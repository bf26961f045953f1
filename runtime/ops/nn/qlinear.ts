// QLinearConv and QLinearMatMul: integer conv/matmul on zero-point-shifted values, rescaled by
// x_scale * w_scale / y_scale, rounded half to even and saturated into y's type.

import { defineOp, OpError } from '../spec';
import type { DType, Tensor } from '../../tensor';
import { convCore, convGeometry, inferConv, minusZeroPoint, readConvAttrs } from './conv';
import { matmulCore, inferMatmulShape } from './matmul';
import { qRange, roundHalfEven } from './quantize';
import { f64, need, out } from './util';

const scalar = (t: Tensor | undefined, def: number): number => (t && t.data.length ? f64(t)[0] : def);

/** Requantizes accumulators: y = sat(rint(acc * scale(channel)) + zp). */
function requantize(op: string, acc: Float64Array, type: DType, dims: readonly number[], scaleOf: (i: number) => number, zp: number): Tensor {
  const [lo, hi] = qRange(op, type);
  const y = new Float64Array(acc.length);
  for (let i = 0; i < acc.length; i++) {
    const v = roundHalfEven(acc[i] * scaleOf(i) + zp);
    y[i] = v < lo ? lo : v > hi ? hi : v;
  }
  return out(type, dims, y);
}

export const qLinearConv = defineOp({
  op: 'QLinearConv',
  attrs: (a) => readConvAttrs(a, 'QLinearConv'),
  infer: ([x, , , w, , , , yz], at) => inferConv(x, w, at, yz?.dtype ?? x?.dtype),
  run([xT, xsT, xzT, wT, wsT, wzT, ysT, yzT, bT], at) {
    const op = 'QLinearConv';
    const x = need(op, xT, 'x');
    const w = need(op, wT, 'w');
    const geo = convGeometry(op, x.dims, w.dims, at);
    const M = w.dims[0];
    const xv = minusZeroPoint(f64(x), xzT);
    const wv = minusZeroPoint(f64(w), wzT, w.data.length / M);
    const acc = convCore(xv, x.dims, wv, M, bT ? f64(bT) : undefined, at.group, geo);
    const xs = scalar(xsT, 1);
    const ys = scalar(ysT, 1);
    const ws = f64(need(op, wsT, 'w_scale'));
    if (ws.length !== 1 && ws.length !== M) throw new OpError(op, `w_scale must have 1 or ${M} entries, got ${ws.length}`);
    const P = geo.out.reduce((a, b) => a * b, 1);
    const scaleOf = ws.length === 1 ? () => (xs * ws[0]) / ys : (i: number) => (xs * ws[Math.floor(i / P) % M]) / ys;
    return [requantize(op, acc, yzT?.type ?? x.type, [x.dims[0], M, ...geo.out], scaleOf, scalar(yzT, 0))];
  },
});

/** Subtracts a zero point given per tensor, or per row of A / per column of B. */
function shift(v: Float64Array, dims: readonly number[], zp: Tensor | undefined, perColumn: boolean): Float64Array {
  if (!zp) return v;
  const z = f64(zp);
  if (z.length <= 1) return minusZeroPoint(v, zp);
  const cols = dims[dims.length - 1];
  const rows = dims.length > 1 ? dims[dims.length - 2] : 1;
  const r = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) r[i] = v[i] - z[(perColumn ? i % cols : Math.floor(i / cols) % rows) % z.length];
  return r;
}

export const qLinearMatMul = defineOp({
  op: 'QLinearMatMul',
  attrs: () => ({}),
  infer: ([a, , , b, , , , yz]) => [{ kind: 'tensor', dtype: yz?.dtype ?? a?.dtype ?? 'uint8', shape: inferMatmulShape(a?.shape ?? null, b?.shape ?? null) }],
  run([aT, asT, azT, bT, bsT, bzT, ysT, yzT]) {
    const op = 'QLinearMatMul';
    const a = need(op, aT, 'a');
    const b = need(op, bT, 'b');
    const av = shift(f64(a), a.dims, azT, false);
    const bv = shift(f64(b), b.dims, bzT, true);
    const r = matmulCore(op, av, a.dims, bv, b.dims);
    const as = f64(need(op, asT, 'a_scale'));
    const bs = f64(need(op, bsT, 'b_scale'));
    const ys = scalar(ysT, 1);
    const N = r.dims[r.dims.length - 1];
    const M = r.dims.length > 1 ? r.dims[r.dims.length - 2] : 1;
    // the reference multiplies by (a_scale * b_scale / y_scale) computed in the scales' type
    const f32 = asT?.type === 'float32';
    const combine = (x: number, y: number) => (f32 ? Math.fround(Math.fround(x * y) / ys) : (x * y) / ys);
    const scaleOf = (i: number) => combine(as.length > 1 ? as[Math.floor(i / N) % M] : as[0], bs.length > 1 ? bs[i % N] : bs[0]);
    return [requantize(op, r.data, yzT?.type ?? a.type, r.dims, scaleOf, scalar(yzT, 0))];
  },
});
