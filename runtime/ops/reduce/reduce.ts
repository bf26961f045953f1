// The Reduce* ops: one generic kernel over (kept × reduced) offset tables, with a small table of
// per-op folds. Axes come from an attribute before opset 13 (ReduceSum) / 18 (the others), else
// from an optional second input.

import { fromNumbers, toInts, toNumbers, type Tensor } from '../../tensor';
import { defineOp, NotSupportedOpError, OpError, type OpSpec } from '../spec';
import { gatherElements, need, normAxes, reducePlan, reducedShape, tensorType } from './util';

/** Folds the reduced elements x[base + red[j]] into one value. */
type Fold = (x: Float64Array, base: number, red: Int32Array) => number;

const sum: Fold = (x, b, r) => {
  let s = 0;
  for (let j = 0; j < r.length; j++) s += x[b + r[j]];
  return s;
};
const sumAbs: Fold = (x, b, r) => {
  let s = 0;
  for (let j = 0; j < r.length; j++) s += Math.abs(x[b + r[j]]);
  return s;
};
const sumSq: Fold = (x, b, r) => {
  let s = 0;
  for (let j = 0; j < r.length; j++) {
    const v = x[b + r[j]];
    s += v * v;
  }
  return s;
};

const FOLDS: Record<string, Fold> = {
  ReduceSum: sum,
  ReduceMean: (x, b, r) => sum(x, b, r) / r.length,
  ReduceProd: (x, b, r) => {
    let p = 1;
    for (let j = 0; j < r.length; j++) p *= x[b + r[j]];
    return p;
  },
  ReduceL1: sumAbs,
  ReduceL2: (x, b, r) => Math.sqrt(sumSq(x, b, r)),
  ReduceSumSquare: sumSq,
  ReduceLogSum: (x, b, r) => Math.log(sum(x, b, r)),
  ReduceLogSumExp: (x, b, r) => {
    // shift by the max so large inputs do not overflow exp()
    let m = -Infinity;
    for (let j = 0; j < r.length; j++) m = Math.max(m, x[b + r[j]]);
    if (!Number.isFinite(m)) return m === -Infinity ? -Infinity : m;
    let s = 0;
    for (let j = 0; j < r.length; j++) s += Math.exp(x[b + r[j]] - m);
    return m + Math.log(s);
  },
};

/**
 * Max and Min pick an element rather than compute one, so they return its index: the result
 * is then gathered exactly (int64, uint64 and bool stay bit-exact). NaN wins, as in numpy.
 * An empty reduction returns -1 (filled with the fold's identity by the caller).
 */
type Pick = (x: Float64Array, base: number, red: Int32Array) => number;
const pickBy = (better: (a: number, b: number) => boolean): Pick => (x, b, r) => {
  if (r.length === 0) return -1;
  let best = b + r[0];
  for (let j = 1; j < r.length; j++) {
    const i = b + r[j];
    if (Number.isNaN(x[best])) break;
    if (Number.isNaN(x[i]) || better(x[i], x[best])) best = i;
  }
  return best;
};
const PICKS: Record<string, { pick: Pick; empty: number }> = {
  ReduceMax: { pick: pickBy((a, b) => a > b), empty: -Infinity },
  ReduceMin: { pick: pickBy((a, b) => a < b), empty: Infinity },
};

interface ReduceAttrs {
  /** axes from the attribute (old opsets); undefined when absent or given as an input */
  readonly axes?: readonly number[];
  readonly keepdims: boolean;
  readonly noopWithEmptyAxes: boolean;
  /** whether axes arrive as the second input at this opset */
  readonly axesInput: boolean;
}

function reduceSpec(op: string, axesInputSince: number): OpSpec<ReduceAttrs> {
  return defineOp<ReduceAttrs>({
    op,
    attrs: (a, opset) => ({
      axes: a.ints('axes'),
      keepdims: a.int('keepdims', 1) !== 0,
      noopWithEmptyAxes: a.int('noop_with_empty_axes', 0) !== 0,
      axesInput: opset >= axesInputSince,
    }),
    infer: (inputs, at) => {
      const x = inputs[0];
      if (!x) return [null];
      // axes as an input are unknown statically unless absent or of static length 0
      const axesIn = inputs.length > 1 ? inputs[1] : undefined;
      const emptyIn = axesIn === undefined || axesIn?.shape?.[0] === 0;
      const axesKnown = at.axesInput ? (emptyIn ? [] : null) : at.axes ?? [];
      if (axesKnown === null) return [tensorType(x.dtype, at.noopWithEmptyAxes ? null : reducedShape(x.shape, null, at.keepdims))];
      if (axesKnown.length === 0) {
        if (at.noopWithEmptyAxes) return [x];
        return [tensorType(x.dtype, x.shape ? reducedShape(x.shape, x.shape.map((_, i) => i), at.keepdims) : null)];
      }
      return [tensorType(x.dtype, reducedShape(x.shape, axesKnown, at.keepdims))];
    },
    run: (inputs, at) => [reduce(op, need(op, inputs[0], 'data'), at, inputs[1])],
  });
}

function reduce(op: string, x: Tensor, at: ReduceAttrs, axesT: Tensor | undefined): Tensor {
  if (x.type === 'string') throw new NotSupportedOpError(op, 'string tensors cannot be reduced');
  if (x.type === 'bool' && !(op in PICKS)) throw new OpError(op, 'bool input is only allowed for ReduceMax and ReduceMin');
  const rank = x.dims.length;
  const given = at.axesInput ? (axesT ? toInts(axesT) : []) : at.axes ?? [];
  if (given.length === 0 && at.noopWithEmptyAxes) return x;
  const axes = given.length === 0 ? x.dims.map((_, i) => i) : normAxes(op, given, rank);
  const plan = reducePlan(x.dims, axes, at.keepdims);
  const xs = toNumbers(x);
  const n = plan.keep.length;
  const picked = PICKS[op];
  if (picked) {
    if (plan.red.length === 0) return fromNumbers(x.type, plan.outDims, new Float64Array(n).fill(picked.empty));
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = picked.pick(xs, plan.keep[i], plan.red);
    return gatherElements(x, idx, plan.outDims);
  }
  const fold = FOLDS[op];
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = fold(xs, plan.keep[i], plan.red);
  return fromNumbers(x.type, plan.outDims, out);
}

export const reductionOps: OpSpec[] = [
  reduceSpec('ReduceSum', 13),
  ...['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare']
    .map((op) => reduceSpec(op, 18)),
];
