// SequenceMap: applies its body to each element of the input sequences (tensors repeat for every
// element) and collects each body output into a sequence.

import type { Graph } from '../../ir/graph';
import { isTensor, type Tensor, type Value } from '../../tensor';
import { defineOp, OpError } from '../spec';

export const sequenceMapOp = defineOp({
  op: 'SequenceMap',
  attrs: (a) => {
    const body = a.graph('body');
    if (!body) throw new OpError('SequenceMap', 'needs a body graph');
    return { body } as { body: Graph };
  },
  runValues(inputs, { body }, ctx) {
    const first = inputs[0];
    if (!first || isTensor(first)) throw new OpError('SequenceMap', 'input 0 must be a sequence');
    const n = first.items.length;
    const at = (v: Value | undefined, i: number): Value => {
      if (v === undefined || v === null) return null;
      if (isTensor(v)) return v;
      if (v.items.length !== n) throw new OpError('SequenceMap', `all sequences must have length ${n}, got ${v.items.length}`);
      return v.items[i];
    };
    const outs: Tensor[][] = body.outputs.map(() => []);
    for (let i = 0; i < n; i++) {
      ctx.runGraph(body, inputs.map((v) => at(v, i))).forEach((v, k) => {
        if (!isTensor(v)) throw new OpError('SequenceMap', 'body outputs must be tensors');
        outs[k].push(v);
      });
    }
    return outs.map((items) => ({ type: 'sequence', items }));
  },
});
