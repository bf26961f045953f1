// Concat and Split: joining tensors along an axis and cutting one into pieces along an axis.
// The kernels here are also used by ConcatFromSequence and SplitToSequence.

import type { Dim } from '../../ir/graph';
import { allocData, type Tensor } from '../../tensor';
import { normAxis } from '../broadcast';
import { defineOp, NotSupportedOpError, OpError, type RunContext } from '../spec';
import { copyRange, ints, need, product, tensorType } from './util';

/** Concatenates tensors of one type along `axis` (already normalised). */
export function concatTensors(op: string, ts: readonly Tensor[], axis: number): Tensor {
  if (ts.length === 0) throw new OpError(op, 'needs at least one input');
  const first = ts[0];
  const rank = first.dims.length;
  for (const t of ts) {
    const ok = t.type === first.type && t.dims.length === rank && t.dims.every((d, i) => i === axis || d === first.dims[i]);
    if (!ok) throw new OpError(op, `cannot concatenate ${t.type}[${t.dims.join(',')}] with ${first.type}[${first.dims.join(',')}] on axis ${axis}`);
  }
  const outDims = [...first.dims];
  outDims[axis] = ts.reduce((s, t) => s + t.dims[axis], 0);
  const outer = product(first.dims, 0, axis);
  const inner = product(first.dims, axis + 1);
  const out = allocData(first.type, product(outDims));
  const rowOut = outDims[axis] * inner;
  let off = 0;
  for (const t of ts) {
    const chunk = t.dims[axis] * inner;
    for (let o = 0; o < outer; o++) copyRange(out, o * rowOut + off, t.data, o * chunk, chunk);
    off += chunk;
  }
  return { type: first.type, dims: outDims, data: out };
}

/** Cuts `t` along `axis` into consecutive pieces of the given sizes. */
export function splitTensor(op: string, t: Tensor, axis: number, sizes: readonly number[]): Tensor[] {
  const dim = t.dims[axis];
  if (sizes.some((s) => s < 0) || sizes.reduce((a, b) => a + b, 0) !== dim) {
    throw new OpError(op, `split sizes [${sizes.join(',')}] do not add up to ${dim}, the size of axis ${axis}`);
  }
  const outer = product(t.dims, 0, axis);
  const inner = product(t.dims, axis + 1);
  let start = 0;
  return sizes.map((s) => {
    const dims = [...t.dims];
    dims[axis] = s;
    const out = allocData(t.type, outer * s * inner);
    for (let o = 0; o < outer; o++) copyRange(out, o * s * inner, t.data, (o * dim + start) * inner, s * inner);
    start += s;
    return { type: t.type, dims, data: out };
  });
}

/** n pieces of ceil(dim / n), the last one smaller when dim does not divide (opset 18 num_outputs). */
export function evenSizes(op: string, dim: number, n: number): number[] {
  if (n < 1) throw new OpError(op, `cannot split into ${n} pieces`);
  const chunk = Math.ceil(dim / n);
  const sizes: number[] = [];
  for (let left = dim; sizes.length < n; left -= chunk) sizes.push(Math.max(0, Math.min(chunk, left)));
  return sizes;
}

const concat = defineOp({
  op: 'Concat',
  attrs: (a, opset) => ({ axis: opset < 4 ? a.int('axis', 1) : a.int('axis') }),
  infer: (inputs, { axis }) => {
    const first = inputs[0];
    if (!first) return [null];
    if (axis === undefined || inputs.some((t) => !t?.shape)) return [tensorType(first.dtype, first.shape ? first.shape.map(() => null) : null)];
    const rank = first.shape!.length;
    const ax = normAxis('Concat', axis, rank);
    const shape: Dim[] = [...first.shape!];
    let sum: number | null = 0;
    for (const t of inputs) {
      const d = t!.shape![ax];
      sum = sum !== null && typeof d === 'number' ? sum + d : null;
    }
    shape[ax] = sum;
    return [tensorType(first.dtype, shape)];
  },
  run: (inputs, { axis }) => {
    if (axis === undefined) throw new OpError('Concat', "attribute 'axis' is required");
    const ts = inputs.map((t, i) => need('Concat', t, `inputs[${i}]`));
    if (ts.length === 0) throw new OpError('Concat', 'needs at least one input');
    return [concatTensors('Concat', ts, normAxis('Concat', axis, ts[0].dims.length))];
  },
});

/**
 * The number of outputs of the node being run, where the executor says it. ONNX Split without
 * `split` or `num_outputs` divides into as many equal pieces as the node has outputs, which the
 * kernel can only learn from the executor.
 */
const split = defineOp({
  op: 'Split',
  attrs: (a, opset) => ({
    axis: a.int('axis', 0),
    // the sizes were an attribute before opset 13 and an input after
    split: opset < 13 ? a.ints('split') : undefined,
    numOutputs: opset >= 18 ? a.int('num_outputs') : undefined,
  }),
  run: ([x, s], attrs, ctx) => {
    const t = need('Split', x, 'input');
    const axis = normAxis('Split', attrs.axis, t.dims.length);
    const dim = t.dims[axis];
    let sizes = attrs.split ?? (s && s.data.length > 0 ? ints(s) : undefined);
    if (!sizes) {
      const n = attrs.numOutputs ?? ctx.numOutputs;
      if (attrs.numOutputs === undefined && dim % n !== 0) throw new OpError('Split', `axis ${axis} of size ${dim} does not split into ${n} equal pieces`);
      sizes = evenSizes('Split', dim, n);
    }
    return splitTensor('Split', t, axis, sizes);
  },
});

export const concatSplitOps = [concat, split];
