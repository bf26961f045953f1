// Ops that generate tensors from a few numbers: Range, OneHot, EyeLike.

import { allocData, fromNumbers, isBigIntType, type Tensor, toNumbers } from '../../tensor';
import { normAxis } from '../broadcast';
import { defineOp, OpError } from '../spec';
import { dtypeFromCode, elemAt, filled, need, product, setElem, tensorType } from './util';

const range = defineOp({
  op: 'Range',
  attrs: () => ({}),
  infer: ([s]) => [s ? tensorType(s.dtype, [null]) : null],
  run: ([s, l, d]) => {
    const [start, limit, delta] = [s, l, d].map((t, i) => {
      const v = need('Range', t, ['start', 'limit', 'delta'][i]);
      if (v.data.length !== 1) throw new OpError('Range', `${['start', 'limit', 'delta'][i]} must be a scalar`);
      return v;
    });
    const type = start.type;
    if (limit.type !== type || delta.type !== type) throw new OpError('Range', 'start, limit and delta must share one type');
    const [a, b, c] = [start, limit, delta].map((t) => toNumbers(t)[0]);
    if (c === 0) throw new OpError('Range', 'delta must not be 0');
    const n = Math.max(Math.ceil((b - a) / c), 0);
    if (isBigIntType(type)) {
      // exact for the whole int64 range
      const a0 = (start.data as BigInt64Array)[0], c0 = (delta.data as BigInt64Array)[0];
      const out = allocData(type, n) as BigInt64Array;
      for (let i = 0; i < n; i++) out[i] = a0 + BigInt(i) * c0;
      return [{ type, dims: [n], data: out }];
    }
    return [fromNumbers(type, [n], Float64Array.from({ length: n }, (_, i) => a + i * c))];
  },
});

const oneHot = defineOp({
  op: 'OneHot',
  attrs: (a) => ({ axis: a.int('axis', -1) }),
  infer: ([idx, , values], { axis }) => {
    if (!values) return [null];
    if (!idx?.shape) return [tensorType(values.dtype, null)];
    const shape = [...idx.shape];
    shape.splice(normAxis('OneHot', axis, shape.length + 1), 0, null);
    return [tensorType(values.dtype, shape)];
  },
  run: ([i, d, v], { axis }) => {
    const ind = need('OneHot', i, 'indices');
    const values = need('OneHot', v, 'values');
    if (values.data.length !== 2) throw new OpError('OneHot', 'values must hold [off_value, on_value]');
    const depth = Math.trunc(toNumbers(need('OneHot', d, 'depth'))[0]);
    if (!(depth > 0)) throw new OpError('OneHot', `depth must be positive, got ${depth}`);
    const a = normAxis('OneHot', axis, ind.dims.length + 1);
    const outDims = [...ind.dims];
    outDims.splice(a, 0, depth);
    const inner = product(ind.dims, a);
    const out = filled(values.type, product(outDims), elemAt(values, 0));
    const on = elemAt(values, 1);
    const idx = toNumbers(ind);
    for (let k = 0; k < idx.length; k++) {
      let j = Math.trunc(idx[k]);
      if (j < 0) j += depth;
      if (j < 0 || j >= depth) continue; // out of range: the row stays all off_value
      const o = Math.floor(k / inner), r = k % inner;
      setElem(out, (o * depth + j) * inner + r, on);
    }
    return [{ type: values.type, dims: outDims, data: out }];
  },
});

const eyeLike = defineOp({
  op: 'EyeLike',
  attrs: (a) => ({ dtype: a.has('dtype') ? dtypeFromCode('EyeLike', a.int('dtype', 1)) : undefined, k: a.int('k', 0) }),
  infer: ([x], { dtype }) => [x ? tensorType(dtype ?? x.dtype, x.shape) : null],
  run: ([x], { dtype, k }) => {
    const t = need('EyeLike', x, 'input');
    if (t.dims.length !== 2) throw new OpError('EyeLike', `input must be 2-D, got [${t.dims.join(',')}]`);
    const type = dtype ?? t.type;
    if (type === 'string') throw new OpError('EyeLike', 'cannot make a string identity');
    const [rows, cols] = t.dims;
    const out = allocData(type, rows * cols);
    const one = elemAt(fromNumbers(type, [1], [1]), 0);
    for (let r = 0; r < rows; r++) {
      const c = r + k;
      if (c >= 0 && c < cols) setElem(out, r * cols + c, one);
    }
    return [{ type, dims: [rows, cols], data: out } satisfies Tensor];
  },
});

export const generateOps = [range, oneHot, eyeLike];
