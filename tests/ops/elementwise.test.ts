// Direct unit tests of the elementwise kernels: broadcasting, exact 64-bit integer paths, integer
// division and modulo signs, Cast conversions, Where, Clip forms and shape inference.

import { describe, expect, it } from 'vitest';
import type { AttrValue, TensorType } from '../../runtime/ir/graph';
import { elementwiseOps } from '../../runtime/ops/elementwise';
import { broadcastIndex, broadcastShapes } from '../../runtime/ops/broadcast';
import { Attrs, OpError, type OpSpec, type RunContext } from '../../runtime/ops/spec';
import { dataFrom, sizeOf, tensor, toNumbers, type DType, type Tensor } from '../../runtime/tensor';

function spec(op: string): OpSpec {
  const s = elementwiseOps.find((x) => x.op === op);
  if (!s) throw new Error(`no spec for ${op}`);
  return s;
}

/** Runs one op on tensors with attributes given as AttrValues, at `opset`. */
function run(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, AttrValue> = {}, opset = 17): Tensor {
  const s = spec(op);
  const a = s.attrs(new Attrs(op, new Map(Object.entries(attrs))), opset);
  const ctx: RunContext = { opset, numOutputs: 1, runGraph: () => [] };
  return s.run!(inputs, a, ctx)[0];
}

const t = (type: DType, dims: number[], values: (number | bigint | boolean)[]) => tensor(type, dims, dataFrom(type, values));
const nums = (x: Tensor) => Array.from(toNumbers(x));

describe('elementwise kernels', () => {
  it('broadcasts Add over a row and a column', () => {
    const y = run('Add', [t('float32', [2, 1], [10, 20]), t('float32', [3], [1, 2, 3])]);
    expect(y.type).toBe('float32');
    expect(y.dims).toEqual([2, 3]);
    expect(nums(y)).toEqual([11, 12, 13, 21, 22, 23]);
    expect(() => run('Add', [t('float32', [2], [1, 2]), t('float32', [3], [1, 2, 3])])).toThrow(OpError);
    expect(() => run('Add', [t('float32', [1], [1]), t('int32', [1], [1])])).toThrow(/share one type/);
  });

  it('agrees with a per-element index table on random broadcasts', () => {
    let seed = 7;
    const rand = (k: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % k);
    for (let trial = 0; trial < 200; trial++) {
      const out = Array.from({ length: rand(5) }, () => 1 + rand(4));
      const pick = () => out.slice(rand(out.length + 1)).map((d) => (rand(2) ? d : 1));
      const [da, db] = [pick(), pick()];
      const a = t('float64', da, Array.from({ length: sizeOf(da) }, (_, i) => i));
      const b = t('float64', db, Array.from({ length: sizeOf(db) }, (_, i) => 1000 * i));
      const dims = broadcastShapes('Add', [da, db]);
      const ia = broadcastIndex(da, dims), ib = broadcastIndex(db, dims);
      const y = run('Add', [a, b]);
      expect(y.dims).toEqual(dims);
      expect(nums(y)).toEqual(Array.from(ia, (k, i) => k + 1000 * ib[i]));
    }
  });

  it('keeps int64 arithmetic exact and wraps int32 products like C', () => {
    const big = 2n ** 60n + 1n;
    const y = run('Add', [t('int64', [1], [big]), t('int64', [1], [1n])]);
    expect((y.data as BigInt64Array)[0]).toBe(big + 1n);
    const m = run('Mul', [t('int32', [1], [65537]), t('int32', [1], [65537])]);
    expect((m.data as Int32Array)[0]).toBe((65537 * 65537) | 0);
    expect(nums(run('Greater', [t('int64', [2], [big, 1n]), t('int64', [2], [big - 1n, 2n])]))).toEqual([1, 0]);
  });

  it('truncates integer Div and gives Mod the divisor sign unless fmod', () => {
    expect(nums(run('Div', [t('int32', [2], [-7, 7]), t('int32', [2], [2, -2])]))).toEqual([-3, -3]);
    const a = t('int32', [2], [-7, 7]), b = t('int32', [2], [3, -3]);
    expect(nums(run('Mod', [a, b]))).toEqual([2, -2]);
    expect(nums(run('Mod', [a, b], { fmod: { kind: 'int', value: 1 } }))).toEqual([-1, 1]);
    const y = run('Mod', [t('int64', [1], [-7n]), t('int64', [1], [3n])]);
    expect((y.data as BigInt64Array)[0]).toBe(2n);
  });

  it('casts floats to ints by truncation, wrapping narrow types', () => {
    const x = t('float32', [4], [2.9, -2.9, 300, -0.5]);
    expect(nums(run('Cast', [x], { to: { kind: 'int', value: 6 } }))).toEqual([2, -2, 300, 0]);
    expect(nums(run('Cast', [x], { to: { kind: 'int', value: 2 } }))).toEqual([2, 254, 44, 0]);
    const i64 = run('Cast', [x], { to: { kind: 'int', value: 7 } });
    expect(Array.from(i64.data as BigInt64Array)).toEqual([2n, -2n, 300n, 0n]);
    expect(nums(run('Cast', [x], { to: { kind: 'int', value: 9 } }))).toEqual([1, 1, 1, 1]);
  });

  it('casts between strings and numbers', () => {
    const s = tensor('string', [4], ['3.5', '-INF', 'nan', '1e2']);
    expect(nums(run('Cast', [s], { to: { kind: 'int', value: 1 } }))).toEqual([3.5, -Infinity, NaN, 100]);
    const f = t('float32', [4], [0.1, 1, 1e-5, Infinity]);
    expect(run('Cast', [f], { to: { kind: 'int', value: 8 } }).data).toEqual(['0.1', '1.0', '1e-05', 'inf']);
    const big = tensor('string', [1], ['9007199254740993']);
    expect((run('Cast', [big], { to: { kind: 'int', value: 7 } }).data as BigInt64Array)[0]).toBe(9007199254740993n);
  });

  it('selects with Where over three broadcast inputs, any element type', () => {
    const c = t('bool', [2, 1], [true, false]);
    const y = run('Where', [c, tensor('string', [2], ['a', 'b']), tensor('string', [1], ['z'])]);
    expect(y.dims).toEqual([2, 2]);
    expect(y.data).toEqual(['a', 'b', 'z', 'z']);
  });

  it('clips with attributes before opset 11 and inputs after', () => {
    const x = t('float32', [3], [-2, 0.5, 2]);
    const attrs = { min: { kind: 'float', value: -1 }, max: { kind: 'float', value: 1 } } as const;
    expect(nums(run('Clip', [x], attrs, 6))).toEqual([-1, 0.5, 1]);
    expect(nums(run('Clip', [x, undefined, t('float32', [], [0])], {}, 13))).toEqual([-2, 0, 0]);
    expect(nums(run('Clip', [t('int8', [2], [-100, 100]), t('int8', [], [-5]), t('int8', [], [5])]))).toEqual([-5, 5]);
  });

  it('rounds half to even and keeps float16 as float16', () => {
    expect(nums(run('Round', [t('float32', [5], [0.5, 1.5, 2.5, -0.5, -1.5])]))).toEqual([0, 2, 2, -0, -2]);
    const h = run('Sqrt', [t('float16', [1], [4])]);
    expect(h.type).toBe('float16');
    expect(nums(h)).toEqual([2]);
  });

  it('infers broadcast shapes with symbolic dims', () => {
    const a: TensorType = { kind: 'tensor', dtype: 'float32', shape: ['n', 1, 3] };
    const b: TensorType = { kind: 'tensor', dtype: 'float32', shape: [4, 1] };
    const s = spec('Less');
    expect(s.infer!([a, b], s.attrs(new Attrs('Less', new Map()), 17), 17)).toEqual([{ kind: 'tensor', dtype: 'bool', shape: ['n', 4, 3] }]);
  });
});
