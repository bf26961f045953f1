// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss: class scores [N, C, d1..dk] against
// integer targets [N, d1..dk], with optional per-class weights, an ignored target value and
// reduction none/sum/mean (mean divides by the summed weights of the targets not ignored).

import type { TensorType } from '../../ir/graph';
import { fromNumbers, isFloatType, sizeOf, toNumbers, type Tensor } from '../../tensor';
import { defineOp, OpError, type OpSpec } from '../spec';

interface LossAttrs {
  readonly reduction: 'none' | 'sum' | 'mean';
  readonly ignoreIndex: number | undefined;
}

function parseAttrs(op: string, a: { string(n: string, d: string): string; int(n: string): number | undefined }): LossAttrs {
  const r = a.string('reduction', 'mean');
  if (r !== 'none' && r !== 'sum' && r !== 'mean') throw new OpError(op, `unknown reduction '${r}'`);
  return { reduction: r, ignoreIndex: a.int('ignore_index') };
}

/** Log-softmax over axis 1 of [N, C, D] data (D = product of the trailing dims). */
function logSoftmaxAxis1(x: Float64Array, n: number, c: number, d: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < d; k++) {
      const base = i * c * d + k;
      let m = -Infinity;
      for (let j = 0; j < c; j++) m = Math.max(m, x[base + j * d]);
      let s = 0;
      for (let j = 0; j < c; j++) s += Math.exp(x[base + j * d] - m);
      const lse = m + Math.log(s);
      for (let j = 0; j < c; j++) out[base + j * d] = x[base + j * d] - lse;
    }
  return out;
}

/** -logp[n, t, d] * w[t] per target position, reduced as asked. */
function nll(op: string, logp: Float64Array, dims: readonly number[], target: Tensor, weight: Tensor | undefined, at: LossAttrs): {
  dims: number[];
  values: Float64Array;
} {
  const [n, c] = dims;
  const d = sizeOf(dims.slice(2));
  const tdims = [n, ...dims.slice(2)];
  if (target.dims.length !== tdims.length || target.dims.some((v, i) => v !== tdims[i])) {
    throw new OpError(op, `target shape [${target.dims.join(',')}] must be [${tdims.join(',')}]`);
  }
  const t = toNumbers(target);
  const w = weight ? toNumbers(weight) : undefined;
  const loss = new Float64Array(n * d);
  let wsum = 0;
  for (let i = 0; i < n; i++)
    for (let k = 0; k < d; k++) {
      const cls = t[i * d + k];
      if (cls === at.ignoreIndex) continue;
      if (cls < 0 || cls >= c) throw new OpError(op, `target ${cls} is outside [0, ${c})`);
      const wt = w ? w[cls] : 1;
      loss[i * d + k] = -logp[(i * c + cls) * d + k] * wt;
      wsum += wt;
    }
  if (at.reduction === 'none') return { dims: tdims, values: loss };
  let s = 0;
  for (const v of loss) s += v;
  return { dims: [], values: Float64Array.of(at.reduction === 'sum' ? s : s / wsum) };
}

function checkScores(op: string, x: Tensor | undefined): Tensor {
  if (!x) throw new OpError(op, `input 'scores' is required`);
  if (!isFloatType(x.type)) throw new OpError(op, `scores must be a float tensor, got ${x.type}`);
  if (x.dims.length < 2) throw new OpError(op, `scores must be [N, C, ...], got [${x.dims.join(',')}]`);
  return x;
}

function need(op: string, t: Tensor | undefined, what: string): Tensor {
  if (!t) throw new OpError(op, `input '${what}' is required`);
  return t;
}

const lossType = (x: TensorType | null, at: LossAttrs): TensorType | null =>
  x ? { kind: 'tensor', dtype: x.dtype, shape: at.reduction === 'none' ? (x.shape ? [x.shape[0], ...x.shape.slice(2)] : null) : [] } : null;

export const nllLossSpec = defineOp<LossAttrs>({
  op: 'NegativeLogLikelihoodLoss',
  attrs: (a) => parseAttrs('NegativeLogLikelihoodLoss', a),
  infer: (inputs, at) => [lossType(inputs[0] ?? null, at)],
  run: (inputs, at) => {
    const op = 'NegativeLogLikelihoodLoss';
    const x = checkScores(op, inputs[0]);
    const r = nll(op, toNumbers(x), x.dims, need(op, inputs[1], 'target'), inputs[2], at);
    return [fromNumbers(x.type, r.dims, r.values)];
  },
});

export const sceLossSpec = defineOp<LossAttrs>({
  op: 'SoftmaxCrossEntropyLoss',
  attrs: (a) => parseAttrs('SoftmaxCrossEntropyLoss', a),
  infer: (inputs, at) => [lossType(inputs[0] ?? null, at), inputs[0] ?? null],
  run: (inputs, at) => {
    const op = 'SoftmaxCrossEntropyLoss';
    const x = checkScores(op, inputs[0]);
    const logp = logSoftmaxAxis1(toNumbers(x), x.dims[0], x.dims[1], sizeOf(x.dims.slice(2)));
    const r = nll(op, logp, x.dims, need(op, inputs[1], 'labels'), inputs[2], at);
    return [fromNumbers(x.type, r.dims, r.values), fromNumbers(x.type, x.dims, logp)];
  },
});

export const lossSpecs: OpSpec[] = [nllLossSpec, sceLossSpec];
