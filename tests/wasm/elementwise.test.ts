// Elementwise ops, Softmax, normalisations and reductions on the wasm backend against the
// reference: broadcasting in every direction (and over channels-last inputs a conv produced),
// fused activations on binary ops, the unary math and activation ops, and reductions whose axes
// are or are not one contiguous run in memory.

import { describe, it } from 'vitest';
import { tensor, type Tensor } from '../../runtime/tensor';
import type { NodeSpec } from '../fixtures/onnx-builder';
import { compareWithReference, f32, outN, rng, size } from './harness';

const data = (seed: number, dims: number[], scale = 2) => tensor('float32', dims, rng(seed).floats(size(dims), scale));

async function binary(op: string, aDims: number[], bDims: number[], act?: string, seed = 1): Promise<void> {
  const nodes: NodeSpec[] = [{ op, inputs: ['a', 'b'], outputs: [act ? 't' : 'y'] }];
  if (act) nodes.push({ op: act, inputs: ['t'], outputs: ['y'] });
  const b = data(seed + 1, bDims);
  if (op === 'Pow') for (let i = 0; i < b.data.length; i++) (b.data as Float32Array)[i] = Math.round((b.data as Float32Array)[i] * 2);
  await compareWithReference({
    inputs: [f32('a', aDims), f32('b', bDims)], outputs: [outN('y', Math.max(aDims.length, bDims.length))], nodes,
    feeds: { a: data(seed, aDims), b },
  });
}

describe('wasm binary ops', () => {
  it('Add same shape, odd length', () => binary('Add', [3, 7, 5], [3, 7, 5]));
  it('Sub row broadcast', () => binary('Sub', [6, 9], [9]));
  it('Mul column broadcast', () => binary('Mul', [6, 9], [6, 1]));
  it('Div both ways', () => binary('Div', [4, 1, 6], [1, 5, 1]));
  it('Pow, scalar', () => binary('Pow', [5, 6], []));
  it('PRelu per channel', () => binary('PRelu', [2, 5, 4, 3], [5, 1, 1]));
  it('Add with fused Relu', () => binary('Add', [2, 9, 5], [9, 5], 'Relu'));
  it('Mul with fused Sigmoid', () => binary('Mul', [17], [17], 'Sigmoid'));
  it('Max, Min, Sum, Mean over three inputs', async () => {
    for (const op of ['Max', 'Min', 'Sum', 'Mean']) {
      await compareWithReference({
        inputs: [f32('a', [3, 4]), f32('b', [4]), f32('c', [3, 1])], outputs: [outN('y', 2)],
        nodes: [{ op, inputs: ['a', 'b', 'c'], outputs: ['y'] }],
        feeds: { a: data(1, [3, 4]), b: data(2, [4]), c: data(3, [3, 1]) },
      });
    }
  });
  it('Mod (fmod)', async () => {
    await compareWithReference({
      inputs: [f32('a', [4, 5]), f32('b', [5])], outputs: [outN('y', 2)],
      nodes: [{ op: 'Mod', inputs: ['a', 'b'], outputs: ['y'], attrs: { fmod: 1 } }],
      feeds: { a: data(1, [4, 5], 10), b: data(2, [5], 3) },
    });
  });
  it('Add of a channels-last conv output and a channels-first input, and a per-channel bias', async () => {
    const r = rng(5);
    await compareWithReference({
      inputs: [f32('x', [1, 3, 5, 6]), f32('z', [1, 4, 5, 6])], outputs: [outN('y', 4), outN('v', 4)],
      nodes: [
        { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] },
        { op: 'Add', inputs: ['c', 'z'], outputs: ['y'] },
        { op: 'Mul', inputs: ['c', 's'], outputs: ['v'] },
      ],
      initializers: { w: tensor('float32', [4, 3, 1, 1], r.floats(12)), s: tensor('float32', [4, 1, 1], r.floats(4)) },
      feeds: { x: data(6, [1, 3, 5, 6]), z: data(7, [1, 4, 5, 6]) },
    });
  });
});

describe('wasm fused elementwise chains', () => {
  it('hard-swish written out between scale-and-shift pairs (PP-OCR), on a conv output', async () => {
    const r = rng(30);
    const k = (v: number) => tensor('float32', [1], Float32Array.of(v));
    await compareWithReference({
      inputs: [f32('x', [1, 3, 6, 5])], outputs: [outN('y', 4)],
      nodes: [
        { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] },
        { op: 'Mul', inputs: ['s0', 'c'], outputs: ['m'] },
        { op: 'Add', inputs: ['m', 'b0'], outputs: ['a'] },
        { op: 'Add', inputs: ['a', 'three'], outputs: ['a3'] },
        { op: 'Clip', inputs: ['a3', 'zero', 'six'], outputs: ['cl'] },
        { op: 'Mul', inputs: ['a', 'cl'], outputs: ['p'] },
        { op: 'Div', inputs: ['p', 'six'], outputs: ['h'] },
        { op: 'Sub', inputs: ['one', 'h'], outputs: ['y'] },
      ],
      initializers: { w: tensor('float32', [7, 3, 1, 1], r.floats(21)), s0: k(1.5), b0: k(-0.25), three: k(3), zero: k(0), six: k(6), one: k(1) },
      feeds: { x: data(31, [1, 3, 6, 5]) },
    });
  });
  it('a chain whose inner value is also read outside stays unfused, and still agrees', async () => {
    await compareWithReference({
      inputs: [f32('x', [2, 9])], outputs: [outN('y', 2), outN('z', 2)],
      nodes: [
        { op: 'Sigmoid', inputs: ['x'], outputs: ['s'] },
        { op: 'Mul', inputs: ['x', 's'], outputs: ['y'] },
        { op: 'Tanh', inputs: ['s'], outputs: ['z'] },
      ],
      feeds: { x: data(32, [2, 9]) },
    });
  });
  it('a long chain over a tensor not a multiple of the block', async () => {
    const k = (v: number) => tensor('float32', [], Float32Array.of(v));
    await compareWithReference({
      inputs: [f32('x', [3, 171])], outputs: [outN('y', 2)],
      nodes: [
        { op: 'LeakyRelu', inputs: ['x'], outputs: ['l'], attrs: { alpha: 0.2 } },
        { op: 'Div', inputs: ['two', 'l'], outputs: ['d'] },
        { op: 'Sub', inputs: ['d', 'x'], outputs: ['e'] },
        { op: 'HardSigmoid', inputs: ['e'], outputs: ['hs'] },
        { op: 'Mul', inputs: ['hs', 'l'], outputs: ['y'] },
      ],
      initializers: { two: k(2) },
      feeds: { x: data(33, [3, 171]) }, tol: 1e-4,
    });
  });
});

const UNARY = ['Abs', 'Neg', 'Sqrt', 'Reciprocal', 'Floor', 'Ceil', 'Round', 'Exp', 'Log', 'Sigmoid', 'Tanh', 'Relu', 'Erf', 'Sign',
  'Sin', 'Cos', 'Tan', 'Asin', 'Acos', 'Atan', 'Sinh', 'Cosh', 'Asinh', 'Acosh', 'Atanh', 'Softplus', 'Softsign', 'Mish', 'HardSwish'];
const POSITIVE = new Set(['Sqrt', 'Log', 'Acosh']);
const UNIT = new Set(['Asin', 'Acos', 'Atanh']);

describe('wasm unary ops', () => {
  for (const op of UNARY) {
    it(op, async () => {
      const x = data(3, [3, 11], 3);
      const v = x.data as Float32Array;
      for (let i = 0; i < v.length; i++) {
        if (POSITIVE.has(op)) v[i] = Math.abs(v[i]) + 1;
        if (UNIT.has(op)) v[i] = v[i] / 3.5;
      }
      await compareWithReference({ inputs: [f32('x', [3, 11])], outputs: [outN('y', 2)], nodes: [{ op, inputs: ['x'], outputs: ['y'] }], feeds: { x } });
    });
  }
  for (const [op, attrs] of [
    ['LeakyRelu', { alpha: 0.2 }], ['Elu', { alpha: 1.3 }], ['Selu', {}], ['Celu', { alpha: 0.8 }], ['HardSigmoid', { alpha: 0.3, beta: 0.6 }],
    ['ThresholdedRelu', { alpha: 0.5 }], ['Shrink', { lambd: 0.7, bias: 0.2 }], ['Gelu', {}], ['Gelu', { approximate: 'tanh' }], ['Swish', { alpha: 1.5 }],
  ] as const) {
    it(`${op} ${JSON.stringify(attrs)}`, () => compareWithReference({
      inputs: [f32('x', [2, 13])], outputs: [outN('y', 2)], nodes: [{ op, inputs: ['x'], outputs: ['y'], attrs }], feeds: { x: data(4, [2, 13], 4) }, opset: 24,
    }));
  }
  it('Clip with constant bounds, and opset-6 attributes', async () => {
    await compareWithReference({
      inputs: [f32('x', [21])], outputs: [outN('y', 1)],
      nodes: [{ op: 'Clip', inputs: ['x', 'lo', 'hi'], outputs: ['y'] }],
      initializers: { lo: tensor('float32', [], Float32Array.of(-0.5)), hi: tensor('float32', [], Float32Array.of(1.25)) },
      feeds: { x: data(5, [21]) },
    });
    await compareWithReference({
      inputs: [f32('x', [21])], outputs: [outN('y', 1)], nodes: [{ op: 'Clip', inputs: ['x'], outputs: ['y'], attrs: { min: -1, max: 0.5 } }],
      feeds: { x: data(6, [21]) }, opset: 6,
    });
  });
});

describe('wasm Softmax and normalisations', () => {
  for (const op of ['Softmax', 'LogSoftmax']) {
    it(`${op} last axis, middle axis, and opset-11 flattening`, async () => {
      for (const [axis, opset] of [[-1, 18], [1, 18], [1, 11]]) {
        await compareWithReference({
          inputs: [f32('x', [3, 6, 5])], outputs: [outN('y', 3)], nodes: [{ op, inputs: ['x'], outputs: ['y'], attrs: { axis } }],
          feeds: { x: data(7, [3, 6, 5], 5) }, opset,
        });
      }
    });
  }
  it('Softmax over the channels of a conv output', async () => {
    await compareWithReference({
      inputs: [f32('x', [1, 3, 4, 5])], outputs: [outN('y', 4)],
      nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] }, { op: 'Softmax', inputs: ['c'], outputs: ['y'], attrs: { axis: 1 } }],
      initializers: { w: tensor('float32', [6, 3, 1, 1], rng(8).floats(18)) },
      feeds: { x: data(9, [1, 3, 4, 5]) },
    });
  });
  it('LayerNormalization with Mean and InvStdDev outputs', async () => {
    const r = rng(10);
    await compareWithReference({
      inputs: [f32('x', [2, 3, 10])], outputs: [outN('y', 3), outN('m', 3), outN('s', 3)],
      nodes: [{ op: 'LayerNormalization', inputs: ['x', 'g', 'b'], outputs: ['y', 'm', 's'], attrs: { axis: -1, epsilon: 1e-4 } }],
      initializers: { g: tensor('float32', [10], r.floats(10)), b: tensor('float32', [10], r.floats(10)) },
      feeds: { x: data(11, [2, 3, 10]) },
    });
  });
  it('InstanceNormalization', async () => {
    const r = rng(12);
    await compareWithReference({
      inputs: [f32('x', [2, 3, 4, 5])], outputs: [outN('y', 4)],
      nodes: [{ op: 'InstanceNormalization', inputs: ['x', 'g', 'b'], outputs: ['y'] }],
      initializers: { g: tensor('float32', [3], r.floats(3)), b: tensor('float32', [3], r.floats(3)) },
      feeds: { x: data(13, [2, 3, 4, 5]) },
    });
  });
  it('BatchNormalization the passes cannot fold, on both layouts', async () => {
    const r = rng(14);
    const stats: Record<string, Tensor> = {
      s: tensor('float32', [4], r.floats(4)), b: tensor('float32', [4], r.floats(4)),
      m: tensor('float32', [4], r.floats(4)), v: tensor('float32', [4], Float32Array.from(r.floats(4), (x) => Math.abs(x) + 0.5)),
      w: tensor('float32', [4, 2, 1, 1], r.floats(8)),
    };
    await compareWithReference({
      inputs: [f32('x', [1, 4, 3, 5]), f32('z', [1, 2, 3, 5])], outputs: [outN('y', 4), outN('u', 4)],
      nodes: [
        { op: 'BatchNormalization', inputs: ['x', 's', 'b', 'm', 'v'], outputs: ['y'] },
        { op: 'Conv', inputs: ['z', 'w'], outputs: ['c'] },
        { op: 'Relu', inputs: ['c'], outputs: ['r'] },
        { op: 'BatchNormalization', inputs: ['r', 's', 'b', 'm', 'v'], outputs: ['u'] },
      ],
      initializers: stats, feeds: { x: data(15, [1, 4, 3, 5]), z: data(16, [1, 2, 3, 5]) },
    });
  });
});

describe('wasm reductions', () => {
  const ops = ['ReduceSum', 'ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceSumSquare', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp'];
  for (const op of ops) {
    it(`${op} over a run of axes, over split axes, and over all`, async () => {
      for (const [axes, keepdims] of [[[2, 3], 1], [[0, 2], 0], [[], 1]] as const) {
        const x = data(17, [2, 3, 4, 5], 1);
        if (op === 'ReduceLogSum') for (let i = 0; i < x.data.length; i++) (x.data as Float32Array)[i] = Math.abs((x.data as Float32Array)[i]) + 0.1;
        await compareWithReference({
          inputs: [f32('x', [2, 3, 4, 5])], outputs: [outN('y', keepdims ? 4 : 2)],
          nodes: [{ op, inputs: axes.length ? ['x', 'axes'] : ['x'], outputs: ['y'], attrs: { keepdims } }],
          initializers: axes.length ? { axes: tensor('int64', [axes.length], BigInt64Array.from(axes.map(BigInt))) } : {},
          feeds: { x }, tol: 1e-4,
        });
      }
    });
  }
  it('ReduceMean over the spatial axes of a conv output (read in place)', async () => {
    await compareWithReference({
      inputs: [f32('x', [1, 3, 4, 5])], outputs: [outN('y', 4)],
      nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] }, { op: 'ReduceMean', inputs: ['c', 'axes'], outputs: ['y'] }],
      initializers: { w: tensor('float32', [7, 3, 1, 1], rng(18).floats(21)), axes: tensor('int64', [2], BigInt64Array.of(2n, 3n)) },
      feeds: { x: data(19, [1, 3, 4, 5]) },
    });
  });
  for (const op of ['ArgMax', 'ArgMin']) {
    it(`${op}, first and last index`, async () => {
      for (const select_last_index of [0, 1]) {
        const x = tensor('float32', [3, 8], Float32Array.from({ length: 24 }, (_, i) => Math.round(Math.sin(i) * 2)));
        await compareWithReference({
          inputs: [f32('x', [3, 8])], outputs: [outN('y', 2, 'int64')],
          nodes: [{ op, inputs: ['x'], outputs: ['y'], attrs: { axis: 1, select_last_index } }], feeds: { x },
        });
      }
    });
  }
});
