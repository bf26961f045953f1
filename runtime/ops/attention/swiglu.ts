// SwiGLU (opset 28): y = Swish(a, alpha) * b = a * sigmoid(alpha * a) * b, broadcast numpy-style.

import { fromNumbers, toNumbers } from '../../tensor';
import { broadcastShapes } from '../broadcast';
import { defineOp } from '../spec';
import { broadcastTo, need, needFloat } from './util';

const OP = 'SwiGLU';

export const swigluSpec = defineOp<{ alpha: number }>({
  op: OP,
  attrs: (a) => ({ alpha: a.float('alpha', 1) }),
  infer: (inputs) => [inputs[0] ?? null],
  run: (inputs, at) => {
    const a = needFloat(OP, need(OP, inputs[0], 'A'), 'A');
    const b = need(OP, inputs[1], 'B');
    const dims = broadcastShapes(OP, [a.dims, b.dims]);
    const av = broadcastTo(toNumbers(a), a.dims, dims), bv = broadcastTo(toNumbers(b), b.dims, dims);
    const out = new Float64Array(av.length);
    for (let i = 0; i < out.length; i++) out[i] = (av[i] / (1 + Math.exp(-at.alpha * av[i]))) * bv[i];
    return [fromNumbers(a.type, dims, out)];
  },
});
