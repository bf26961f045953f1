// Loop: runs its body until the trip count or the condition ends it, carrying values between
// iterations and stacking the per-iteration scan outputs.

import type { Graph } from '../../ir/graph';
import { isTensor, tensor, type Tensor, type Value } from '../../tensor';
import { defineOp, OpError } from '../spec';
import { stack } from './stack';

/** Guards against a body whose condition never turns false and no trip count. */
const MAX_ITERATIONS = 10_000_000;

export const loopOp = defineOp({
  op: 'Loop',
  attrs: (a) => {
    const body = a.graph('body');
    if (!body) throw new OpError('Loop', 'needs a body graph');
    return { body } as { body: Graph };
  },
  runValues([maxTrip, cond, ...carried], { body }, ctx) {
    const scalar = (v: Value | undefined, what: string): number | bigint | undefined => {
      if (v === undefined || v === null) return undefined;
      if (!isTensor(v) || v.data.length !== 1) throw new OpError('Loop', `${what} must be a one-element tensor`);
      return v.data[0] as number | bigint;
    };
    const trips = scalar(maxTrip, 'M');
    const limit = trips === undefined ? MAX_ITERATIONS : Number(trips);
    let go = scalar(cond, 'cond') ?? 1;
    let state: Value[] = carried.map((v) => v ?? null);
    const nCarried = state.length;
    const scans: Tensor[][] = [];
    let i = 0;
    for (; i < limit && go; i++) {
      const iter = tensor('int64', [], new BigInt64Array([BigInt(i)]));
      const condIn = tensor('bool', [], new Uint8Array([1]));
      const outs = ctx.runGraph(body, [iter, condIn, ...state]);
      go = scalar(outs[0], 'the body\'s condition output') ?? 1;
      state = outs.slice(1, 1 + nCarried);
      outs.slice(1 + nCarried).forEach((v, k) => {
        if (!isTensor(v)) throw new OpError('Loop', 'scan outputs must be tensors');
        (scans[k] ??= []).push(v);
      });
    }
    if (i >= MAX_ITERATIONS) throw new OpError('Loop', `ran ${MAX_ITERATIONS} iterations without its condition turning false`);
    const nScan = body.outputs.length - 1 - nCarried;
    const scanOuts: Value[] = [];
    for (let k = 0; k < nScan; k++) {
      // With zero iterations the stacked output is empty; its element shape is unknown, so rank 1.
      scanOuts.push(scans[k]?.length ? stack('Loop', scans[k]) : emptyScan(body, 1 + nCarried + k));
    }
    return [...state, ...scanOuts];
  },
});

function emptyScan(body: Graph, outIndex: number): Tensor {
  const t = body.outputs[outIndex].type;
  const dtype = t?.kind === 'tensor' ? t.dtype : 'float32';
  return tensor(dtype, [0]);
}
