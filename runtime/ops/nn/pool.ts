// Windowed pools: MaxPool (with the optional Indices output), AveragePool and LpPool, 1-3-D,
// sharing one window walker over a [N*C, D, H, W] view; MaxUnpool scatters MaxPool's indices back.

import type { TensorType } from '../../ir/graph';
import { defineOp, OpError, type Attrs } from '../spec';
import { toInts, type Tensor } from '../../tensor';
import { f64, geometry, inferSpatial, need, out, readSpatialAttrs, to3, type Geometry, type SpatialAttrs } from './util';

type Reduce = 'max' | 'avg' | 'lp';

interface PoolAttrs extends SpatialAttrs {
  readonly countIncludePad: boolean;
  readonly storageOrder: number;
  readonly p: number;
}

function readPoolAttrs(a: Attrs, op: string): PoolAttrs {
  const s = readSpatialAttrs(a, op);
  if (!s.kernelShape) throw new OpError(op, 'attribute kernel_shape is required');
  return { ...s, countIncludePad: a.int('count_include_pad', 0) !== 0, storageOrder: a.int('storage_order', 0), p: a.float('p', 2) };
}

function poolGeometry(op: string, x: Tensor, at: PoolAttrs): Geometry {
  const r = x.dims.length - 2;
  if (r < 1 || r > 3) throw new OpError(op, `input must have rank 3 to 5 ([N, C, ...spatial]), got [${x.dims.join(',')}]`);
  return geometry(op, x.dims.slice(2), at.kernelShape ?? [], at);
}

/**
 * Runs a pool over x; returns values and, for max with `withIndices`, the flat argmax indices
 * (row-major, or column-major over the spatial dims when storage_order is 1).
 */
function poolCore(x: Float64Array, dims: readonly number[], geo: Geometry, kind: Reduce, at: PoolAttrs, withIndices: boolean): { y: Float64Array; idx?: Float64Array } {
  const NC = dims[0] * dims[1];
  const sp = dims.slice(2);
  const [ID, IH, IW] = to3(sp, 1);
  const [KD, KH, KW] = to3(geo.kernel, 1);
  const [SD, SH, SW] = to3(geo.strides, 1);
  const [DD, DH, DW] = to3(geo.dilations, 1);
  const [PD, PH, PW] = to3(geo.padBegin, 0);
  const [ED, EH, EW] = to3(geo.padEnd, 0);
  const [OD, OH, OW] = to3(geo.out, 1);
  const inSize = ID * IH * IW;
  const P = OD * OH * OW;
  const y = new Float64Array(NC * P);
  const idx = withIndices ? new Float64Array(NC * P) : undefined;
  const colMajor = at.storageOrder === 1;
  const p = at.p;
  for (let nc = 0; nc < NC; nc++) {
    const base = nc * inSize;
    for (let od = 0; od < OD; od++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const z0 = od * SD - PD, y0 = oh * SH - PH, x0 = ow * SW - PW;
          let acc = kind === 'max' ? -Infinity : 0;
          let arg = -1;
          let count = 0; // taps inside the input
          let padded = 0; // taps inside input + pads (count_include_pad divisor)
          for (let kd = 0; kd < KD; kd++) {
            const iz = z0 + kd * DD;
            if (iz < -PD || iz >= ID + ED) continue;
            const inZ = iz >= 0 && iz < ID;
            for (let kh = 0; kh < KH; kh++) {
              const iy = y0 + kh * DH;
              if (iy < -PH || iy >= IH + EH) continue;
              const inY = inZ && iy >= 0 && iy < IH;
              for (let kw = 0; kw < KW; kw++) {
                const ix = x0 + kw * DW;
                if (ix < -PW || ix >= IW + EW) continue;
                padded++;
                if (!inY || ix < 0 || ix >= IW) continue;
                count++;
                const at = base + (iz * IH + iy) * IW + ix;
                const v = x[at];
                if (kind === 'max') {
                  if (v > acc || arg < 0) {
                    acc = v;
                    arg = colMajor ? nc * inSize + iz + ID * (iy + IH * ix) : at;
                  }
                } else if (kind === 'avg') acc += v;
                else acc += Math.pow(Math.abs(v), p);
              }
            }
          }
          const o = nc * P + (od * OH + oh) * OW + ow;
          if (kind === 'avg') acc = acc / (at.countIncludePad ? padded : count);
          else if (kind === 'lp') acc = Math.pow(acc, 1 / p);
          y[o] = acc;
          if (idx) idx[o] = arg;
        }
      }
    }
  }
  return { y, idx };
}

function inferPool(x: TensorType | null, at: PoolAttrs, indices: boolean): (TensorType | null)[] {
  if (!x) return indices ? [null, null] : [null];
  const shape = x.shape ? [x.shape[0], x.shape[1], ...inferSpatial(x.shape.slice(2), at.kernelShape, at)] : null;
  const y: TensorType = { kind: 'tensor', dtype: x.dtype, shape };
  return indices ? [y, { kind: 'tensor', dtype: 'int64', shape }] : [y];
}

function makePool(op: string, kind: Reduce) {
  return defineOp<PoolAttrs>({
    op,
    attrs: (a) => readPoolAttrs(a, op),
    infer: ([x], at) => inferPool(x, at, kind === 'max'),
    run([xT], at, ctx) {
      const x = need(op, xT, 'X');
      if (x.type === 'bool' || x.type === 'string') throw new OpError(op, `input must be numeric, got ${x.type}`);
      const geo = poolGeometry(op, x, at);
      const dims = [x.dims[0], x.dims[1], ...geo.out];
      const r = poolCore(f64(x), x.dims, geo, kind, at, kind === 'max' && ctx.numOutputs > 1);
      const res = [out(x.type, dims, r.y)];
      if (r.idx) res.push(out('int64', dims, r.idx));
      return res;
    },
  });
}

export const maxPool = makePool('MaxPool', 'max');
export const averagePool = makePool('AveragePool', 'avg');
export const lpPool = makePool('LpPool', 'lp');

interface UnpoolAttrs {
  readonly kernelShape: readonly number[];
  readonly strides?: readonly number[];
  readonly pads?: readonly number[];
}

export const maxUnpool = defineOp<UnpoolAttrs>({
  op: 'MaxUnpool',
  attrs(a) {
    const k = a.ints('kernel_shape');
    if (!k) throw new OpError('MaxUnpool', 'attribute kernel_shape is required');
    return { kernelShape: k, strides: a.ints('strides'), pads: a.ints('pads') };
  },
  infer: ([x]) => [x ? { kind: 'tensor', dtype: x.dtype, shape: x.shape ? x.shape.map(() => null) : null } : null],
  run([xT, iT, shapeT], at) {
    const x = need('MaxUnpool', xT, 'X');
    const ind = need('MaxUnpool', iT, 'I');
    const r = x.dims.length - 2;
    const k = at.kernelShape;
    const s = at.strides ?? new Array<number>(r).fill(1);
    const p = at.pads ?? new Array<number>(2 * r).fill(0);
    // indices address the pooled-from shape; an explicit output_shape only adds zeros after it
    const inferred = [x.dims[0], x.dims[1], ...x.dims.slice(2).map((d, i) => (d - 1) * s[i] + k[i] - p[i] - p[i + r])];
    const dims = shapeT ? toInts(shapeT) : inferred;
    if (dims.length !== inferred.length || dims.some((d, i) => d < inferred[i])) {
      throw new OpError('MaxUnpool', `output_shape [${dims.join(',')}] must be at least [${inferred.join(',')}]`);
    }
    const size = inferred.reduce((a, b) => a * b, 1);
    const y0 = new Float64Array(size);
    const xv = f64(x);
    const iv = f64(ind);
    for (let i = 0; i < xv.length; i++) {
      const j = iv[i];
      if (j < 0 || j >= size) throw new OpError('MaxUnpool', `index ${j} is outside the output of ${size} elements`);
      y0[j] = xv[i];
    }
    const y = dims.every((d, i) => d === inferred[i]) ? y0 : embed(y0, inferred, dims);
    return [out(x.type, dims, y)];
  },
});

/** Copies a row-major tensor of shape `small` into the leading corner of a zero tensor of shape `big`. */
function embed(src: Float64Array, small: readonly number[], big: readonly number[]): Float64Array {
  const dst = new Float64Array(big.reduce((a, b) => a * b, 1));
  const r = small.length;
  const rowLen = small[r - 1];
  const rows = src.length / rowLen;
  for (let row = 0; row < rows; row++) {
    // the multi-index of this row in `small`, re-addressed in `big`
    let rem = row;
    let off = 0;
    let stride = big[r - 1];
    for (let a = r - 2; a >= 0; a--) {
      off += (rem % small[a]) * stride;
      rem = Math.floor(rem / small[a]);
      stride *= big[a];
    }
    dst.set(src.subarray(row * rowLen, (row + 1) * rowLen), off);
  }
  return dst;
}
