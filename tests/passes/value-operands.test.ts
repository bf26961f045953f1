// valueOperandInputs finds the graph inputs whose values decide shapes; bindInputs turns them into
// constants, after which specialisation folds or sizes what they feed.

import { describe, expect, it } from 'vitest';
import { bindInputs, optimize, specialiseShapes, valueOperandInputs } from '../../runtime/passes';
import { tensor, toInts } from '../../runtime/tensor';
import { f32, load, ops, rand, relDiff, runReference } from './helpers';

const i64 = (dims: number[], v: number[]) => tensor('int64', dims, BigInt64Array.from(v.map(BigInt)));

/** y = Reshape(x, shape) and z = ReduceSum(x, Cast(axes)): two shape operands fed at run time. */
const fedOperands = () => load({
  inputs: [
    { name: 'x', type: 'float32', dims: [2, 3, 4] },
    { name: 'shape', type: 'int64', dims: [2] },
    { name: 'axes', type: 'int32', dims: [1] },
  ],
  outputs: [{ name: 'y', type: 'float32', dims: ['a', 'b'] }, { name: 'z', type: 'float32', dims: ['c', 'd'] }],
  nodes: [
    { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] },
    { op: 'Cast', inputs: ['axes'], outputs: ['axes64'], attrs: { to: 7 } },
    { op: 'ReduceSum', inputs: ['x', 'axes64'], outputs: ['z'], attrs: { keepdims: 0 } },
  ],
  opset: 18,
});

describe('valueOperandInputs', () => {
  it('finds inputs at shape-operand positions, also behind a Cast, and not data inputs', () => {
    expect(valueOperandInputs(fedOperands())).toEqual(['shape', 'axes']);
  });

  it('leaves out an input that is only data, even when a shape op reads it as data', () => {
    const m = load({
      inputs: [{ name: 'x', type: 'int64', dims: [3] }, { name: 'p', type: 'int64', dims: [2] }],
      outputs: [{ name: 'y', type: 'int64', dims: [5] }],
      nodes: [{ op: 'Pad', inputs: ['x', 'p'], outputs: ['y'] }],
      opset: 18,
    });
    expect(valueOperandInputs(m)).toEqual(['p']);
  });

  it('follows shape arithmetic back to the input, but not past Shape', () => {
    // a CenterCropPad expansion: pads = Max(Shape(x), shape) - Shape(x), split in halves
    const m = load({
      inputs: [{ name: 'x', type: 'float32', dims: [4, 6] }, { name: 'shape', type: 'int64', dims: [2] }],
      outputs: [{ name: 'y', type: 'float32', dims: ['a', 'b'] }],
      initializers: { two: i64([1], [2]) },
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['s'] },
        { op: 'Max', inputs: ['s', 'shape'], outputs: ['m'] },
        { op: 'Sub', inputs: ['m', 's'], outputs: ['d'] },
        { op: 'Div', inputs: ['d', 'two'], outputs: ['l'] },
        { op: 'Sub', inputs: ['d', 'l'], outputs: ['r'] },
        { op: 'Concat', inputs: ['l', 'r'], outputs: ['pads'], attrs: { axis: 0 } },
        { op: 'Pad', inputs: ['x', 'pads'], outputs: ['y'] },
      ],
      opset: 18,
    });
    expect(valueOperandInputs(m)).toEqual(['shape']);
  });
});

describe('bindInputs', () => {
  it('turns the inputs into initializers without touching the model', () => {
    const model = fedOperands();
    const bound = bindInputs(model, new Map([['shape', i64([2], [4, 6])]]));
    expect(bound.graph.inputs.map((i) => i.name)).toEqual(['x', 'axes']);
    expect(toInts(bound.graph.initializers.get('shape')!)).toEqual([4, 6]);
    expect(model.graph.inputs.map((i) => i.name)).toEqual(['x', 'shape', 'axes']);
    expect(model.graph.initializers.has('shape')).toBe(false);
  });

  it('refuses a value that does not fit the declared type', () => {
    expect(() => bindInputs(fedOperands(), new Map([['shape', i64([3], [1, 2, 12])]]))).toThrow(/declared \[2\]/);
    expect(() => bindInputs(fedOperands(), new Map([['axes', i64([1], [0])]]))).toThrow(/declared int32/);
    expect(() => bindInputs(fedOperands(), new Map([['nope', i64([1], [0])]]))).toThrow(/no input named/);
  });

  it('gives the shapes they decide once bound, and the same results', () => {
    const model = fedOperands();
    const values = new Map([['shape', i64([2], [4, -1])], ['axes', tensor('int32', [1], Int32Array.of(-2))]]);
    expect(specialiseShapes(model, new Map()).types.get('y')?.shape).toEqual([null, null]);
    const { model: out, types } = optimize(bindInputs(model, values), new Map());
    expect(types.get('y')?.shape).toEqual([4, 6]);
    expect(types.get('z')?.shape).toEqual([2, 4]);
    expect(ops(out)).toEqual(['Reshape', 'ReduceSum']);
    const x = rand([2, 3, 4]);
    const want = runReference(model, { x, shape: values.get('shape')!, axes: values.get('axes')! });
    const got = runReference(out, { x });
    for (const k of ['y', 'z']) expect(relDiff(want.get(k)!, got.get(k)!), k).toBe(0);
  });

  it('folds a generator whose every operand is bound (Range through a Cast)', () => {
    const model = load({
      inputs: [{ name: 'n', type: 'int32', dims: [] }],
      outputs: [{ name: 'y', type: 'float32', dims: ['n'] }],
      initializers: { zero: f32([], [0]), one: f32([], [1]) },
      nodes: [
        { op: 'Cast', inputs: ['n'], outputs: ['nf'], attrs: { to: 1 } },
        { op: 'Range', inputs: ['zero', 'nf', 'one'], outputs: ['y'] },
      ],
    });
    expect(valueOperandInputs(model)).toEqual(['n']);
    const { model: out } = optimize(bindInputs(model, new Map([['n', tensor('int32', [], Int32Array.of(3))]])), new Map());
    expect(out.graph.nodes).toEqual([]);
    expect(Array.from(out.graph.initializers.get('y')!.data as Float32Array)).toEqual([0, 1, 2]);
  });
});
