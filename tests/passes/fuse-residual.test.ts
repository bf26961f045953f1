// fuseResidualAdds: Add(conv(x), r) folds into the Conv as a residual input, activation fusion then
// puts a following Relu after it, and evaluating the epilogues gives the unfused graph's result;
// adds that cannot fold (shared conv result, broadcast, a residual made after the conv) stay.

import { describe, expect, it } from 'vitest';
import type { Model } from '../../runtime/ir/graph';
import { ACTIVATION_ATTR, optimize, RESIDUAL_ATTR, residualInput } from '../../runtime/passes';
import type { NodeSpec } from '../fixtures/onnx-builder';
import { load, ops, rand, relDiff, runFused, runReference } from './helpers';

const X = [1, 4, 5, 5];

function model(nodes: NodeSpec[], outputs = ['y']): Model {
  return load({
    opset: 17,
    inputs: [{ name: 'x', type: 'float32', dims: X }],
    outputs: outputs.map((name) => ({ name, type: 'float32', dims: ['a', 'b', 'c', 'd'] })),
    initializers: { w: rand([4, 4, 3, 3], 3), b: rand([4], 4), w1: rand([4, 4, 1, 1], 5), s: rand([4, 1, 1], 6) },
    nodes,
  });
}

const conv = (x: string, out: string, bias = true): NodeSpec =>
  ({ op: 'Conv', inputs: bias ? [x, 'w', 'b'] : [x, 'w'], outputs: [out], attrs: { pads: [1, 1, 1, 1] } });

const fused = (m: Model) => optimize(m, new Map([['x', X]]), { fuseResidual: true }).model;

function sameResult(m: Model, f: Model): void {
  const feeds = { x: rand(X, 9) };
  const want = runReference(m, feeds);
  const got = runFused(f, feeds);
  for (const [k, v] of want) expect(relDiff(got.get(k)!, v), k).toBeLessThan(1e-6);
}

describe('fuseResidualAdds', () => {
  it('folds a residual Add into the Conv, with a following Relu after it (ResNet)', () => {
    const m = model([conv('x', 'c'), { op: 'Add', inputs: ['c', 'x'], outputs: ['a'] }, { op: 'Relu', inputs: ['a'], outputs: ['y'] }]);
    const f = fused(m);
    expect(ops(f)).toEqual(['Conv']);
    const n = f.graph.nodes[0];
    expect(n.inputs).toEqual(['x', 'w', 'b', 'x']);
    expect(residualInput(n)).toBe(3);
    expect(n.attrs.get(ACTIVATION_ATTR)).toEqual({ kind: 'string', value: 'Relu' });
    expect(n.outputs).toEqual(['y']);
    sameResult(m, f);
  });

  it('takes the residual on either side of the Add, and a Conv without bias', () => {
    const m = model([
      { op: 'Conv', inputs: ['x', 'w1'], outputs: ['p'] },
      conv('p', 'c', false),
      { op: 'Add', inputs: ['p', 'c'], outputs: ['y'] },
    ]);
    const f = fused(m);
    expect(ops(f)).toEqual(['Conv', 'Conv']);
    expect(f.graph.nodes[1].inputs).toEqual(['p', 'w', '', 'p']);
    sameResult(m, f);
  });

  it('leaves adds it cannot fold: a conv result read twice, a broadcast residual, a residual made later', () => {
    const shared = model([conv('x', 'c'), { op: 'Add', inputs: ['c', 'x'], outputs: ['y'] }, { op: 'Relu', inputs: ['c'], outputs: ['z'] }], ['y', 'z']);
    expect(fused(shared).graph.nodes.some((n) => n.attrs.has(RESIDUAL_ATTR))).toBe(false);
    const broadcast = model([conv('x', 'c'), { op: 'Add', inputs: ['c', 's'], outputs: ['y'] }]);
    expect(ops(fused(broadcast))).toEqual(['Conv', 'Add']);
    // the residual r is computed after the conv in node order: folding would read it too early
    const later = model([conv('x', 'c'), { op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op: 'Add', inputs: ['c', 'r'], outputs: ['y'] }]);
    expect(fused(later).graph.nodes.some((n) => n.attrs.has(RESIDUAL_ATTR))).toBe(false);
    sameResult(later, fused(later));
  });

  it('is off unless the backend asks for it', () => {
    const m = model([conv('x', 'c'), { op: 'Add', inputs: ['c', 'x'], outputs: ['y'] }]);
    expect(ops(optimize(m, new Map([['x', X]])).model)).toEqual(['Conv', 'Add']);
  });
});
