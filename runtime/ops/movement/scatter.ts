// ScatterElements, Scatter (its deprecated alias) and ScatterND: a copy of data with updates written
// at index positions, optionally combined with the old value (reduction add/mul/max/min).

import { type DType, fromNumbers, stridesOf, type Tensor, toNumbers } from '../../tensor';
import { normAxis } from '../broadcast';
import { defineOp, NotSupportedOpError, OpError } from '../spec';
import { checkIndex } from './gather';
import { copyData, type Elems, ints, need, product, stridedIndex, tensorType } from './util';

type Reduction = 'none' | 'add' | 'mul' | 'max' | 'min';
type Combine = (old: unknown, upd: unknown) => unknown;

const REDUCTIONS: Record<Reduction, Combine> = {
  none: (_, u) => u,
  // mixed number/bigint never happens: both sides come from tensors of one type
  add: (a, b) => (a as number) + (b as number),
  mul: (a, b) => (a as number) * (b as number),
  max: (a, b) => ((a as number) >= (b as number) || Number.isNaN(a) ? a : b),
  min: (a, b) => ((a as number) <= (b as number) || Number.isNaN(a) ? a : b),
};

function reductionOf(op: string, r: string): Reduction {
  if (r in REDUCTIONS) return r as Reduction;
  throw new OpError(op, `reduction must be none, add, mul, max or min, got '${r}'`);
}

/**
 * Runs `write(out, upd, combine)` on a copy of `data`. Half-precision data is widened to float32
 * for a reduction (its elements are raw bits) and narrowed back after; bools stay 0/1.
 */
function scatterInto(
  op: string,
  data: Tensor,
  updates: Tensor,
  reduction: Reduction,
  write: (out: Elems, upd: Elems, combine: Combine) => void,
): Tensor {
  if (updates.type !== data.type) throw new OpError(op, `updates must be ${data.type}, got ${updates.type}`);
  const combine = REDUCTIONS[reduction];
  if (reduction === 'none') {
    const out = copyData(data.data);
    write(out as unknown as Elems, updates.data as unknown as Elems, combine);
    return { type: data.type, dims: [...data.dims], data: out };
  }
  if (data.type === 'string') throw new NotSupportedOpError(op, `reduction '${reduction}' on strings`);
  const half: DType[] = ['float16', 'bfloat16'];
  if (half.includes(data.type)) {
    const wide = scatterInto(op, fromNumbers('float32', data.dims, toNumbers(data)), fromNumbers('float32', updates.dims, toNumbers(updates)), reduction, write);
    return fromNumbers(data.type, data.dims, toNumbers(wide));
  }
  const out = copyData(data.data);
  const c: Combine = data.type === 'bool' ? (a, b) => (combine(a, b) ? 1 : 0) : combine;
  write(out as unknown as Elems, updates.data as unknown as Elems, c);
  return { type: data.type, dims: [...data.dims], data: out };
}

function scatterElements(op: string, data: Tensor, ind: Tensor, updates: Tensor, axis: number, reduction: Reduction): Tensor {
  const rank = data.dims.length;
  if (ind.dims.length !== rank || updates.dims.length !== rank || ind.dims.some((d, i) => d !== updates.dims[i])) {
    throw new OpError(op, `indices [${ind.dims.join(',')}] and updates [${updates.dims.join(',')}] must share one shape of rank ${rank}`);
  }
  const a = normAxis(op, axis, rank);
  const strides = stridesOf(data.dims);
  const target = stridedIndex(ind.dims, strides.map((s, k) => (k === a ? 0 : s)));
  const idx = ints(ind);
  for (let k = 0; k < idx.length; k++) target[k] += checkIndex(op, idx[k], data.dims[a]) * strides[a];
  return scatterInto(op, data, updates, reduction, (out, upd, combine) => {
    for (let k = 0; k < target.length; k++) out[target[k]] = combine(out[target[k]], upd[k]);
  });
}

const scatterElementsOp = defineOp({
  op: 'ScatterElements',
  attrs: (a) => ({ axis: a.int('axis', 0), reduction: reductionOf('ScatterElements', a.string('reduction', 'none')) }),
  infer: ([x]) => [x],
  run: ([x, i, u], { axis, reduction }) => [
    scatterElements('ScatterElements', need('ScatterElements', x, 'data'), need('ScatterElements', i, 'indices'), need('ScatterElements', u, 'updates'), axis, reduction),
  ],
});

const scatterOp = defineOp({
  op: 'Scatter',
  attrs: (a) => ({ axis: a.int('axis', 0) }),
  infer: ([x]) => [x],
  run: ([x, i, u], { axis }) => [
    scatterElements('Scatter', need('Scatter', x, 'data'), need('Scatter', i, 'indices'), need('Scatter', u, 'updates'), axis, 'none'),
  ],
});

const scatterND = defineOp({
  op: 'ScatterND',
  attrs: (a) => ({ reduction: reductionOf('ScatterND', a.string('reduction', 'none')) }),
  infer: ([x]) => [x ? tensorType(x.dtype, x.shape) : null],
  run: ([x, i, u], { reduction }) => {
    const data = need('ScatterND', x, 'data');
    const ind = need('ScatterND', i, 'indices');
    const updates = need('ScatterND', u, 'updates');
    const q = ind.dims.length;
    const k = ind.dims[q - 1];
    const want = [...ind.dims.slice(0, q - 1), ...data.dims.slice(k)];
    if (q < 1 || k > data.dims.length || want.length !== updates.dims.length || want.some((d, j) => d !== updates.dims[j])) {
      throw new OpError('ScatterND', `updates [${updates.dims.join(',')}] must have shape [${want.join(',')}] for indices [${ind.dims.join(',')}]`);
    }
    const block = product(data.dims, k);
    const tuples = product(ind.dims, 0, q - 1);
    const strides = stridesOf(data.dims);
    const idx = ints(ind);
    return [
      scatterInto('ScatterND', data, updates, reduction, (out, upd, combine) => {
        for (let p = 0; p < tuples; p++) {
          let dst = 0;
          for (let j = 0; j < k; j++) dst += checkIndex('ScatterND', idx[p * k + j], data.dims[j]) * strides[j];
          for (let e = 0; e < block; e++) out[dst + e] = combine(out[dst + e], upd[p * block + e]);
        }
      }),
    ];
  },
});

export const scatterOps = [scatterElementsOp, scatterOp, scatterND];
