// specialiseShapes: concrete input shapes flow through inference; constants and shape arithmetic fold.

import { describe, expect, it } from 'vitest';
import { specialiseShapes } from '../../runtime/passes';
import { tensor, toInts } from '../../runtime/tensor';
import { f32, load, ops, rand, relDiff, runReference } from './helpers';

const i64 = (dims: number[], v: number[]) => tensor('int64', dims, BigInt64Array.from(v.map(BigInt)));

/** y = Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [12])): a batch-dynamic flatten. */
const dynamicFlatten = () => load({
  inputs: [{ name: 'x', type: 'float32', dims: ['N', 3, 4] }],
  outputs: [{ name: 'y', type: 'float32', dims: ['N', 12] }],
  initializers: { zero: i64([], [0]), axes: i64([1], [0]), twelve: i64([1], [12]) },
  nodes: [
    { op: 'Shape', inputs: ['x'], outputs: ['s'] },
    { op: 'Gather', inputs: ['s', 'zero'], outputs: ['n'], attrs: { axis: 0 } },
    { op: 'Unsqueeze', inputs: ['n', 'axes'], outputs: ['n1'] },
    { op: 'Concat', inputs: ['n1', 'twelve'], outputs: ['shape'], attrs: { axis: 0 } },
    { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] },
  ],
});

describe('specialiseShapes', () => {
  it('folds a shape-computing subgraph once the input shape is known', () => {
    const model = dynamicFlatten();
    const { model: out, types } = specialiseShapes(model, new Map([['x', [2, 3, 4]]]));
    expect(ops(out)).toEqual(['Reshape']);
    expect(toInts(out.graph.initializers.get('shape')!)).toEqual([2, 12]);
    expect(types.get('y')).toEqual({ kind: 'tensor', dtype: 'float32', shape: [2, 12] });
    expect(types.get('s')?.shape).toEqual([3]);
    expect(out.graph.inputs[0].type).toEqual({ kind: 'tensor', dtype: 'float32', shape: [2, 3, 4] });
    expect(out.graph.outputs[0].type).toEqual({ kind: 'tensor', dtype: 'float32', shape: [2, 12] });
    const x = rand([2, 3, 4]);
    expect(relDiff(runReference(model, { x }).get('y')!, runReference(out, { x }).get('y')!)).toBe(0);
  });

  it('never mutates its input model', () => {
    const model = dynamicFlatten();
    const nodes = model.graph.nodes;
    const inits = [...model.graph.initializers.keys()];
    specialiseShapes(model, new Map([['x', [5, 3, 4]]]));
    expect(model.graph.nodes).toBe(nodes);
    expect(model.graph.nodes.length).toBe(5);
    expect([...model.graph.initializers.keys()]).toEqual(inits);
    expect(model.graph.inputs[0].type).toEqual({ kind: 'tensor', dtype: 'float32', shape: ['N', 3, 4] });
  });

  it('folds Constant nodes and arithmetic on constants into initializers', () => {
    const model = load({
      inputs: [{ name: 'x', type: 'float32', dims: [2] }],
      outputs: [{ name: 'y', type: 'float32', dims: [2] }],
      initializers: { w: f32([2], [1, 2]) },
      nodes: [
        { op: 'Constant', inputs: [], outputs: ['c'], attrs: { value_float: 1.5 } },
        { op: 'Add', inputs: ['c', 'w'], outputs: ['d'] },
        { op: 'Mul', inputs: ['x', 'd'], outputs: ['y'] },
      ],
    });
    const { model: out, types } = specialiseShapes(model, new Map());
    expect(ops(out)).toEqual(['Mul']);
    expect([...(out.graph.initializers.get('d')!.data as Float32Array)]).toEqual([2.5, 3.5]);
    expect(types.get('c')).toEqual({ kind: 'tensor', dtype: 'float32', shape: [] });
    expect(types.get('y')?.shape).toEqual([2]);
  });

  it('keeps results over 16 MiB as nodes, but still knows their type', () => {
    const model = load({
      inputs: [{ name: 'x', type: 'float32', dims: [1] }],
      outputs: [{ name: 'y', type: 'float32', dims: [5 << 20] }],
      initializers: { shape: i64([1], [5 << 20]) },
      nodes: [
        { op: 'ConstantOfShape', inputs: ['shape'], outputs: ['z'] },
        { op: 'Add', inputs: ['z', 'x'], outputs: ['y'] },
      ],
    });
    const { model: out, types } = specialiseShapes(model, new Map());
    expect(ops(out)).toEqual(['ConstantOfShape', 'Add']);
    expect(types.get('z')?.shape).toEqual([5 << 20]);
    expect(types.get('y')?.shape).toEqual([5 << 20]);
  });

  it('with fold: false only infers', () => {
    const { model: out, types } = specialiseShapes(dynamicFlatten(), new Map([['x', [2, 3, 4]]]), { fold: false });
    expect(ops(out)).toEqual(['Shape', 'Gather', 'Unsqueeze', 'Concat', 'Reshape']);
    expect(types.get('s')?.shape).toEqual([3]);
  });

  it('finds value-dependent shapes (Reshape by a constant, Slice, Expand) by probing', () => {
    const model = load({
      inputs: [{ name: 'x', type: 'float32', dims: ['N', 6] }],
      outputs: [{ name: 'y', type: 'float32', dims: ['A', 'B', 'C'] }],
      initializers: {
        shape: i64([3], [0, 2, 3]), starts: i64([1], [1]), ends: i64([1], [3]), ax: i64([1], [1]), big: i64([3], [4, 1, 1]),
      },
      nodes: [
        { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['r'] },
        { op: 'Slice', inputs: ['r', 'starts', 'ends', 'ax'], outputs: ['s'] },
        { op: 'Expand', inputs: ['s', 'big'], outputs: ['y'] },
      ],
    });
    const { types } = specialiseShapes(model, new Map([['x', [1, 6]]]));
    expect(types.get('r')?.shape).toEqual([1, 2, 3]);
    expect(types.get('s')?.shape).toEqual([1, 1, 3]);
    expect(types.get('y')?.shape).toEqual([4, 1, 3]);
  });

  it("knows a Pad's output dims from constant pads (and axes) even when the input is too big to probe, so the Shape after it folds", () => {
    const padded = (opset: number, padInputs: string[], initializers: Record<string, ReturnType<typeof i64>>) => load({
      opset,
      inputs: [{ name: 'x', type: 'float32', dims: [1, 8, 'h', 'w'] }],
      outputs: [{ name: 'y', type: 'float32', dims: ['a', 'b', 'c', 'd'] }, { name: 's', type: 'int64', dims: [4] }],
      initializers,
      nodes: [
        { op: 'Pad', inputs: ['x', ...padInputs], outputs: ['y'] },
        { op: 'Shape', inputs: ['y'], outputs: ['s'] },
      ],
    });
    // 8·1024·1024 elements: over what the shape probe runs kernels on
    const big = new Map([['x', [1, 8, 1024, 1024]]]);
    const plain = specialiseShapes(padded(17, ['pads'], { pads: i64([8], [0, 0, 0, 2, 0, 0, 1, 1]) }), big);
    expect(plain.types.get('y')?.shape).toEqual([1, 8, 1025, 1027]);
    expect(ops(plain.model)).toEqual(['Pad']);
    expect(toInts(plain.model.graph.initializers.get('s')!)).toEqual([1, 8, 1025, 1027]);
    const axes = specialiseShapes(padded(18, ['pads', '', 'axes'], { pads: i64([4], [3, 0, 0, 4]), axes: i64([2], [2, -1]) }), big);
    expect(axes.types.get('y')?.shape).toEqual([1, 8, 1027, 1028]);
    // pads known only at run time: dims unknown, nothing folds
    const dynamic = load({
      inputs: [{ name: 'x', type: 'float32', dims: [1, 8, 4, 4] }, { name: 'p', type: 'int64', dims: [8] }],
      outputs: [{ name: 'y', type: 'float32', dims: ['a', 'b', 'c', 'd'] }],
      nodes: [{ op: 'Pad', inputs: ['x', 'p'], outputs: ['y'] }],
    });
    expect(specialiseShapes(dynamic, new Map([['x', [1, 8, 4, 4]], ['p', [8]]])).types.get('y')?.shape).toEqual([null, null, null, null]);
  });

  it('rejects shapes that contradict the declared ones, and unknown input names', () => {
    expect(() => specialiseShapes(dynamicFlatten(), new Map([['x', [2, 4, 4]]]))).toThrow(/declared \[N,3,4\]/);
    expect(() => specialiseShapes(dynamicFlatten(), new Map([['nope', [1]]]))).toThrow(/no input named 'nope'/);
  });

  it('gives every value a type, unknown (null) where no op spec exists', () => {
    const model = load({
      inputs: [{ name: 'x', type: 'float32', dims: [2] }],
      outputs: [{ name: 'y', type: 'float32', dims: [2] }],
      nodes: [
        { op: 'NoSuchOp', inputs: ['x'], outputs: ['u'] },
        { op: 'Relu', inputs: ['u'], outputs: ['y'] },
      ],
    });
    const { types } = specialiseShapes(model, new Map());
    expect(types.has('u')).toBe(true);
    expect(types.get('x')?.shape).toEqual([2]);
  });
});
