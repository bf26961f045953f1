// Small ai.onnx.ml ops: Binarizer, ArrayFeatureExtractor and LabelEncoder.

import type { TensorType } from '../../ir/graph';
import { allocData, type DType, fromNumbers, sizeOf, tensor, type Tensor, toNumbers } from '../../tensor';
import { type Attrs, defineOp, OpError, type OpSpec } from '../spec';

const DOMAIN = 'ai.onnx.ml';

function need(op: string, t: Tensor | undefined, what: string): Tensor {
  if (!t) throw new OpError(op, `input '${what}' is required`);
  return t;
}

const binarizer = defineOp<{ threshold: number }>({
  op: 'Binarizer',
  domain: DOMAIN,
  attrs: (a) => ({ threshold: a.float('threshold', 0) }),
  infer: (inputs) => [inputs[0] ?? null],
  run: (inputs, at) => {
    const x = need('Binarizer', inputs[0], 'X');
    const v = toNumbers(x);
    return [fromNumbers(x.type, x.dims, v.map((e) => (e > at.threshold ? 1 : 0)))];
  },
});

/** Gathers elements of the last axis of X at the given indices. */
const arrayFeatureExtractor = defineOp<null>({
  op: 'ArrayFeatureExtractor',
  domain: DOMAIN,
  attrs: () => null,
  infer: (inputs) => [inputs[0] ? { kind: 'tensor', dtype: inputs[0].dtype, shape: null } : null],
  run: (inputs) => {
    const op = 'ArrayFeatureExtractor';
    const x = need(op, inputs[0], 'X'), y = need(op, inputs[1], 'Y');
    const idx = Array.from(toNumbers(y));
    const last = x.dims.length ? x.dims[x.dims.length - 1] : 1;
    for (const i of idx) if (i < 0 || i >= last) throw new OpError(op, `index ${i} is outside [0, ${last})`);
    const outer = sizeOf(x.dims) / Math.max(last, 1);
    const out = allocData(x.type, outer * idx.length) as unknown as unknown[];
    const src = x.data as unknown as unknown[];
    for (let o = 0; o < outer; o++) for (let k = 0; k < idx.length; k++) out[o * idx.length + k] = src[o * last + idx[k]];
    // a 1-D X gives one row
    const dims = x.dims.length <= 1 ? [1, idx.length] : [...x.dims.slice(0, -1), idx.length];
    return [tensor(x.type, dims, out as unknown as Tensor['data'])];
  },
});

type Key = string | number;

interface LabelEncoderAttrs {
  readonly table: ReadonlyMap<Key, Key>;
  readonly outType: DType;
  readonly fallback: Key;
}

/** A list attribute of one of the typed flavours, or a tensor attribute, as plain keys. */
function listAttr(a: Attrs, prefix: 'keys' | 'values'): { values: Key[]; type: DType } | undefined {
  const s = a.strings(`${prefix}_strings`);
  if (s) return { values: [...s], type: 'string' };
  const i = a.ints(`${prefix}_int64s`);
  if (i) return { values: [...i], type: 'int64' };
  const f = a.floats(`${prefix}_floats`);
  if (f) return { values: [...f], type: 'float32' };
  const t = a.tensor(`${prefix}_tensor`);
  if (t) return { values: t.type === 'string' ? [...(t.data as string[])] : Array.from(toNumbers(t)), type: t.type };
  return undefined;
}

function labelEncoderAttrs(a: Attrs): LabelEncoderAttrs {
  const op = 'LabelEncoder';
  const keys = listAttr(a, 'keys'), values = listAttr(a, 'values');
  if (!keys || !values) throw new OpError(op, `keys_* and values_* attributes are required`);
  if (keys.values.length !== values.values.length) throw new OpError(op, `keys and values differ in length`);
  const table = new Map<Key, Key>();
  keys.values.forEach((k, i) => table.set(k, values.values[i]));
  const dt = a.tensor('default_tensor');
  let fallback: Key;
  if (dt) fallback = dt.type === 'string' ? (dt.data as string[])[0] : toNumbers(dt)[0];
  else if (values.type === 'string') fallback = a.string('default_string', '_Unused');
  else if (values.type === 'int64') fallback = a.int('default_int64', -1);
  else fallback = a.float('default_float', -0);
  return { table, outType: values.type, fallback };
}

const labelEncoder = defineOp<LabelEncoderAttrs>({
  op: 'LabelEncoder',
  domain: DOMAIN,
  attrs: labelEncoderAttrs,
  infer: (inputs, at) => [{ kind: 'tensor', dtype: at.outType, shape: inputs[0]?.shape ?? null } satisfies TensorType],
  run: (inputs, at) => {
    const x = need('LabelEncoder', inputs[0], 'X');
    const keys: Key[] = x.type === 'string' ? (x.data as string[]) : Array.from(toNumbers(x));
    // NaN keys match a NaN key in the table (Map uses SameValueZero)
    const mapped = keys.map((k) => at.table.get(k) ?? at.fallback);
    if (at.outType === 'string') return [tensor('string', x.dims, mapped.map(String))];
    const nums = mapped.map(Number);
    return [fromNumbers(at.outType, x.dims, nums)];
  },
});

export const simpleMlOps: OpSpec[] = [binarizer, arrayFeatureExtractor, labelEncoder];
