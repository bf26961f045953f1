// Softmax, LogSoftmax and Hardmax. Before opset 13 the input is coerced to 2-D at `axis` (the
// op normalises over all trailing dims together, default axis 1); from 13 it works along one axis
// (default -1).

import { fromNumbers, sizeOf, toNumbers } from '../../tensor';
import { normAxis } from '../broadcast';
import { defineOp, type OpSpec } from '../spec';
import { need, needFloat, sameAsInput } from './util';

/** Normalises one row x[base + k*inner], k < len, into out (same positions). */
type RowKernel = (x: Float64Array, out: Float64Array, base: number, len: number, inner: number) => void;

function rowMax(x: Float64Array, base: number, len: number, inner: number): number {
  let m = -Infinity;
  for (let k = 0; k < len; k++) m = Math.max(m, x[base + k * inner]);
  return m;
}

const KERNELS: Record<string, RowKernel> = {
  Softmax: (x, out, base, len, inner) => {
    const m = rowMax(x, base, len, inner);
    let s = 0;
    for (let k = 0; k < len; k++) {
      const e = Math.exp(x[base + k * inner] - m);
      out[base + k * inner] = e;
      s += e;
    }
    for (let k = 0; k < len; k++) out[base + k * inner] /= s;
  },
  LogSoftmax: (x, out, base, len, inner) => {
    const m = rowMax(x, base, len, inner);
    let s = 0;
    for (let k = 0; k < len; k++) s += Math.exp(x[base + k * inner] - m);
    const lse = m + Math.log(s);
    for (let k = 0; k < len; k++) out[base + k * inner] = x[base + k * inner] - lse;
  },
  Hardmax: (x, out, base, len, inner) => {
    // one-hot of the first maximum; out starts zeroed
    let best = 0;
    for (let k = 1; k < len; k++) if (x[base + k * inner] > x[base + best * inner]) best = k;
    if (len > 0) out[base + best * inner] = 1;
  },
};

interface SoftmaxAttrs {
  readonly axis: number;
  /** opset < 13: flatten to [prod(dims[:axis]), prod(dims[axis:])] */
  readonly coerce2d: boolean;
}

function softmaxSpec(op: string): OpSpec<SoftmaxAttrs> {
  const kernel = KERNELS[op];
  return defineOp<SoftmaxAttrs>({
    op,
    attrs: (a, opset) => ({ axis: a.int('axis', opset < 13 ? 1 : -1), coerce2d: opset < 13 }),
    infer: (inputs) => sameAsInput(inputs),
    run: (inputs, at) => {
      const x = needFloat(op, need(op, inputs[0], 'input'), 'input');
      const rank = x.dims.length;
      const axis = normAxis(op, at.axis, rank);
      const outer = sizeOf(x.dims.slice(0, axis));
      const len = at.coerce2d ? sizeOf(x.dims.slice(axis)) : x.dims[axis] ?? 1;
      const inner = at.coerce2d ? 1 : sizeOf(x.dims.slice(axis + 1));
      const xs = toNumbers(x);
      const out = new Float64Array(xs.length);
      for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) kernel(xs, out, o * len * inner + i, len, inner);
      return [fromNumbers(x.type, x.dims, out)];
    },
  });
}

export const softmaxOps: OpSpec[] = ['Softmax', 'LogSoftmax', 'Hardmax'].map(softmaxSpec);
