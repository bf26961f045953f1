// Ops that pick or reorder elements by a condition or per-row lengths: NonZero, Compress,
// ReverseSequence.

import { stridesOf, type Tensor, toNumbers } from '../../tensor';
import { normAxis } from '../broadcast';
import { defineOp, OpError } from '../spec';
import { ints, need, product, take, takeAlong, tensorType } from './util';

/** Whether each element is non-zero (non-empty for strings; NaN counts as non-zero). */
function truthy(t: Tensor): boolean[] {
  if (t.type === 'string') return (t.data as string[]).map((s) => s !== '');
  return Array.from(toNumbers(t), (v) => v !== 0);
}

const nonZero = defineOp({
  op: 'NonZero',
  attrs: () => ({}),
  infer: ([x]) => [tensorType('int64', [x?.shape ? x.shape.length : null, null])],
  run: ([x]) => {
    const t = need('NonZero', x, 'X');
    const rank = t.dims.length;
    const strides = stridesOf(t.dims);
    const hits: number[] = [];
    truthy(t).forEach((nz, i) => nz && hits.push(i));
    const out = new BigInt64Array(rank * hits.length);
    hits.forEach((flat, j) => {
      for (let a = 0; a < rank; a++) out[a * hits.length + j] = BigInt(Math.floor(flat / strides[a]) % t.dims[a]);
    });
    return [{ type: 'int64', dims: [rank, hits.length], data: out }];
  },
});

const compress = defineOp({
  op: 'Compress',
  attrs: (a) => ({ axis: a.int('axis') }),
  infer: ([x], { axis }) => {
    if (!x) return [null];
    if (axis === undefined) return [tensorType(x.dtype, [null])];
    return [tensorType(x.dtype, x.shape ? x.shape.map((d, i) => (i === normAxis('Compress', axis, x.shape!.length) ? null : d)) : null)];
  },
  run: ([x, c], { axis }) => {
    const t = need('Compress', x, 'input');
    const cond = truthy(need('Compress', c, 'condition'));
    if (axis === undefined) {
      // no axis: select from the flattened input; a short condition leaves the tail out
      const picked = cond.slice(0, t.data.length).flatMap((keep, i) => (keep ? [i] : []));
      return [take(t, [picked.length], picked)];
    }
    const a = normAxis('Compress', axis, t.dims.length);
    const dim = t.dims[a];
    if (cond.length > dim) throw new OpError('Compress', `condition has ${cond.length} entries for an axis of size ${dim}`);
    const picked = cond.flatMap((keep, i) => (keep ? [i] : []));
    const outDims = [...t.dims];
    outDims[a] = picked.length;
    return [takeAlong(t, a, picked, outDims)];
  },
});

const reverseSequence = defineOp({
  op: 'ReverseSequence',
  attrs: (a) => ({ batchAxis: a.int('batch_axis', 1), timeAxis: a.int('time_axis', 0) }),
  infer: ([x]) => [x],
  run: ([x, l], { batchAxis, timeAxis }) => {
    const t = need('ReverseSequence', x, 'input');
    const lens = ints(need('ReverseSequence', l, 'sequence_lens'));
    const rank = t.dims.length;
    const b = normAxis('ReverseSequence', batchAxis, rank), ta = normAxis('ReverseSequence', timeAxis, rank);
    if (rank < 2 || b === ta || (b > 1 || ta > 1)) throw new OpError('ReverseSequence', 'batch_axis and time_axis must be 0 and 1 in some order');
    if (lens.length !== t.dims[b]) throw new OpError('ReverseSequence', `sequence_lens needs ${t.dims[b]} entries, got ${lens.length}`);
    const strides = stridesOf(t.dims);
    const inner = product(t.dims, 2);
    const idx = new Int32Array(t.data.length);
    for (let i = 0; i < t.dims[0]; i++) {
      for (let j = 0; j < t.dims[1]; j++) {
        const batch = b === 0 ? i : j, time = b === 0 ? j : i;
        const len = lens[batch];
        const src = time < len ? len - 1 - time : time;
        const srcOff = b === 0 ? batch * strides[0] + src * strides[1] : src * strides[0] + batch * strides[1];
        const dst = i * strides[0] + j * strides[1];
        for (let e = 0; e < inner; e++) idx[dst + e] = srcOff + e;
      }
    }
    return [take(t, t.dims, idx)];
  },
});

export const selectOps = [nonZero, compress, reverseSequence];
