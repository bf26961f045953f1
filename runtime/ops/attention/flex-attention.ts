// FlexAttention (ai.onnx.preview 1): softmax(score_mod(scale · Q·Kᵀ)) → prob_mod → ·V over 4-D
// [B, H, S, D] inputs, with grouped-query heads. score_mod and prob_mod are optional subgraphs
// that map the whole [B, Hq, L, S] score (probability) tensor to a new one of the same shape.

import type { Graph } from '../../ir/graph';
import { fromNumbers, isTensor, type Tensor, toNumbers } from '../../tensor';
import { defineOp, OpError, type RunContext } from '../spec';
import { probsTimesV, qkScores } from './sdpa';
import { need, needFloat, tensorType } from './util';

const OP = 'FlexAttention';

interface FlexAttrs {
  readonly scale: number | undefined;
  readonly scoreMod: Graph | undefined;
  readonly probMod: Graph | undefined;
}

/** Runs a modifier subgraph over a float tensor of `dims` and returns its values. */
function applyMod(ctx: RunContext, g: Graph, what: string, values: Float64Array, dims: number[], type: 'float32' | 'float64'): Float64Array {
  const [out] = ctx.runGraph(g, [fromNumbers(type, dims, values)]);
  if (!isTensor(out)) throw new OpError(OP, `${what} must return a tensor`);
  if (out.dims.length !== dims.length || out.dims.some((d, i) => d !== dims[i])) {
    throw new OpError(OP, `${what} changed the shape [${dims.join(',')}] to [${out.dims.join(',')}]`);
  }
  return toNumbers(out);
}

const heads = (t: Tensor, what: string) => {
  if (t.dims.length !== 4) throw new OpError(OP, `'${what}' must be 4-D [B, H, S, D], got [${t.dims.join(',')}]`);
  return { data: toNumbers(t), dims: t.dims };
};

export const flexAttentionSpec = defineOp<FlexAttrs>({
  op: OP,
  domain: 'ai.onnx.preview',
  attrs: (a) => ({
    scale: a.has('scale') ? a.float('scale', 1) : undefined,
    scoreMod: a.graph('score_mod'),
    probMod: a.graph('prob_mod'),
  }),
  infer: (inputs) => {
    const q = inputs[0], v = inputs[2];
    return [tensorType(q, q?.shape && v?.shape ? [q.shape[0], q.shape[1], q.shape[2], v.shape[3]] : null)];
  },
  run: (inputs, at, ctx) => {
    const qT = needFloat(OP, need(OP, inputs[0], 'Q'), 'Q');
    const q = heads(qT, 'Q'), k = heads(need(OP, inputs[1], 'K'), 'K'), v = heads(need(OP, inputs[2], 'V'), 'V');
    const [b, hq, l, d] = q.dims;
    const s = k.dims[2];
    const dims = [b, hq, l, s];
    // the modifiers see float32 scores unless the model works in float64
    const modType = qT.type === 'float64' ? 'float64' : 'float32';
    let scores = qkScores(OP, q, k, at.scale ?? 1 / Math.sqrt(d));
    if (at.scoreMod) scores = applyMod(ctx, at.scoreMod, 'score_mod', scores, dims, modType);
    for (let r = 0; r < b * hq * l; r++) {
      const off = r * s;
      let m = -Infinity;
      for (let j = 0; j < s; j++) m = Math.max(m, scores[off + j]);
      let sum = 0;
      for (let j = 0; j < s; j++) sum += scores[off + j] = Math.exp(scores[off + j] - m);
      for (let j = 0; j < s; j++) scores[off + j] /= sum;
    }
    if (at.probMod) scores = applyMod(ctx, at.probMod, 'prob_mod', scores, dims, modType);
    return [fromNumbers(qT.type, [b, hq, l, v.dims[3]], probsTimesV(OP, scores, v, hq, l))];
  },
});
