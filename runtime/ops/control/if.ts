// If: runs one of two subgraphs, which see the enclosing graph's values by name.

import type { Graph } from '../../ir/graph';
import { isTensor } from '../../tensor';
import { defineOp, OpError } from '../spec';

export const ifOp = defineOp({
  op: 'If',
  attrs: (a) => {
    const thenBranch = a.graph('then_branch'), elseBranch = a.graph('else_branch');
    if (!thenBranch || !elseBranch) throw new OpError('If', 'needs then_branch and else_branch graphs');
    return { thenBranch, elseBranch } as { thenBranch: Graph; elseBranch: Graph };
  },
  runValues([cond], { thenBranch, elseBranch }, ctx) {
    if (!isTensor(cond) || cond.data.length !== 1) throw new OpError('If', 'cond must be a tensor with one element');
    return ctx.runGraph(cond.data[0] ? thenBranch : elseBranch, []);
  },
});
