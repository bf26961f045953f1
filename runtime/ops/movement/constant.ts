// Identity, Constant and ConstantOfShape: ops that pass a value through or make one from attributes.

import { type Tensor, type Value, isTensor, tensor } from '../../tensor';
import { defineOp, NotSupportedOpError, OpError } from '../spec';
import { copyData, filled, ints, need, tensorType } from './util';

/** Identity works on tensors, sequences and optionals alike (a copy of the value). */
const identity = defineOp({
  op: 'Identity',
  attrs: () => ({}),
  infer: ([x]) => [x],
  run: ([x]) => {
    const t = need('Identity', x, 'input');
    return [{ ...t, data: copyData(t.data) }];
  },
  runValues: ([x]): Value[] => {
    if (x === undefined || x === null) return [null];
    if (isTensor(x)) return [{ ...x, data: copyData(x.data) }];
    return [{ type: 'sequence', items: x.items.map((t) => ({ ...t, data: copyData(t.data) })) }];
  },
});

/** Constant's value, from whichever of its value attributes is set. */
const constant = defineOp({
  op: 'Constant',
  attrs: (a): { value: Tensor } => {
    const t = a.tensor('value');
    if (t) return { value: t };
    if (a.has('sparse_value')) throw new NotSupportedOpError('Constant', 'sparse_value is not supported');
    const f = a.raw('value_float');
    if (f) return { value: tensor('float32', [], new Float32Array([a.float('value_float', 0)])) };
    const fs = a.floats('value_floats');
    if (fs) return { value: tensor('float32', [fs.length], new Float32Array(fs)) };
    const i = a.int('value_int');
    if (i !== undefined) return { value: tensor('int64', [], BigInt64Array.from([BigInt(i)])) };
    const is = a.ints('value_ints');
    if (is) return { value: tensor('int64', [is.length], BigInt64Array.from(is, (v) => BigInt(v))) };
    const s = a.string('value_string');
    if (s !== undefined) return { value: tensor('string', [], [s]) };
    const ss = a.strings('value_strings');
    if (ss) return { value: tensor('string', [ss.length], [...ss]) };
    throw new OpError('Constant', 'needs one of value, value_float(s), value_int(s), value_string(s)');
  },
  infer: (_, { value }) => [tensorType(value.type, value.dims)],
  run: (_, { value }) => [{ type: value.type, dims: [...value.dims], data: copyData(value.data) }],
});

/** ConstantOfShape: a tensor of the given shape filled with `value` (default float32 zero). */
const constantOfShape = defineOp({
  op: 'ConstantOfShape',
  attrs: (a) => ({ value: a.tensor('value') ?? tensor('float32', [1], new Float32Array([0])) }),
  infer: ([shape], { value }) => {
    const s = shape?.shape;
    const rank = s && typeof s[0] === 'number' ? s[0] : null;
    return [tensorType(value.type, rank === null ? null : new Array<null>(rank).fill(null))];
  },
  run: ([shape], { value }) => {
    if (value.data.length !== 1) throw new OpError('ConstantOfShape', `value must hold one element, got ${value.data.length}`);
    const dims = ints(need('ConstantOfShape', shape, 'input'));
    if (dims.some((d) => d < 0)) throw new OpError('ConstantOfShape', `shape [${dims.join(',')}] has a negative dimension`);
    const n = dims.reduce((p, d) => p * d, 1);
    return [{ type: value.type, dims, data: filled(value.type, n, (value.data as unknown as unknown[])[0]) }];
  },
});

export const constantOps = [identity, constant, constantOfShape];
