// LpNormalization (divide by the L1/L2 norm along an axis) and LRN (local response normalisation
// across neighbouring channels).

import { fromNumbers, toNumbers } from '../../tensor';
import { normAxis } from '../broadcast';
import { defineOp, OpError, type OpSpec } from '../spec';
import { need, needFloat, sameAsInput, splitAt } from './util';

export const lpNormOp = defineOp<{ axis: number; p: number }>({
  op: 'LpNormalization',
  attrs: (a) => ({ axis: a.int('axis', -1), p: a.int('p', 2) }),
  infer: (inputs) => sameAsInput(inputs),
  run: (inputs, at) => {
    const op = 'LpNormalization';
    if (at.p !== 1 && at.p !== 2) throw new OpError(op, `p must be 1 or 2, got ${at.p}`);
    const x = needFloat(op, need(op, inputs[0], 'input'), 'input');
    const { outer, len, inner } = splitAt(x.dims, normAxis(op, at.axis, x.dims.length));
    const xs = toNumbers(x);
    const y = new Float64Array(xs.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        let s = 0;
        for (let k = 0; k < len; k++) {
          const v = xs[base + k * inner];
          s += at.p === 1 ? Math.abs(v) : v * v;
        }
        const norm = at.p === 1 ? s : Math.sqrt(s);
        // an all-zero slice stays zero rather than becoming NaN
        const f = norm === 0 ? 0 : 1 / norm;
        for (let k = 0; k < len; k++) y[base + k * inner] = xs[base + k * inner] * f;
      }
    }
    return [fromNumbers(x.type, x.dims, y)];
  },
});

interface LrnAttrs {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly bias: number;
}

export const lrnOp = defineOp<LrnAttrs>({
  op: 'LRN',
  attrs: (a) => ({ size: a.int('size', 0), alpha: a.float('alpha', 1e-4), beta: a.float('beta', 0.75), bias: a.float('bias', 1) }),
  infer: (inputs) => sameAsInput(inputs),
  run: (inputs, at) => {
    const op = 'LRN';
    if (at.size <= 0) throw new OpError(op, `attribute 'size' must be positive, got ${at.size}`);
    const x = needFloat(op, need(op, inputs[0], 'X'));
    if (x.dims.length < 3) throw new OpError(op, `X must be (N, C, D1, …), got [${x.dims.join(',')}]`);
    const { outer, len: c, inner } = splitAt(x.dims, 1);
    // the window over channels is [c - floor((size-1)/2), c + ceil((size-1)/2)]
    const lo = Math.floor((at.size - 1) / 2);
    const hi = Math.ceil((at.size - 1) / 2);
    const xs = toNumbers(x);
    const y = new Float64Array(xs.length);
    const scale = at.alpha / at.size;
    for (let o = 0; o < outer; o++) {
      for (let ch = 0; ch < c; ch++) {
        const from = Math.max(0, ch - lo);
        const to = Math.min(c - 1, ch + hi);
        for (let i = 0; i < inner; i++) {
          let s = 0;
          for (let k = from; k <= to; k++) {
            const v = xs[(o * c + k) * inner + i];
            s += v * v;
          }
          const p = (o * c + ch) * inner + i;
          y[p] = xs[p] / Math.pow(at.bias + scale * s, at.beta);
        }
      }
    }
    return [fromNumbers(x.type, x.dims, y)];
  },
});

export const lpLrnOps: OpSpec[] = [lpNormOp, lrnOp];
