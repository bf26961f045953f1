// Direct unit tests of the nn kernels: hand-computed cases and comparisons with naive loops.

import { describe, it, expect } from 'vitest';
import type { AttrValue } from '../../runtime/ir/graph';
import { nnOps } from '../../runtime/ops/nn';
import { Attrs, type RunContext } from '../../runtime/ops/spec';
import { tensor, type Tensor } from '../../runtime/tensor';

const ctx = (opset: number): RunContext => ({ opset, numOutputs: 2, runGraph: () => [] });

/** Runs one nn op by name with plain-object attributes. */
function run(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, AttrValue> = {}, opset = 17): Tensor[] {
  const spec = nnOps.find((s) => s.op === op);
  if (!spec?.run) throw new Error(`no kernel for ${op}`);
  const a = spec.attrs(new Attrs(op, new Map(Object.entries(attrs))), opset);
  return spec.run(inputs, a, ctx(opset));
}

const ints = (value: number[]): AttrValue => ({ kind: 'ints', value });
const int = (value: number): AttrValue => ({ kind: 'int', value });
const float = (value: number): AttrValue => ({ kind: 'float', value });

/** A deterministic pseudo-random float32 tensor in [-1, 1). */
function rand(dims: number[], seed = 1): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    d[i] = (s / 2 ** 32) * 2 - 1;
  }
  return tensor('float32', dims, d);
}

/** Straightforward 2-D grouped convolution, for comparison. */
function naiveConv2d(x: Tensor, w: Tensor, b: Tensor | undefined, group: number, stride: number[], pads: number[], dil: number[]): { dims: number[]; data: number[] } {
  const [N, C, H, W] = x.dims;
  const [M, Cg, KH, KW] = w.dims;
  const OH = Math.floor((H + pads[0] + pads[2] - ((KH - 1) * dil[0] + 1)) / stride[0]) + 1;
  const OW = Math.floor((W + pads[1] + pads[3] - ((KW - 1) * dil[1] + 1)) / stride[1]) + 1;
  const xd = x.data as Float32Array, wd = w.data as Float32Array;
  const out: number[] = [];
  const Mg = M / group;
  for (let n = 0; n < N; n++)
    for (let m = 0; m < M; m++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          let acc = b ? (b.data as Float32Array)[m] : 0;
          const g = Math.floor(m / Mg);
          for (let c = 0; c < Cg; c++)
            for (let kh = 0; kh < KH; kh++)
              for (let kw = 0; kw < KW; kw++) {
                const ih = oh * stride[0] - pads[0] + kh * dil[0];
                const iw = ow * stride[1] - pads[1] + kw * dil[1];
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                acc += xd[((n * C + g * Cg + c) * H + ih) * W + iw] * wd[((m * Cg + c) * KH + kh) * KW + kw];
              }
          out.push(acc);
        }
  return { dims: [N, M, OH, OW], data: out };
}

function expectClose(got: Tensor, want: { dims: number[]; data: number[] }, tol = 1e-5): void {
  expect(got.dims).toEqual(want.dims);
  const g = Array.from(got.data as Float32Array);
  expect(g.length).toBe(want.data.length);
  g.forEach((v, i) => expect(Math.abs(v - want.data[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(want.data[i]))));
}

describe('Conv', () => {
  it('computes a padded, strided 3x3 box filter by hand', () => {
    const x = tensor('float32', [1, 1, 3, 3], new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const w = tensor('float32', [1, 1, 3, 3], new Float32Array(9).fill(1));
    const [y] = run('Conv', [x, w], { pads: ints([1, 1, 1, 1]), strides: ints([2, 2]) });
    expect(y.dims).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.data as Float32Array)).toEqual([12, 16, 24, 28]);
  });

  it('matches a naive loop for grouped convolution with dilations and asymmetric pads', () => {
    const x = rand([2, 6, 9, 8], 3);
    const w = rand([4, 3, 3, 2], 5);
    const b = rand([4], 7);
    const [y] = run('Conv', [x, w, b], { group: int(2), strides: ints([2, 1]), pads: ints([1, 0, 2, 1]), dilations: ints([2, 1]) });
    expectClose(y, naiveConv2d(x, w, b, 2, [2, 1], [1, 0, 2, 1], [2, 1]));
  });

  it('matches a naive loop for depthwise convolution (group = channels)', () => {
    const x = rand([1, 5, 7, 7], 11);
    const w = rand([5, 1, 3, 3], 13);
    const [y] = run('Conv', [x, w], { group: int(5), pads: ints([1, 1, 1, 1]), strides: ints([2, 2]) });
    expectClose(y, naiveConv2d(x, w, undefined, 5, [2, 2], [1, 1, 1, 1], [1, 1]));
  });

  it('matches a naive loop for a 1x1 pointwise convolution', () => {
    const x = rand([1, 4, 5, 3], 17);
    const w = rand([6, 4, 1, 1], 19);
    const [y] = run('Conv', [x, w]);
    expectClose(y, naiveConv2d(x, w, undefined, 1, [1, 1], [0, 0, 0, 0], [1, 1]));
  });

  it('pads SAME_UPPER so the output keeps ceil(in / stride)', () => {
    const x = rand([1, 2, 5, 5]);
    const w = rand([3, 2, 3, 3], 2);
    const [y] = run('Conv', [x, w], { auto_pad: { kind: 'string', value: 'SAME_UPPER' }, strides: ints([2, 2]) });
    expect(y.dims).toEqual([1, 3, 3, 3]);
    // total pad 2 per axis, split 1 / 1
    expectClose(y, naiveConv2d(x, w, undefined, 1, [2, 2], [1, 1, 1, 1], [1, 1]));
  });
});

describe('Gemm and MatMul', () => {
  it('applies transB, alpha, beta and a broadcast row bias', () => {
    const a = tensor('float32', [2, 3], new Float32Array([1, 2, 3, 4, 5, 6]));
    const b = tensor('float32', [2, 3], new Float32Array([1, 0, 1, 0, 1, 0])); // B^T is [3, 2]
    const c = tensor('float32', [2], new Float32Array([10, 20]));
    const [y] = run('Gemm', [a, b, c], { transB: int(1), alpha: float(2), beta: float(0.5) });
    // A·B^T = [[4, 2], [10, 5]]; ×2 + 0.5·[10, 20]
    expect(y.dims).toEqual([2, 2]);
    expect(Array.from(y.data as Float32Array)).toEqual([13, 14, 25, 20]);
  });

  it('broadcasts batch dims and handles 1-D operands like numpy', () => {
    const a = rand([2, 1, 3, 4], 21);
    const b = rand([3, 4, 2], 23);
    const [y] = run('MatMul', [a, b]);
    expect(y.dims).toEqual([2, 3, 3, 2]);
    const ad = a.data as Float32Array, bd = b.data as Float32Array;
    const want: number[] = [];
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++)
        for (let m = 0; m < 3; m++)
          for (let n = 0; n < 2; n++) {
            let s = 0;
            for (let k = 0; k < 4; k++) s += ad[(i * 3 + m) * 4 + k] * bd[(j * 4 + k) * 2 + n];
            want.push(s);
          }
    expectClose(y, { dims: [2, 3, 3, 2], data: want });
    const [v] = run('MatMul', [tensor('float32', [3], new Float32Array([1, 2, 3])), tensor('float32', [3, 1], new Float32Array([4, 5, 6]))]);
    expect(v.dims).toEqual([1]);
    expect(Array.from(v.data as Float32Array)).toEqual([32]);
  });
});

describe('pools', () => {
  it('MaxPool returns values and flat argmax indices', () => {
    const x = tensor('float32', [1, 1, 2, 4], new Float32Array([1, 9, 2, 3, 4, 5, 8, 6]));
    const [y, idx] = run('MaxPool', [x], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) });
    expect(Array.from(y.data as Float32Array)).toEqual([9, 8]);
    expect(Array.from(idx.data as BigInt64Array)).toEqual([1n, 6n]);
  });

  it('AveragePool excludes pads from the divisor unless count_include_pad', () => {
    const x = tensor('float32', [1, 1, 2, 2], new Float32Array([1, 2, 3, 4]));
    const attrs = { kernel_shape: ints([2, 2]), pads: ints([1, 1, 0, 0]) };
    const [y] = run('AveragePool', [x], attrs);
    expect(Array.from(y.data as Float32Array)).toEqual([1, 1.5, 2, 2.5]);
    const [z] = run('AveragePool', [x], { ...attrs, count_include_pad: int(1) });
    expect(Array.from(z.data as Float32Array)).toEqual([0.25, 0.75, 1, 2.5]);
  });
});

describe('ConvTranspose shape inference', () => {
  const spec = nnOps.find((s) => s.op === 'ConvTranspose')!;
  const infer = (x: number[], w: number[], attrs: Record<string, AttrValue>) =>
    spec.infer!([{ kind: 'tensor', dtype: 'float32', shape: x }, { kind: 'tensor', dtype: 'float32', shape: w }], spec.attrs(new Attrs('ConvTranspose', new Map(Object.entries(attrs))), 17), 17)[0]?.shape;

  it('gives the spatial sizes the kernel makes, for pads, strides, output_shape and auto_pad', () => {
    const cases: [number[], number[], Record<string, AttrValue>][] = [
      [[1, 1, 3, 3], [1, 2, 3, 3], {}],
      [[1, 1, 3, 3], [1, 2, 3, 3], { strides: ints([3, 2]), output_shape: ints([10, 8]) }],
      [[1, 1, 3, 3], [1, 2, 3, 3], { strides: ints([3, 2]), pads: ints([1, 2, 1, 2]), output_padding: ints([1, 1]) }],
      [[1, 1, 3], [1, 2, 2], { auto_pad: { kind: 'string', value: 'SAME_UPPER' }, strides: ints([2]) }],
      [[1, 2, 3, 4, 2], [2, 1, 2, 2, 2], { group: int(2), dilations: ints([2, 1, 2]) }],
    ];
    for (const [x, w, attrs] of cases) {
      const [y] = run('ConvTranspose', [rand(x), rand(w, 2)], attrs);
      expect(infer(x, w, attrs)).toEqual(y.dims);
    }
  });

  it('leaves spatial sizes open when the input or the kernel is not known', () => {
    expect(infer([1, 1, 'h' as unknown as number, 3], [1, 2, 3, 3], {})).toEqual([1, 2, null, null]);
  });
});
