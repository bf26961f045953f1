// Gather, GatherElements and GatherND: reading elements at index tensors (negative indices count
// from the end of their axis).

import type { Dim } from '../../ir/graph';
import { allocData, stridesOf, type Tensor } from '../../tensor';
import { normAxis } from '../broadcast';
import { defineOp, OpError } from '../spec';
import { copyRange, ints, need, product, stridedIndex, take, takeAlong, tensorType } from './util';

/** An index checked against an axis of size `dim`, negative ones counted from the end. */
export function checkIndex(op: string, i: number, dim: number): number {
  const j = i < 0 ? i + dim : i;
  if (j < 0 || j >= dim) throw new OpError(op, `index ${i} is out of range for an axis of size ${dim}`);
  return j;
}

const gather = defineOp({
  op: 'Gather',
  attrs: (a) => ({ axis: a.int('axis', 0) }),
  infer: ([x, idx], { axis }) => {
    if (!x) return [null];
    if (!x.shape || !idx?.shape) return [tensorType(x.dtype, null)];
    const a = normAxis('Gather', axis, x.shape.length);
    return [tensorType(x.dtype, [...x.shape.slice(0, a), ...idx.shape, ...x.shape.slice(a + 1)])];
  },
  run: ([x, i], { axis }) => {
    const t = need('Gather', x, 'data');
    const ind = need('Gather', i, 'indices');
    const a = normAxis('Gather', axis, t.dims.length);
    const dim = t.dims[a];
    const idx = ints(ind).map((v) => checkIndex('Gather', v, dim));
    return [takeAlong(t, a, idx, [...t.dims.slice(0, a), ...ind.dims, ...t.dims.slice(a + 1)])];
  },
});

const gatherElements = defineOp({
  op: 'GatherElements',
  attrs: (a) => ({ axis: a.int('axis', 0) }),
  infer: ([x, idx]) => [x ? tensorType(x.dtype, idx?.shape ?? null) : null],
  run: ([x, i], { axis }) => {
    const t = need('GatherElements', x, 'data');
    const ind = need('GatherElements', i, 'indices');
    const rank = t.dims.length;
    if (ind.dims.length !== rank) throw new OpError('GatherElements', `indices must have rank ${rank}, got [${ind.dims.join(',')}]`);
    const a = normAxis('GatherElements', axis, rank);
    const strides = stridesOf(t.dims);
    // position of each index element in data, with the axis coordinate left out (added below)
    const base = stridedIndex(ind.dims, strides.map((s, k) => (k === a ? 0 : s)));
    const idx = ints(ind);
    for (let k = 0; k < idx.length; k++) base[k] += checkIndex('GatherElements', idx[k], t.dims[a]) * strides[a];
    return [take(t, ind.dims, base)];
  },
});

const gatherND = defineOp({
  op: 'GatherND',
  attrs: (a) => ({ batchDims: a.int('batch_dims', 0) }),
  infer: ([x, idx], { batchDims }) => {
    if (!x) return [null];
    const k = idx?.shape?.[idx.shape.length - 1];
    if (!x.shape || !idx?.shape || typeof k !== 'number') return [tensorType(x.dtype, null)];
    return [tensorType(x.dtype, [...idx.shape.slice(0, -1), ...x.shape.slice(batchDims + k)] as Dim[])];
  },
  run: ([x, i], { batchDims: b }) => {
    const t = need('GatherND', x, 'data');
    const ind = need('GatherND', i, 'indices');
    const q = ind.dims.length;
    const k = ind.dims[q - 1];
    if (q < 1 || k + b > t.dims.length || ind.dims.slice(0, b).some((d, j) => d !== t.dims[j])) {
      throw new OpError('GatherND', `indices [${ind.dims.join(',')}] do not fit data [${t.dims.join(',')}] with batch_dims ${b}`);
    }
    const outDims = [...ind.dims.slice(0, q - 1), ...t.dims.slice(b + k)];
    const block = product(t.dims, b + k);
    const tuples = product(ind.dims, 0, q - 1);
    const perBatch = product(ind.dims, b, q - 1); // index tuples per batch entry
    const batchSize = product(t.dims, b); // data elements per batch entry
    const strides = stridesOf(t.dims);
    const idx = ints(ind);
    const out = allocData(t.type, tuples * block);
    for (let p = 0; p < tuples; p++) {
      let src = Math.floor(p / perBatch) * batchSize;
      for (let j = 0; j < k; j++) src += checkIndex('GatherND', idx[p * k + j], t.dims[b + j]) * strides[b + j];
      copyRange(out, p * block, t.data, src, block);
    }
    return [{ type: t.type, dims: outDims, data: out } satisfies Tensor];
  },
});

export const gatherOps = [gather, gatherElements, gatherND];
