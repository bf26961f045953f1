// CausalConvWithState (opset 27): depthwise causal 1-D convolution over [B, C, L] with a carried
// state: the last K-1 inputs of the previous call (zeros when absent) are prepended, the output
// keeps length L, optional SiLU ('silu'/'swish'), and the new state is the last K-1 inputs.

import { fromNumbers, toNumbers } from '../../tensor';
import { defineOp, OpError } from '../spec';
import { need, needFloat, tensorType } from './util';

const OP = 'CausalConvWithState';

export const causalConvSpec = defineOp<{ silu: boolean }>({
  op: OP,
  attrs: (a) => {
    const act = a.string('activation', 'none');
    if (!['none', 'silu', 'swish'].includes(act)) throw new OpError(OP, `unknown activation '${act}'`);
    return { silu: act !== 'none' };
  },
  infer: (inputs) => {
    const x = inputs[0], w = inputs[1];
    const k = w?.shape?.[2];
    return [x ?? null, tensorType(x, x?.shape ? [x.shape[0], x.shape[1], typeof k === 'number' ? k - 1 : null] : null)];
  },
  run: (inputs, at) => {
    const x = needFloat(OP, need(OP, inputs[0], 'input'), 'input');
    const w = need(OP, inputs[1], 'weight');
    const [bias, past] = [inputs[2], inputs[3]];
    if (x.dims.length !== 3) throw new OpError(OP, `input must be [B, C, L], got [${x.dims.join(',')}]`);
    const [b, c, l] = x.dims;
    if (w.dims.length !== 3 || w.dims[0] !== c || w.dims[1] !== 1) {
      throw new OpError(OP, `weight must be depthwise [${c}, 1, K], got [${w.dims.join(',')}]`);
    }
    const kk = w.dims[2], p = kk - 1, len = p + l;
    if (past && (past.dims.length !== 3 || past.dims[0] !== b || past.dims[1] !== c || past.dims[2] !== p)) {
      throw new OpError(OP, `past_state must be [${b}, ${c}, ${p}], got [${past.dims.join(',')}]`);
    }
    const xs = toNumbers(x), ws = toNumbers(w), bs = bias ? toNumbers(bias) : undefined;
    const ps = past ? toNumbers(past) : undefined;
    const out = new Float64Array(b * c * l), state = new Float64Array(b * c * p);
    const padded = new Float64Array(len);
    for (let bc = 0; bc < b * c; bc++) {
      const ch = bc % c;
      padded.fill(0, 0, p);
      if (ps) padded.set(ps.subarray(bc * p, (bc + 1) * p));
      padded.set(xs.subarray(bc * l, (bc + 1) * l), p);
      for (let i = 0; i < l; i++) {
        let s = bs ? bs[ch] : 0;
        for (let j = 0; j < kk; j++) s += ws[ch * kk + j] * padded[i + j];
        out[bc * l + i] = at.silu ? s / (1 + Math.exp(-s)) : s;
      }
      state.set(padded.subarray(len - p), bc * p);
    }
    return [fromNumbers(x.type, x.dims, out), fromNumbers(past?.type ?? x.type, [b, c, p], state)];
  },
});
