// ArgMax and ArgMin: the int64 index of the extreme element along one axis (first or last on ties).

import { tensor, toNumbers } from '../../tensor';
import { normAxis } from '../broadcast';
import { defineOp, OpError, type OpSpec } from '../spec';
import { need, reducedShape, splitAt, tensorType } from './util';

interface ArgAttrs {
  readonly axis: number;
  readonly keepdims: boolean;
  readonly selectLast: boolean;
}

function argSpec(op: 'ArgMax' | 'ArgMin'): OpSpec<ArgAttrs> {
  const better = op === 'ArgMax' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  return defineOp<ArgAttrs>({
    op,
    attrs: (a) => ({
      axis: a.int('axis', 0),
      keepdims: a.int('keepdims', 1) !== 0,
      selectLast: a.int('select_last_index', 0) !== 0,
    }),
    infer: ([x], at) => [x ? tensorType('int64', reducedShape(x.shape, [at.axis], at.keepdims)) : null],
    run: (inputs, at) => {
      const x = need(op, inputs[0], 'data');
      const rank = x.dims.length;
      const axis = normAxis(op, at.axis, rank);
      const { outer, len, inner } = splitAt(x.dims, axis);
      if (len === 0) throw new OpError(op, `axis ${at.axis} has size 0`);
      const xs = toNumbers(x);
      const out = new BigInt64Array(outer * inner);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const base = o * len * inner + i;
          let best = 0;
          let bv = xs[base];
          for (let k = 1; k < len; k++) {
            const v = xs[base + k * inner];
            if (better(v, bv) || (at.selectLast && v === bv)) {
              best = k;
              bv = v;
            }
          }
          out[o * inner + i] = BigInt(best);
        }
      }
      const dims = x.dims.flatMap((d, i) => (i !== axis ? [d] : at.keepdims ? [1] : []));
      return [tensor('int64', dims, out)];
    },
  });
}

export const argOps: OpSpec[] = [argSpec('ArgMax'), argSpec('ArgMin')];
