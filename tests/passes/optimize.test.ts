// optimize: the passes in order, its options, and a type for exactly the values that remain.

import { describe, expect, it } from 'vitest';
import { optimize } from '../../runtime/passes';
import { tensor } from '../../runtime/tensor';
import { load, ops, rand, relDiff, runFused, runReference } from './helpers';

/** Conv → BatchNormalization → Identity → Clip(Constant 0, Constant 6), with a dead branch. */
const model = () => load({
  inputs: [{ name: 'x', type: 'float32', dims: ['N', 2, 4, 4] }],
  outputs: [{ name: 'y', type: 'float32', dims: ['N', 3, 4, 4] }],
  initializers: {
    w: rand([3, 2, 1, 1], 1), scale: rand([3], 2), bias: rand([3], 3), mean: rand([3], 4),
    var: tensor('float32', [3], Float32Array.of(0.5, 1, 2)),
  },
  nodes: [
    { op: 'Conv', inputs: ['x', 'w'], outputs: ['h'] },
    { op: 'BatchNormalization', inputs: ['h', 'scale', 'bias', 'mean', 'var'], outputs: ['b'] },
    { op: 'Identity', inputs: ['b'], outputs: ['i'] },
    { op: 'Constant', inputs: [], outputs: ['lo'], attrs: { value_float: 0.0 } },
    { op: 'Constant', inputs: [], outputs: ['hi'], attrs: { value_float: 0.5 } },
    { op: 'Clip', inputs: ['i', 'lo', 'hi'], outputs: ['y'] },
    { op: 'Neg', inputs: ['i'], outputs: ['dead'] },
  ],
});

describe('optimize', () => {
  it('folds, fuses and types every remaining value', () => {
    const m = model();
    const { model: out, types } = optimize(m, new Map([['x', [2, 2, 4, 4]]]));
    expect(ops(out)).toEqual(['Conv']);
    const names = new Set([...out.graph.inputs.map((i) => i.name), ...out.graph.initializers.keys(), ...out.graph.nodes.flatMap((n) => n.outputs)]);
    expect(new Set(types.keys())).toEqual(names);
    expect(types.get('y')?.shape).toEqual([2, 3, 4, 4]);
    const x = rand([2, 2, 4, 4], 9);
    expect(relDiff(runReference(m, { x }).get('y')!, runFused(out, { x }).get('y')!)).toBeLessThan(1e-5);
  });

  it('honours fold: false and fuse: false', () => {
    const shapes = new Map([['x', [1, 2, 4, 4]]]);
    expect(ops(optimize(model(), shapes, { fuse: false }).model)).toEqual(['Conv', 'Clip']);
    expect(ops(optimize(model(), shapes, { fold: false, fuse: false }).model)).toEqual(['Conv', 'BatchNormalization', 'Constant', 'Constant', 'Clip']);
    // without folding the Clip bounds stay Constant nodes, so the Clip cannot fuse
    expect(ops(optimize(model(), shapes, { fold: false }).model)).toEqual(['Conv', 'BatchNormalization', 'Constant', 'Constant', 'Clip']);
  });
});
