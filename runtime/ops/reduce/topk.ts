// TopK: the k largest (or smallest) elements along an axis with their int64 indices. Ties keep
// the lower index first, so results are deterministic (the ONNX tests rely on this).

import { isBigIntType, sizeOf, tensor, toNumbers, type Tensor } from '../../tensor';
import { normAxis } from '../broadcast';
import { defineOp, OpError, type OpSpec } from '../spec';
import { gatherElements, need, scalarInt, splitAt, tensorType } from './util';

interface TopKAttrs {
  readonly axis: number;
  readonly largest: boolean;
  /** opset 1 gives k as an attribute */
  readonly k?: number;
}

export const topKOp = defineOp<TopKAttrs>({
  op: 'TopK',
  attrs: (a) => ({ axis: a.int('axis', -1), largest: a.int('largest', 1) !== 0, k: a.int('k') }),
  infer: ([x], at) => {
    if (!x) return [null, null];
    const shape = x.shape ? x.shape.map((d, i) => (i === (at.axis < 0 ? at.axis + x.shape!.length : at.axis) ? at.k ?? null : d)) : null;
    return [tensorType(x.dtype, shape), tensorType('int64', shape)];
  },
  run: (inputs, at) => {
    const x = need('TopK', inputs[0], 'X');
    if (x.type === 'string' || x.type === 'bool') throw new OpError('TopK', `${x.type} input is not supported`);
    const axis = normAxis('TopK', at.axis, x.dims.length);
    const k = at.k ?? scalarInt('TopK', inputs[1], 'K');
    const { outer, len, inner } = splitAt(x.dims, axis);
    if (k < 0 || k > len) throw new OpError('TopK', `k=${k} must be within [0, ${len}] (the size of axis ${at.axis})`);
    // 64-bit integers are compared as bigints so that large values order exactly
    const keys: ArrayLike<number | bigint> = isBigIntType(x.type) ? (x.data as BigInt64Array) : toNumbers(x);
    const sign = at.largest ? 1 : -1;
    const dims = x.dims.map((d, i) => (i === axis ? k : d));
    const picked = new Int32Array(sizeOf(dims));
    const indices = new BigInt64Array(picked.length);
    const order = new Array<number>(len);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        for (let j = 0; j < len; j++) order[j] = j;
        order.sort((p, q) => {
          const a = keys[base + p * inner];
          const b = keys[base + q * inner];
          if (a === b) return p - q;
          return a > b ? -sign : sign;
        });
        for (let j = 0; j < k; j++) {
          const dst = o * k * inner + j * inner + i;
          picked[dst] = base + order[j] * inner;
          indices[dst] = BigInt(order[j]);
        }
      }
    }
    return [gatherElements(x, picked, dims), tensor('int64', dims, indices) as Tensor];
  },
});

export const topKOps: OpSpec[] = [topKOp];
