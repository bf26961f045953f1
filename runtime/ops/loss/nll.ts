// Loss ops: NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (log-softmax over the class
// axis, then the same NLL), with optional class weights, ignore_index and none/sum/mean reduction.

import { fromNumbers, toInts, toNumbers, type Tensor } from '../../tensor';
import { defineOp, OpError, type OpSpec } from '../spec';
import { need, needFloat, tensorType } from '../reduce/util';

interface LossAttrs {
  readonly reduction: 'none' | 'sum' | 'mean';
  readonly ignoreIndex?: number;
}

function lossAttrs(op: string, reduction: string, ignoreIndex: number | undefined): LossAttrs {
  if (reduction !== 'none' && reduction !== 'sum' && reduction !== 'mean') {
    throw new OpError(op, `reduction must be 'none', 'sum' or 'mean', got '${reduction}'`);
  }
  return { reduction, ignoreIndex };
}

/**
 * -logp[n, t[n,d], d]·w[t] over (N, C, D) log-probabilities, reduced. `mean` divides by the
 * sum of the weights that were applied (ignored targets weigh 0), as the ONNX definition does.
 */
function nll(op: string, logp: Float64Array, dims: readonly number[], target: Tensor, weight: Tensor | undefined, at: LossAttrs, type: Tensor['type']): Tensor {
  const [n, c] = dims;
  const d = logp.length / Math.max(n * c, 1);
  const t = toInts(target);
  if (t.length !== n * d) throw new OpError(op, `target [${target.dims.join(',')}] does not match input [${dims.join(',')}]`);
  const w = weight ? toNumbers(weight) : undefined;
  const loss = new Float64Array(n * d);
  let sum = 0;
  let wsum = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) {
      const cls = t[i * d + k];
      if (cls === at.ignoreIndex) continue;
      if (cls < 0 || cls >= c) throw new OpError(op, `target class ${cls} is outside [0, ${c})`);
      const wt = w ? w[cls] : 1;
      const l = -logp[(i * c + cls) * d + k] * wt;
      loss[i * d + k] = l;
      sum += l;
      wsum += wt;
    }
  }
  if (at.reduction === 'none') return fromNumbers(type, target.dims, loss);
  return fromNumbers(type, [], [at.reduction === 'sum' ? sum : sum / wsum]);
}

/** log_softmax over axis 1 of an (N, C, …) tensor. */
function logSoftmaxAxis1(xs: Float64Array, dims: readonly number[]): Float64Array {
  const [n, c] = dims;
  const d = xs.length / Math.max(n * c, 1);
  const out = new Float64Array(xs.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) {
      const base = i * c * d + k;
      let m = -Infinity;
      for (let j = 0; j < c; j++) m = Math.max(m, xs[base + j * d]);
      let s = 0;
      for (let j = 0; j < c; j++) s += Math.exp(xs[base + j * d] - m);
      const lse = m + Math.log(s);
      for (let j = 0; j < c; j++) out[base + j * d] = xs[base + j * d] - lse;
    }
  }
  return out;
}

const lossShape = (target: readonly (number | string | null)[] | null | undefined, at: LossAttrs) =>
  at.reduction === 'none' ? target ?? null : [];

export const nllLossOp = defineOp<LossAttrs>({
  op: 'NegativeLogLikelihoodLoss',
  attrs: (a) => lossAttrs('NegativeLogLikelihoodLoss', a.string('reduction', 'mean'), a.int('ignore_index')),
  infer: ([x, t], at) => [x ? tensorType(x.dtype, lossShape(t?.shape, at)) : null],
  run: (inputs, at) => {
    const op = 'NegativeLogLikelihoodLoss';
    const x = needFloat(op, need(op, inputs[0], 'input'), 'input');
    if (x.dims.length < 2) throw new OpError(op, `input must be (N, C, …), got [${x.dims.join(',')}]`);
    return [nll(op, toNumbers(x), x.dims, need(op, inputs[1], 'target'), inputs[2], at, x.type)];
  },
});

export const sceLossOp = defineOp<LossAttrs>({
  op: 'SoftmaxCrossEntropyLoss',
  attrs: (a) => lossAttrs('SoftmaxCrossEntropyLoss', a.string('reduction', 'mean'), a.int('ignore_index')),
  infer: ([x, t], at) => (x ? [tensorType(x.dtype, lossShape(t?.shape, at)), x] : [null, null]),
  run: (inputs, at) => {
    const op = 'SoftmaxCrossEntropyLoss';
    const x = needFloat(op, need(op, inputs[0], 'scores'), 'scores');
    if (x.dims.length < 2) throw new OpError(op, `scores must be (N, C, …), got [${x.dims.join(',')}]`);
    const logp = logSoftmaxAxis1(toNumbers(x), x.dims);
    const loss = nll(op, logp, x.dims, need(op, inputs[1], 'labels'), inputs[2], at, x.type);
    return [loss, fromNumbers(x.type, x.dims, logp)];
  },
});

export const lossOps: OpSpec[] = [nllLossOp, sceLossOp];
