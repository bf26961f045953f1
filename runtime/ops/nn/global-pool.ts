// GlobalAveragePool, GlobalMaxPool and GlobalLpPool: one value per (n, c) over all spatial dims.

import { defineOp, OpError } from '../spec';
import { f64, need, out } from './util';

type Reduce = (v: Float64Array, start: number, end: number, p: number) => number;

const reducers: Record<string, Reduce> = {
  GlobalAveragePool(v, s, e) {
    let acc = 0;
    for (let i = s; i < e; i++) acc += v[i];
    return acc / (e - s);
  },
  GlobalMaxPool(v, s, e) {
    let acc = -Infinity;
    for (let i = s; i < e; i++) if (v[i] > acc) acc = v[i];
    return acc;
  },
  GlobalLpPool(v, s, e, p) {
    let acc = 0;
    for (let i = s; i < e; i++) acc += Math.pow(Math.abs(v[i]), p);
    return Math.pow(acc, 1 / p);
  },
};

function makeGlobalPool(op: string) {
  const reduce = reducers[op];
  return defineOp<{ p: number }>({
    op,
    attrs: (a) => ({ p: a.float('p', 2) }),
    infer: ([x]) => [x ? { kind: 'tensor', dtype: x.dtype, shape: x.shape ? x.shape.map((d, i) => (i < 2 ? d : 1)) : null } : null],
    run([xT], at) {
      const x = need(op, xT, 'X');
      if (x.dims.length < 2) throw new OpError(op, `input must be [N, C, ...spatial], got [${x.dims.join(',')}]`);
      const NC = x.dims[0] * x.dims[1];
      const S = x.dims.slice(2).reduce((a, b) => a * b, 1);
      const v = f64(x);
      const y = new Float64Array(NC);
      for (let i = 0; i < NC; i++) y[i] = reduce(v, i * S, (i + 1) * S, at.p);
      return [out(x.type, x.dims.map((d, i) => (i < 2 ? d : 1)), y)];
    },
  });
}

export const globalAveragePool = makeGlobalPool('GlobalAveragePool');
export const globalMaxPool = makeGlobalPool('GlobalMaxPool');
export const globalLpPool = makeGlobalPool('GlobalLpPool');
