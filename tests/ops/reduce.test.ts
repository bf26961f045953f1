// Direct unit tests of the reduce family's reference kernels (the ONNX node tests cover the rest).
import { describe, it, expect } from 'vitest';
import type { AttrValue } from '../../runtime/ir/graph';
import { reduceOps } from '../../runtime/ops/reduce';
import { Attrs, type RunContext } from '../../runtime/ops/spec';
import { parseEinsum } from '../../runtime/ops/reduce/einsum';
import { tensor, toNumbers, type Tensor } from '../../runtime/tensor';

type Attr = number | readonly number[] | string;

/** Runs one op of the family with plain attributes at `opset`. */
function run(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, Attr> = {}, opset = 18): Tensor[] {
  const spec = reduceOps.find((s) => s.op === op);
  if (!spec?.run) throw new Error(`no kernel for ${op}`);
  const map = new Map<string, AttrValue>(
    Object.entries(attrs).map(([k, v]): [string, AttrValue] =>
      typeof v === 'string' ? [k, { kind: 'string', value: v }]
        : typeof v === 'number' ? [k, Number.isInteger(v) ? { kind: 'int', value: v } : { kind: 'float', value: v }]
          : [k, { kind: 'ints', value: v }]),
  );
  const ctx: RunContext = { opset, numOutputs: 3, runGraph: () => [] };
  return spec.run(inputs, spec.attrs(new Attrs(op, map), opset), ctx);
}

const f32 = (dims: number[], v: number[]) => tensor('float32', dims, new Float32Array(v));
const i64 = (dims: number[], v: number[]) => tensor('int64', dims, BigInt64Array.from(v.map(BigInt)));
const nums = (t: Tensor) => Array.from(toNumbers(t));

describe('reductions', () => {
  it('ReduceMean keeps reduced dims as 1', () => {
    const [y] = run('ReduceMean', [f32([2, 3], [1, 2, 3, 4, 5, 6]), i64([1], [1])], { keepdims: 1 });
    expect(y.dims).toEqual([2, 1]);
    expect(nums(y)).toEqual([2, 5]);
  });

  it('ReduceSum takes axes from the attribute before opset 13 and reduces all when none', () => {
    const x = f32([2, 2], [1, 2, 3, 4]);
    expect(nums(run('ReduceSum', [x], { axes: [0], keepdims: 0 }, 11)[0])).toEqual([4, 6]);
    const [all] = run('ReduceSum', [x], { keepdims: 0 }, 13);
    expect(all.dims).toEqual([]);
    expect(nums(all)).toEqual([10]);
    expect(run('ReduceSum', [x, i64([0], [])], { noop_with_empty_axes: 1 }, 13)[0]).toBe(x);
  });

  it('ReduceMax keeps int64 values exact', () => {
    const big = 2n ** 60n + 1n;
    const x = tensor('int64', [2], BigInt64Array.from([big, 3n]));
    expect((run('ReduceMax', [x], { keepdims: 0 })[0].data as BigInt64Array)[0]).toBe(big);
  });

  it('ArgMax picks the last maximum with select_last_index', () => {
    const x = f32([1, 4], [1, 3, 3, 0]);
    expect(nums(run('ArgMax', [x], { axis: 1 })[0])).toEqual([1]);
    expect(nums(run('ArgMax', [x], { axis: 1, select_last_index: 1 })[0])).toEqual([2]);
  });
});

describe('softmax family', () => {
  it('Softmax rows sum to 1', () => {
    const [y] = run('Softmax', [f32([2, 3], [1, 2, 3, -1, 0, 1000])], {}, 13);
    const v = nums(y);
    expect(v[0] + v[1] + v[2]).toBeCloseTo(1, 6);
    expect(v[3] + v[4] + v[5]).toBeCloseTo(1, 6);
    expect(v[5]).toBeCloseTo(1, 6);
  });

  it('Hardmax before opset 13 works on the 2-D coercion at axis', () => {
    const x = f32([1, 2, 2], [1, 5, 2, 3]);
    expect(nums(run('Hardmax', [x], { axis: 1 }, 11)[0])).toEqual([0, 1, 0, 0]);
    expect(nums(run('Hardmax', [x], { axis: 1 }, 13)[0])).toEqual([0, 1, 1, 0]);
  });
});

describe('scans and selections', () => {
  it('CumSum exclusive and reverse', () => {
    const x = f32([4], [1, 2, 3, 4]);
    const axis = i64([], [0]);
    expect(nums(run('CumSum', [x, axis], { exclusive: 1 })[0])).toEqual([0, 1, 3, 6]);
    expect(nums(run('CumSum', [x, axis], { reverse: 1 })[0])).toEqual([10, 9, 7, 4]);
  });

  it('TopK orders ties by lower index', () => {
    const [v, i] = run('TopK', [f32([5], [2, 7, 2, 7, 1]), i64([1], [3])], {}, 11);
    expect(nums(v)).toEqual([7, 7, 2]);
    expect(nums(i)).toEqual([1, 3, 0]);
  });
});

describe('normalisation and linear algebra', () => {
  it('LayerNormalization returns Mean and InvStdDev per row', () => {
    const [y, mean, inv] = run('LayerNormalization', [f32([2, 2], [1, 3, 10, 14]), f32([2], [1, 1])], { epsilon: 1e-9 }, 17);
    const v = nums(y);
    [-1, 1, -1, 1].forEach((want, k) => expect(v[k]).toBeCloseTo(want, 5));
    expect(mean.dims).toEqual([2, 1]);
    expect(nums(mean)).toEqual([2, 12]);
    expect(nums(inv)[1]).toBeCloseTo(0.5, 6);
  });

  it('Einsum handles ellipsis and the implicit output', () => {
    expect(parseEinsum('...ij,...jk', [3, 3])).toEqual({ inputs: [['#1', 'i', 'j'], ['#1', 'j', 'k']], output: ['#1', 'i', 'k'] });
    const a = f32([2, 2], [1, 2, 3, 4]);
    const b = f32([2, 2], [5, 6, 7, 8]);
    expect(nums(run('Einsum', [a, b], { equation: 'ij,jk' }, 12)[0])).toEqual([19, 22, 43, 50]);
    expect(nums(run('Einsum', [a], { equation: 'ii->' }, 12)[0])).toEqual([5]);
  });

  it('Det of a batch of matrices', () => {
    const [d] = run('Det', [f32([2, 2, 2], [1, 2, 3, 4, 0, 1, 1, 0])], {}, 13);
    expect(nums(d)).toEqual([-2, -1]);
  });

  it('Trilu keeps the lower triangle from diagonal k', () => {
    const [y] = run('Trilu', [f32([2, 3], [1, 2, 3, 4, 5, 6]), i64([], [1])], { upper: 0 }, 14);
    expect(nums(y)).toEqual([1, 2, 0, 4, 5, 6]);
  });
});
