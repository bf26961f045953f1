// The Sequence ops over TensorSequence values: construct, empty, at, insert, erase, length,
// SplitToSequence and ConcatFromSequence.

import { isTensor, type Tensor, type TensorSequence, tensor, type Value } from '../../tensor';
import { normAxis } from '../broadcast';
import { defineOp, OpError } from '../spec';
import { concatTensors, splitTensor } from './concat-split';
import { ints, scalarInt, tensorType, withDims } from './util';

function seqOf(op: string, v: Value | undefined): TensorSequence {
  if (v === undefined) throw new OpError(op, 'input_sequence is missing');
  if (v === null || isTensor(v)) throw new OpError(op, 'input_sequence must be a sequence');
  return v;
}

function tensorOf(op: string, v: Value | undefined, what: string): Tensor {
  if (!isTensor(v)) throw new OpError(op, `${what} must be a tensor`);
  return v;
}

const sequence = (items: readonly Tensor[]): TensorSequence => ({ type: 'sequence', items });

/** A position in a sequence of `len` items; negative counts from the end; `len` allowed when inserting. */
function position(op: string, v: Value | undefined, len: number, def: number, inclusiveEnd: boolean): number {
  if (v === undefined || v === null) return def;
  const p = scalarInt(op, tensorOf(op, v, 'position'), 'position');
  const q = p < 0 ? p + len : p;
  if (q < 0 || q > len || (q === len && !inclusiveEnd)) throw new OpError(op, `position ${p} is out of range for a sequence of ${len}`);
  return q;
}

const sequenceConstruct = defineOp({
  op: 'SequenceConstruct',
  attrs: () => ({}),
  runValues: (inputs) => {
    const items = inputs.map((v, i) => tensorOf('SequenceConstruct', v, `inputs[${i}]`));
    if (items.some((t) => t.type !== items[0].type)) throw new OpError('SequenceConstruct', 'all inputs must share one element type');
    return [sequence(items)];
  },
});

const sequenceEmpty = defineOp({
  op: 'SequenceEmpty',
  attrs: () => ({}),
  runValues: () => [sequence([])],
});

const sequenceAt = defineOp({
  op: 'SequenceAt',
  attrs: () => ({}),
  runValues: ([s, p]) => {
    const seq = seqOf('SequenceAt', s);
    return [seq.items[position('SequenceAt', p, seq.items.length, 0, false)]];
  },
});

const sequenceInsert = defineOp({
  op: 'SequenceInsert',
  attrs: () => ({}),
  runValues: ([s, t, p]) => {
    const seq = seqOf('SequenceInsert', s);
    const item = tensorOf('SequenceInsert', t, 'tensor');
    if (seq.items.length > 0 && seq.items[0].type !== item.type) {
      throw new OpError('SequenceInsert', `cannot insert a ${item.type} tensor into a sequence of ${seq.items[0].type}`);
    }
    const at = position('SequenceInsert', p, seq.items.length, seq.items.length, true);
    return [sequence([...seq.items.slice(0, at), item, ...seq.items.slice(at)])];
  },
});

const sequenceErase = defineOp({
  op: 'SequenceErase',
  attrs: () => ({}),
  runValues: ([s, p]) => {
    const seq = seqOf('SequenceErase', s);
    const at = position('SequenceErase', p, seq.items.length, seq.items.length - 1, false);
    if (at < 0) throw new OpError('SequenceErase', 'cannot erase from an empty sequence');
    return [sequence(seq.items.filter((_, i) => i !== at))];
  },
});

const sequenceLength = defineOp({
  op: 'SequenceLength',
  attrs: () => ({}),
  infer: () => [tensorType('int64', [])],
  runValues: ([s]) => [tensor('int64', [], BigInt64Array.from([BigInt(seqOf('SequenceLength', s).items.length)]))],
});

const splitToSequence = defineOp({
  op: 'SplitToSequence',
  attrs: (a) => ({ axis: a.int('axis', 0), keepdims: a.int('keepdims', 1) === 1 }),
  runValues: ([x, s], { axis, keepdims }) => {
    const t = tensorOf('SplitToSequence', x, 'input');
    const a = normAxis('SplitToSequence', axis, t.dims.length);
    const dim = t.dims[a];
    if (s === undefined || s === null) {
      // no split: one piece per index along the axis, squeezed unless keepdims
      const pieces = splitTensor('SplitToSequence', t, a, new Array<number>(dim).fill(1));
      return [sequence(keepdims ? pieces : pieces.map((p) => withDims(p, p.dims.filter((_, i) => i !== a))))];
    }
    const split = tensorOf('SplitToSequence', s, 'split');
    let sizes: number[];
    if (split.dims.length === 0) {
      const chunk = ints(split)[0];
      if (chunk <= 0) throw new OpError('SplitToSequence', `split must be positive, got ${chunk}`);
      sizes = Array.from({ length: Math.ceil(dim / chunk) }, (_, i) => Math.min(chunk, dim - i * chunk));
    } else sizes = ints(split);
    return [sequence(splitTensor('SplitToSequence', t, a, sizes))];
  },
});

const concatFromSequence = defineOp({
  op: 'ConcatFromSequence',
  attrs: (a) => {
    const axis = a.int('axis');
    if (axis === undefined) throw new OpError('ConcatFromSequence', "attribute 'axis' is required");
    return { axis, newAxis: a.int('new_axis', 0) === 1 };
  },
  runValues: ([s], { axis, newAxis }) => {
    const items = seqOf('ConcatFromSequence', s).items;
    if (items.length === 0) throw new OpError('ConcatFromSequence', 'cannot concatenate an empty sequence');
    const rank = items[0].dims.length;
    if (!newAxis) return [concatTensors('ConcatFromSequence', items, normAxis('ConcatFromSequence', axis, rank))];
    // new_axis: stack along a fresh axis, which may also be one past the last (-rank-1..rank)
    const a = normAxis('ConcatFromSequence', axis, rank + 1);
    const stacked = items.map((t) => withDims(t, [...t.dims.slice(0, a), 1, ...t.dims.slice(a)]));
    return [concatTensors('ConcatFromSequence', stacked, a)];
  },
});

export const sequenceOps = [
  sequenceConstruct, sequenceEmpty, sequenceAt, sequenceInsert, sequenceErase, sequenceLength, splitToSequence, concatFromSequence,
];
