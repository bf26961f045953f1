// Direct unit tests of the movement kernels: the corners the ONNX node tests leave out (old
// attribute forms, clamping, dtypes that must be copied exactly).

import { describe, expect, it } from 'vitest';
import type { AttrValue } from '../../runtime/ir/graph';
import { movementOps } from '../../runtime/ops/movement';
import { Attrs, type RunContext } from '../../runtime/ops/spec';
import { type DType, type Tensor, tensor, type Value } from '../../runtime/tensor';

type AttrMap = Record<string, AttrValue>;

function spec(op: string) {
  const s = movementOps.find((o) => o.op === op);
  if (!s) throw new Error(`no spec for ${op}`);
  return s;
}

function run(op: string, inputs: (Tensor | undefined)[], attrs: AttrMap = {}, opset = 18, extra: object = {}): Tensor[] {
  const s = spec(op);
  const ctx: RunContext = { opset, numOutputs: 1, runGraph: () => [], ...extra };
  return s.run!(inputs, s.attrs(new Attrs(op, new Map(Object.entries(attrs))), opset), ctx);
}

function runValues(op: string, inputs: (Value | undefined)[], attrs: AttrMap = {}, opset = 18): Value[] {
  const s = spec(op);
  return s.runValues!(inputs, s.attrs(new Attrs(op, new Map(Object.entries(attrs))), opset), { opset, numOutputs: 1, runGraph: () => [] });
}

const i64 = (dims: number[], v: (number | bigint)[]) => tensor('int64', dims, BigInt64Array.from(v, (x) => BigInt(x)));
const f32 = (dims: number[], v: number[]) => tensor('float32', dims, new Float32Array(v));
const iota = (type: DType, dims: number[]) => {
  const n = dims.reduce((a, b) => a * b, 1);
  return type === 'float32' ? f32(dims, Array.from({ length: n }, (_, i) => i)) : i64(dims, Array.from({ length: n }, (_, i) => i));
};
const ints = (v: readonly number[]): AttrValue => ({ kind: 'ints', value: v });
const int = (v: number): AttrValue => ({ kind: 'int', value: v });
const values = (t: Tensor) => Array.from(t.data as ArrayLike<number | bigint | string>, (x) => (typeof x === 'bigint' ? Number(x) : x));

describe('Reshape', () => {
  it('copies a dim for 0 and infers -1', () => {
    const [y] = run('Reshape', [iota('float32', [2, 3, 4]), i64([2], [0, -1])]);
    expect(y.dims).toEqual([2, 12]);
  });
  it('keeps 0 as a zero dim under allowzero', () => {
    const [y] = run('Reshape', [iota('float32', [0, 3]), i64([2], [3, 0])], { allowzero: int(1) });
    expect(y.dims).toEqual([3, 0]);
  });
  it('refuses a shape of the wrong size', () => {
    expect(() => run('Reshape', [iota('float32', [2, 3]), i64([1], [5])])).toThrow(/Reshape: cannot reshape/);
  });
});

describe('Slice', () => {
  it('walks backwards with a negative step, clamping INT64 extremes', () => {
    const max = 2n ** 63n - 1n, min = -(2n ** 63n);
    const [y] = run('Slice', [iota('float32', [5]), i64([1], [max]), i64([1], [min]), i64([1], [0]), i64([1], [-2])]);
    expect(values(y)).toEqual([4, 2, 0]);
  });
  it('takes starts/ends/axes from attributes before opset 10', () => {
    const [y] = run('Slice', [iota('float32', [3, 4])], { starts: ints([1]), ends: ints([1000]), axes: ints([1]) }, 9);
    expect(y.dims).toEqual([3, 3]);
    expect(values(y)).toEqual([1, 2, 3, 5, 6, 7, 9, 10, 11]);
  });
});

describe('Transpose', () => {
  it('reverses the axes by default', () => {
    const [y] = run('Transpose', [iota('float32', [2, 3])]);
    expect(y.dims).toEqual([3, 2]);
    expect(values(y)).toEqual([0, 3, 1, 4, 2, 5]);
  });
});

describe('Split', () => {
  it('uses the split attribute before opset 13', () => {
    const ys = run('Split', [iota('float32', [6])], { split: ints([2, 4]) }, 11);
    expect(ys.map(values)).toEqual([[0, 1], [2, 3, 4, 5]]);
  });
  it('makes a smaller last chunk for num_outputs (opset 18)', () => {
    const ys = run('Split', [iota('float32', [7])], { num_outputs: int(3) }, 18);
    expect(ys.map((y) => y.dims[0])).toEqual([3, 3, 1]);
  });
  it('splits evenly by the output count when the executor gives it', () => {
    const ys = run('Split', [iota('float32', [6])], {}, 13, { numOutputs: 3 });
    expect(ys.map(values)).toEqual([[0, 1], [2, 3], [4, 5]]);
  });
});

describe('element types', () => {
  it('copies int64 beyond 2^53 and strings exactly', () => {
    const big = 2n ** 62n + 1n;
    const [c] = run('Concat', [i64([1], [big]), i64([1], [-big])], { axis: int(0) });
    expect(Array.from(c.data as BigInt64Array)).toEqual([big, -big]);
    const [g] = run('Gather', [tensor('string', [3], ['a', 'b', 'c']), i64([2], [-1, 0])]);
    expect(g.data).toEqual(['c', 'a']);
  });
});

describe('Pad', () => {
  it('reflects, wraps and crops with the opset-2 attributes', () => {
    const x = iota('float32', [4]);
    expect(values(run('Pad', [x], { mode: { kind: 'string', value: 'reflect' }, pads: ints([2, 1]) }, 2)[0])).toEqual([2, 1, 0, 1, 2, 3, 2]);
    expect(values(run('Pad', [x, i64([2], [1, -1])], { mode: { kind: 'string', value: 'wrap' } }, 19)[0])).toEqual([3, 0, 1, 2]);
  });
});

describe('Unique', () => {
  it('returns sorted values, first indices, inverse indices and counts', () => {
    const [y, idx, inv, counts] = run('Unique', [f32([6], [2, 1, 1, 3, 4, 3])]);
    expect(values(y)).toEqual([1, 2, 3, 4]);
    expect(values(idx)).toEqual([1, 0, 3, 4]);
    expect(values(inv)).toEqual([1, 0, 0, 2, 3, 2]);
    expect(values(counts)).toEqual([2, 1, 2, 1]);
  });
});

describe('sequences', () => {
  it('splits to a sequence and concatenates back along a new axis', () => {
    const [seq] = runValues('SplitToSequence', [iota('float32', [3, 2])], { keepdims: int(0) });
    const [y] = runValues('ConcatFromSequence', [seq], { axis: int(-1), new_axis: int(1) });
    expect((y as Tensor).dims).toEqual([2, 3]);
    expect(values(y as Tensor)).toEqual([0, 2, 4, 1, 3, 5]);
  });
});
