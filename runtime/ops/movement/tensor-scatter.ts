// TensorScatter (opset 24): writes `update` into a copy of a KV cache along the sequence axis,
// starting per batch at write_indices[b] (0 when omitted); 'circular' mode wraps the positions.

import { normAxis } from '../broadcast';
import { defineOp, OpError } from '../spec';
import { copyData, copyRange, ints, need, product } from './util';

const OP = 'TensorScatter';

export const tensorScatter = defineOp<{ axis: number; circular: boolean }>({
  op: OP,
  attrs: (a) => {
    const mode = a.string('mode', 'linear');
    if (mode !== 'linear' && mode !== 'circular') throw new OpError(OP, `unknown mode '${mode}'`);
    return { axis: a.int('axis', -2), circular: mode === 'circular' };
  },
  infer: (inputs) => [inputs[0] ?? null],
  run: (inputs, at) => {
    const past = need(OP, inputs[0], 'past_cache'), upd = need(OP, inputs[1], 'update');
    const rank = past.dims.length;
    const axis = normAxis(OP, at.axis, rank);
    if (axis === 0) throw new OpError(OP, `axis must not be the batch axis`);
    if (upd.dims.length !== rank || upd.dims.some((d, i) => i !== axis && d !== past.dims[i])) {
      throw new OpError(OP, `update [${upd.dims.join(',')}] does not match past_cache [${past.dims.join(',')}] off axis ${axis}`);
    }
    const batch = past.dims[0], maxSeq = past.dims[axis], seq = upd.dims[axis];
    const starts = inputs[2] ? ints(inputs[2]) : new Array<number>(batch).fill(0);
    const mid = product(past.dims, 1, axis); // axes between batch and the sequence axis
    const inner = product(past.dims, axis + 1);
    const out = copyData(past.data);
    for (let b = 0; b < batch; b++)
      for (let m = 0; m < mid; m++)
        for (let s = 0; s < seq; s++) {
          let pos = starts[b] + s;
          if (at.circular) pos = ((pos % maxSeq) + maxSeq) % maxSeq;
          if (pos < 0 || pos >= maxSeq) throw new OpError(OP, `write position ${pos} is outside [0, ${maxSeq})`);
          const dst = ((b * mid + m) * maxSeq + pos) * inner;
          const src = ((b * mid + m) * seq + s) * inner;
          copyRange(out, dst, upd.data, src, inner);
        }
    return [{ type: past.type, dims: [...past.dims], data: out }];
  },
});
